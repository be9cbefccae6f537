// The baseline stage: the template's own experiment (run_0), run in the sandbox once per
// template version (its content hash) and stored as a node that every later run reuses
// (experiments::ensure_baseline). Every idea is compared with it.
#pragma once

#include <optional>
#include <string>

#include "agent/stage_context.hpp"

namespace shoal::agent {

struct BaselineIn {};

struct BaselineOut {
  std::string node_id;
  std::optional<double> metric;  // the headline metric, when the baseline reports it
};

// Runs (or finds) the baseline, in smoke mode when the run's `smoke` setting is on.
Expected<BaselineOut> run_baseline(StageContext& ctx, const BaselineIn& in);

}  // namespace shoal::agent
