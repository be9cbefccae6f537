#include <doctest/doctest.h>

#include "web/agreement.hpp"

using namespace shoal;
using namespace shoal::web;

TEST_CASE("Pearson and Spearman correlations, with ties and degenerate inputs") {
  CHECK(pearson({1, 2, 3}, {2, 4, 6}).value() == doctest::Approx(1.0));
  CHECK(pearson({1, 2, 3}, {3, 2, 1}).value() == doctest::Approx(-1.0));
  CHECK(pearson({1, 2, 3, 4}, {1, 3, 2, 4}).value() == doctest::Approx(0.8));
  CHECK_FALSE(pearson({1}, {1}));
  CHECK_FALSE(pearson({2, 2, 2}, {1, 2, 3}));  // a constant side has no correlation
  CHECK(spearman({1, 10, 100}, {1, 2, 3}).value() == doctest::Approx(1.0));  // monotone, not linear
  CHECK(spearman({1, 2, 2, 3}, {1, 2, 2, 3}).value() == doctest::Approx(1.0));
}

TEST_CASE("agreement counts scored and decided papers, and kappa corrects for chance") {
  std::vector<store::AgreementRow> rows = {
      {.ai_score = 6, .human_score = 7, .ai_decision = "accept", .human_decision = "accept"},
      {.ai_score = 3, .human_score = 2, .ai_decision = "reject", .human_decision = "reject"},
      {.ai_score = 5, .human_score = 8, .ai_decision = "reject", .human_decision = "accept"},
      {.ai_score = 8, .human_score = std::nullopt, .ai_decision = "accept", .human_decision = "accept"},
  };
  auto s = agreement_stats(rows);
  CHECK(s.papers == 4);
  CHECK(s.scored == 3);
  CHECK(s.mean_abs_diff.value() == doctest::Approx(5.0 / 3));
  CHECK(s.decided == 4);
  CHECK(s.agree == 3);
  CHECK(s.agreement.value() == doctest::Approx(0.75));
  // AI accepts 2 of 4, humans 3 of 4: chance agreement 0.5*0.75 + 0.5*0.25 = 0.5.
  CHECK(s.kappa.value() == doctest::Approx(0.5));
  auto none = agreement_stats({});
  CHECK(none.papers == 0);
  CHECK_FALSE(none.pearson);
  CHECK_FALSE(none.agreement);
}
