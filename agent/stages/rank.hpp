// The rank stage: before experiments, the novel ideas (and those not checked) are ordered by
// a score of the model's own ratings, so the best ideas run first and only the top N run at
// all. The offline agent's ideas keep the order of the template's knobs.
#pragma once

#include <vector>

#include "agent/stage_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

struct RankIn {
  std::vector<store::Idea> ideas;  // every idea of the run
};

struct RankOut {
  std::vector<std::string> selected;  // the ideas that go on, best first
};

// Ranks the ideas, stores the rank of the `ideas` setting's top N and marks the others
// skipped (reason "novelty" or "rank").
Expected<RankOut> run_rank(StageContext& ctx, const RankIn& in);

// The score an idea is ranked by: interestingness + feasibility + novelty, each on 1..10
// (clamped), a missing rating counting as 5 (the middle). Range 3..30.
double idea_score(const store::Idea& idea);

// Drops the ideas the novelty check found not novel (novel == false; unchecked ones stay),
// orders the rest by idea_score, higher first, ties by name, keeps the first `top_n`
// (all when top_n <= 0) and sets their rank to 1, 2, ... Pure: nothing is stored.
std::vector<store::Idea> rank_ideas(std::vector<store::Idea> ideas, int top_n);

}  // namespace shoal::agent
