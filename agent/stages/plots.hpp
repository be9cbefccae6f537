// The plot stage: the template's plot.py (as the idea's best node left it, so the agent's
// edits count) runs in the sandbox over the runs the experiment stage chose (run_0 the
// baseline, then run_1...), with their labels in labels.json. Each PNG is stored as an
// artifact of the best node (kind "plot") with its caption (kind "caption", same name).
#pragma once

#include <nlohmann/json.hpp>

#include "agent/run_context.hpp"
#include "agent/stages/outcome.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

// Returns {"plots": [{"name", "artifact_id", "caption"}], "node_id"}. Captions come from the
// model when there is one (a JSON answer; a bad answer falls back), else from the plot's
// name and the runs shown. Fails when plot.py fails or writes no PNG.
Expected<nlohmann::json> make_plots(RunContext& ctx, const store::Idea& idea, const ExperimentOutcome& outcome);

}  // namespace shoal::agent
