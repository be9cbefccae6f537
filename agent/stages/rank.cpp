#include "agent/stages/rank.hpp"

#include <algorithm>

namespace shoal::agent {

double idea_score(const store::Idea& idea) {
  auto rating = [](const std::optional<double>& r) { return r ? std::clamp(*r, 1.0, 10.0) : 5.0; };
  return rating(idea.interestingness) + rating(idea.feasibility) + rating(idea.novelty);
}

std::vector<store::Idea> rank_ideas(std::vector<store::Idea> ideas, int top_n) {
  std::erase_if(ideas, [](const store::Idea& i) { return i.novel.has_value() && !*i.novel; });
  std::sort(ideas.begin(), ideas.end(), [](const store::Idea& a, const store::Idea& b) {
    double sa = idea_score(a), sb = idea_score(b);
    return sa != sb ? sa > sb : a.name < b.name;
  });
  if (top_n > 0 && static_cast<int>(ideas.size()) > top_n) ideas.resize(static_cast<size_t>(top_n));
  for (size_t i = 0; i < ideas.size(); ++i) ideas[i].rank = static_cast<int>(i) + 1;
  return ideas;
}

}  // namespace shoal::agent
