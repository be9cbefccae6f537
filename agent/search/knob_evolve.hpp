// The offline agent's evolution (--model offline --search evolve): a small genetic algorithm
// over the combinations of the values template.json declares for its knobs, no model at all.
// The first population is the baseline and random combinations; then each child is a uniform
// crossover of two parents chosen by tournament among the fittest combinations, mutated in one
// or two knobs half the time. A combination already evaluated (or already proposed) is rejected before it costs a
// run. Each evaluated combination is one node (kind "evolve"); the best two are re-run with
// seeds (seeds.hpp) as in tree search. The one-knob sweep (sweep.hpp) stays the default
// offline baseline; bench/search_efficiency.py compares the two with random search.
#pragma once

#include "agent/search/genetic.hpp"
#include "agent/search/outcome.hpp"
#include "agent/stage_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

// Runs the evolution for the offline idea `idea` (ideas stage: "evolve_knobs") with a budget of
// settings.evolve_evaluations runs (the stored baseline is the first member and costs none),
// settings.parallel_nodes at once, then the seed re-runs of the best two. Resumable: the same
// seed and stored results replay the same proposals, and run_node reuses the finished nodes.
Expected<ExperimentOutcome> run_knob_evolve(StageContext& ctx, const store::Idea& idea);

}  // namespace shoal::agent
