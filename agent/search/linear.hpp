// The experiment stage, linear search (AI-Scientist v1): in one copy of the template the
// model makes up to R experiment runs (run_1..run_R), each in up to A attempts. An attempt
// is edit blocks (only the template's editable files) plus a plan and the flags to run with;
// edits that do not apply, an unusable reply and a failed run are fed back to the next
// attempt; a run's results against the baseline feed the next run. The model may end early
// with ALL_DONE. Notes are kept per run and stored as the idea's artifact notes.md.
#pragma once

#include "agent/stage_context.hpp"
#include "agent/search/outcome.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

// Runs the search for `idea` in ctx.idea_dir(idea.id)/code (a fresh template copy) and
// stores every run as a node: the first a "draft", then "improve" after a success or
// "debug" after a failure, each the child of the previous node. Stops after R runs, at
// ALL_DONE, or when a run failed in all its A attempts. A second call replays the same
// choices (the LLM cache answers, run_node reuses the stored nodes), adding nothing.
// The outcome plots the baseline first, then each successful run. Errors: the model's
// (budget_exceeded, cancelled, ...), the sandbox's and the store's; invalid_input when
// no run succeeded (the node logs say why).
Expected<ExperimentOutcome> run_linear_search(StageContext& ctx, const store::Idea& idea);

}  // namespace shoal::agent
