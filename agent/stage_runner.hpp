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
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/stage_context.hpp"
#include "agent/stage_outputs.hpp"

namespace shoal::agent {

using StageBody = std::function<Expected<nlohmann::json>()>;

// Runs `body` as stage `stage` of `idea_id` ("" = a run-level stage) unless it is done; the
// body's result is stored as the stage's output. Returns the result, or the stored output of
// a stage found done.
Expected<nlohmann::json> run_stage_json(StageContext& ctx, const std::string& idea_id, const std::string& stage,
                                        const StageBody& body);

// The typed form: `body` returns the stage's Out (with to_json/from_json in stage_outputs.hpp).
// A stage that runs hands its Out on as it is; one found done is read back from its output.
template <class Out>
Expected<Out> run_stage(StageContext& ctx, const std::string& idea_id, const std::string& stage,
                        const std::function<Expected<Out>()>& body) {
  std::optional<Out> fresh;
  SHOAL_TRY(stored, run_stage_json(ctx, idea_id, stage, [&]() -> Expected<nlohmann::json> {
    SHOAL_TRY(out, body());
    fresh = std::move(out);
    return nlohmann::json(*fresh);
  }));
  if (fresh) return std::move(*fresh);
  try {
    return stored.template get<Out>();
  } catch (const nlohmann::json::exception& e) {
    return fail(ErrorKind::corrupt, "the stored output of stage " + stage + " is unreadable: " + e.what());
  }
}

// Records the stage as skipped (with the reason) unless it already has a final record.
Status skip_stage(StageContext& ctx, const std::string& idea_id, const std::string& stage, const std::string& reason);

}  // namespace shoal::agent
