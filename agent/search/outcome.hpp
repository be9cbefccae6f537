// What an experiment stage (linear search, tree search, the offline sweep) hands to the
// plot and write-up stages.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace shoal::agent {

// A finished node to show in the plots, under a label (plot.py's `labels` entry).
struct PlottedRun {
  std::string node_id;
  std::string label;  // "Baseline", "weight_decay=0.1", "Run 2: cosine schedule"
};

struct ExperimentOutcome {
  std::string best_node_id;          // "" when no node succeeded
  std::optional<double> best_metric;
  int nodes = 0, failed = 0;
  std::vector<PlottedRun> plotted;   // in plot order; the baseline first when there is one
};

void to_json(nlohmann::json& j, const ExperimentOutcome& o);
void from_json(const nlohmann::json& j, ExperimentOutcome& o);

}  // namespace shoal::agent
