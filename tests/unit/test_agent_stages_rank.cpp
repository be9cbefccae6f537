#include <doctest/doctest.h>

#include "agent/stages/rank.hpp"

using namespace shoal;
using namespace shoal::agent;

namespace {
store::Idea idea(const std::string& name, std::optional<double> i, std::optional<double> f, std::optional<double> n,
                 std::optional<bool> novel = std::nullopt) {
  store::Idea out;
  out.name = name;
  out.interestingness = i;
  out.feasibility = f;
  out.novelty = n;
  out.novel = novel;
  return out;
}

std::vector<std::string> names(const std::vector<store::Idea>& ideas) {
  std::vector<std::string> out;
  for (const auto& i : ideas) out.push_back(i.name);
  return out;
}
}  // namespace

TEST_CASE("the score sums the three ratings, clamped to 1..10, a missing one counting 5") {
  CHECK(idea_score(idea("a", 7, 8, 3)) == doctest::Approx(18));
  CHECK(idea_score(idea("a", std::nullopt, 8, 3)) == doctest::Approx(16));
  CHECK(idea_score(idea("a", 40, 0, -2)) == doctest::Approx(12));
}

TEST_CASE("ideas found not novel are dropped; the rest ordered by score, ties by name, ranked from 1") {
  std::vector<store::Idea> ideas = {idea("zeta", 5, 5, 5),         idea("alpha", 5, 5, 5),
                                    idea("copied", 10, 10, 10, false), idea("best", 9, 9, 9, true),
                                    idea("unchecked", 6, 6, 6)};
  auto ranked = rank_ideas(ideas, 0);
  CHECK(names(ranked) == std::vector<std::string>{"best", "unchecked", "alpha", "zeta"});
  for (size_t i = 0; i < ranked.size(); ++i) CHECK(ranked[i].rank == static_cast<int>(i) + 1);
}

TEST_CASE("only the top N are kept; the input order does not matter") {
  std::vector<store::Idea> a = {idea("x", 1, 1, 1), idea("y", 9, 9, 9), idea("z", 5, 5, 5)};
  std::vector<store::Idea> b = {a[2], a[0], a[1]};
  CHECK(names(rank_ideas(a, 2)) == std::vector<std::string>{"y", "z"});
  CHECK(names(rank_ideas(b, 2)) == names(rank_ideas(a, 2)));
  CHECK(rank_ideas(a, 10).size() == 3);
  CHECK(rank_ideas({}, 3).empty());
}
