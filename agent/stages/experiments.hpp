// The experiments stage: an idea's code changes and sandboxed runs, by the search the run's
// `search` setting names (agent/search/strategy.hpp: linear, tree), or with no model the
// offline agent's sweep of the idea's knob. Every experiment is a node in the store.
#pragma once

#include "agent/search/outcome.hpp"
#include "agent/stage_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

using ExperimentsIn = IdeaIn;
using ExperimentsOut = ExperimentOutcome;

// Runs the search for the idea and records its best metric on the idea. An empty
// best_node_id means no experiment succeeded. invalid_input for an unknown `search`.
Expected<ExperimentsOut> run_experiments(StageContext& ctx, const ExperimentsIn& in);

}  // namespace shoal::agent
