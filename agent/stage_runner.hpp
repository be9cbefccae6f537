// The one wrapper every stage runs through. It makes stages resumable and accountable:
//  - a stage already recorded as done (or skipped) is not run again: its stored output is
//    returned, so a resumed run continues after the last committed stage;
//  - before starting: the cancel token and the budget are checked;
//  - it records start (attempt count), end, outcome, error kind and message, the stage's
//    LLM cost (from llm_calls) and its output JSON in stage_executions, moves the idea's
//    stage/status, and writes stage_started/stage_done/stage_failed events;
//  - every record is committed before the next stage starts.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/run_context.hpp"

namespace shoal::agent {

using StageBody = std::function<Expected<nlohmann::json>()>;

// Runs `body` as stage `stage` of `idea_id` ("" = a run-level stage) unless it is done.
Expected<nlohmann::json> run_stage(RunContext& ctx, const std::string& idea_id, const std::string& stage,
                                   const StageBody& body);

// Records the stage as skipped (with the reason) unless it already has a final record.
Status skip_stage(RunContext& ctx, const std::string& idea_id, const std::string& stage, const std::string& reason);

}  // namespace shoal::agent
