// Stage executions: the orchestrator's durable record of which stage of which idea
// is running, done or failed. One row per (run, idea, stage); idea "" = run-level stage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace shoal::store {

struct StageExecution {
  int64_t id = 0;
  std::string run_id, idea_id, stage;
  std::string status;  // running, done, failed, cancelled, skipped
  int attempts = 0;
  std::optional<int64_t> started_ms, ended_ms;
  double cost_usd = 0;
  std::string error_kind, error, output_json;
};

// Marks the stage running and counts one more attempt (creating the row on first start).
Expected<StageExecution> begin_stage(Store& store, const std::string& run_id, const std::string& idea_id,
                                     const std::string& stage);

// Records the end of the running stage: status, cost added, error and output.
Status finish_stage(Store& store, int64_t id, const std::string& status, double cost_usd,
                    const std::string& error_kind = "", const std::string& error = "",
                    const std::string& output_json = "");

// The stage's row if it was ever started.
Expected<std::optional<StageExecution>> find_stage(Store& store, const std::string& run_id,
                                                   const std::string& idea_id, const std::string& stage);

// All stage rows of a run, in start order.
Expected<std::vector<StageExecution>> list_stages(Store& store, const std::string& run_id);

}  // namespace shoal::store
