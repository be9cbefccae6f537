// A template's baseline (run_0): run once per template version (content hash), stored as
// a node with no idea, and reused by every later run of the pipeline on that version.
#pragma once

#include <filesystem>

#include "experiments/executor.hpp"
#include "experiments/template.hpp"
#include "store/nodes.hpp"

namespace shoal::experiments {

// The code an experiment node ran: the template's editable files as {"file": "content"}.
Expected<std::string> code_snapshot(const Template& tpl, const std::filesystem::path& workdir);

struct BaselineOptions {
  bool force = false;  // rerun even when a stored baseline exists
  bool smoke = false;  // run with the manifest's smoke_args, stored as kind "baseline_smoke",
                       // which the pipeline never reuses as the real baseline
};

// Returns the stored baseline for this template version, or runs experiment.py with its
// default flags in the sandbox under `work_root`, stores the node (metrics, output tails,
// final_info.json and code as artifacts) and returns it. A run that fails or writes a
// malformed final_info.json is stored as a failed node (never reused) and returned as an
// error naming the cause.
Expected<store::Node> ensure_baseline(store::Store& store, const Template& tpl, Executor& executor,
                                      const std::filesystem::path& work_root, const BaselineOptions& options);

}  // namespace shoal::experiments
