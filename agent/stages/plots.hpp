// The plot stage: the template's plot.py (as the idea's best node left it, so the agent's
// edits count) runs in the sandbox over the runs the experiment stage chose (run_0 the
// baseline, then run_1...), with their labels in labels.json. Each PNG is stored as an
// artifact of the best node (kind "plot") with its caption (kind "caption", same name).
#pragma once

#include <string>
#include <vector>

#include "agent/stage_context.hpp"
#include "agent/search/outcome.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

struct PlotsIn {
  store::Idea idea;
  ExperimentOutcome experiments;  // the best node and the runs to plot, in order
};

struct Plot {
  std::string name;         // "loss.png"
  int64_t artifact_id = 0;  // the stored PNG
  std::string caption;
  std::string note;         // the model's reader's note ("" when none)
};

struct PlotsOut {
  std::string node_id;          // the best node, which the plots belong to
  std::vector<Plot> plots;
  int images_reviewed = 0;      // figures the model saw as images
  std::string first_review;     // the problems the model's first look found ("" when none)
  bool plot_fixed = false;      // plot.py was edited for them
};

// Captions come from the model when there is one (a JSON answer; a bad answer falls back),
// else from the plot's name and the runs shown; with a model the figures are reviewed
// (plot_review_images) and fixed (plot_fix_rounds). Fails when plot.py fails or writes no PNG.
Expected<PlotsOut> run_plots(StageContext& ctx, const PlotsIn& in);

}  // namespace shoal::agent
