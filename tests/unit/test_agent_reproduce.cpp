#include <doctest/doctest.h>

#include "agent/reproduce.hpp"

using namespace shoal;
using namespace shoal::agent;

TEST_CASE("metric_matches: within the stored standard error, else to 1e-9 relative") {
  double tol = 0;
  CHECK(metric_matches(1.0, 1.0, std::nullopt));
  CHECK(metric_matches(1.0, 1.0 + 1e-12, std::nullopt));
  CHECK_FALSE(metric_matches(1.0, 1.0 + 1e-6, std::nullopt, &tol));
  CHECK(tol == doctest::Approx(1e-9));
  CHECK(metric_matches(0.0, 0.0, 0.0));
  CHECK_FALSE(metric_matches(0.0, 1e-3, std::nullopt));
  CHECK(metric_matches(0.80, 0.83, 0.05, &tol));
  CHECK(tol == doctest::Approx(0.05));
  CHECK_FALSE(metric_matches(0.80, 0.86, 0.05));
  CHECK_FALSE(metric_matches(0.80, 0.81, 0.0));  // a zero standard error asks for the same number
}

TEST_CASE("compare_final_info: every mean of every condition, with its stored standard error") {
  std::string stored = R"({"a": {"means": {"acc": 0.9, "loss": 0.2}, "stderrs": {"acc": 0.01}},
                           "b": {"means": {"acc": 0.5}}})";
  std::string measured = R"({"a": {"means": {"acc": 0.905, "loss": 0.2}}, "b": {"means": {"acc": 0.6}}})";
  auto checks = compare_final_info(stored, measured);
  REQUIRE(checks.size() == 3);
  CHECK(checks[0].condition == "a");
  CHECK(checks[0].metric == "acc");
  CHECK(checks[0].match);  // 0.005 within the stored 0.01
  REQUIRE(checks[0].stderr_.has_value());
  CHECK(checks[1].metric == "loss");
  CHECK(checks[1].match);
  CHECK_FALSE(checks[1].stderr_.has_value());
  CHECK(checks[2].condition == "b");
  CHECK_FALSE(checks[2].match);
  CHECK(*checks[2].measured == doctest::Approx(0.6));
}

TEST_CASE("compare_final_info: a metric the re-run did not report, or no re-run output, never matches") {
  std::string stored = R"({"a": {"means": {"acc": 0.9, "loss": 0.2}}})";
  auto partial = compare_final_info(stored, R"({"a": {"means": {"acc": 0.9}}})");
  REQUIRE(partial.size() == 2);
  CHECK(partial[0].match);
  CHECK_FALSE(partial[1].match);
  CHECK_FALSE(partial[1].measured.has_value());
  auto none = compare_final_info(stored, "");
  REQUIRE(none.size() == 2);
  CHECK_FALSE(none[0].match);
  CHECK_FALSE(none[1].match);
}
