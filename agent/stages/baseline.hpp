// The baseline stage: the template's own experiment (run_0), run in the sandbox once per
// template version (its content hash) and stored as a node that every later run reuses
// (experiments::ensure_baseline). Every idea is compared with it.
// It also settles the run's headline metric, which every later stage compares by: the
// `metric` setting, else template.json's, else the baseline's first metric (final_info.json
// order) with its direction asked once of the model (offline: guessed from its name).
#pragma once

#include <optional>
#include <string>

#include "agent/stage_context.hpp"

namespace shoal::agent {

struct BaselineIn {};

// The metric a run compares by, and where it came from.
struct HeadlineMetric {
  std::string name;
  bool higher_is_better = true;
  std::string source;  // "template.json", "setting", "inferred"
  std::string direction_source;  // "template.json", "setting", "model", "name" (guessed from the name)

  // "val_loss, lower is better (inferred; direction from the model)"
  std::string describe() const;
};

struct BaselineOut {
  std::string node_id;
  std::optional<double> metric;  // the headline metric, when the baseline reports it
  HeadlineMetric headline;
};

// Runs (or finds) the baseline, in smoke mode when the run's `smoke` setting is on, and
// settles the headline metric. invalid_input when no metric can be found (the baseline
// reports none, or the `metric` setting names one it does not report).
Expected<BaselineOut> run_baseline(StageContext& ctx, const BaselineIn& in);

// Makes `tpl` compare by `metric` (its name and direction).
void apply_metric(experiments::Template& tpl, const HeadlineMetric& metric);

// The headline metric run `run_id` settled in its baseline stage (none before it ran).
Expected<std::optional<HeadlineMetric>> run_metric(store::Store& store, const std::string& run_id);

}  // namespace shoal::agent
