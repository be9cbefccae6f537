// Seeds that count: the best versions of an idea are re-run with seeds 1..seed_runs (SHOAL_SEED
// in the sandbox), each version's runs are averaged into one seed-mean node (kind "seed_mean",
// child of the version, its final_info the means with standard errors across seeds), and the
// version with the best seed mean is the idea's chosen one: a runner-up whose seed mean is
// better wins over a lucky first place. The per-seed nodes (kind "seed") stay in the store.
// Every search (linear and tree) ends here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/search/outcome.hpp"
#include "agent/stage_context.hpp"
#include "store/ideas.hpp"
#include "store/nodes.hpp"

namespace shoal::agent {

// A finished version to confirm: its node and the extra flags it ran with.
struct SeedCandidate {
  store::Node node;
  std::vector<std::string> args;
  std::string label;  // how notes and plots name it ("node 3", "run 2")
};

struct SeedConfirmation {
  std::optional<store::Node> chosen;  // the seed-mean node of the chosen version; empty when no seed run succeeded
  int runs = 0, failed = 0;           // seed runs made
  std::vector<PlottedRun> plotted;    // the chosen version's seed runs
  std::string notes;                  // a few lines for notes.md: each version's seed values and mean
};

// The versions worth confirming, best first: the best and the runner-up among `nodes` (done,
// with a metric), by the template's direction.
std::vector<store::Node> seed_candidates(const std::vector<store::Node>& nodes, bool higher_is_better);

// confirm_with_seeds, its runs counted in `out`; when a version was chosen, its seed mean becomes
// the outcome's best (the seed runs' plots are left to the caller, in its order).
Expected<SeedConfirmation> confirm_into_outcome(StageContext& ctx, const store::Idea& idea,
                                                const std::vector<SeedCandidate>& candidates, int step,
                                                ExperimentOutcome& out);

// Re-runs each candidate with seeds 1..seed_runs (`width` at once) and picks the best seed mean.
// Nothing to do (an empty result) when seed_runs is 0 or there is no candidate. Resumable: seed
// runs and seed means already stored are reused.
Expected<SeedConfirmation> confirm_with_seeds(StageContext& ctx, const store::Idea& idea,
                                              const std::vector<SeedCandidate>& candidates, int step);

}  // namespace shoal::agent
