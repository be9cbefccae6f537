#include <doctest/doctest.h>

#include <string>

#include "experiments/results_digest.hpp"

using namespace shoal::experiments;

namespace {

// An epidemic template's final_info: scalar means with stderrs, and a 100x4 ODE solution.
std::string seir_final_info() {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (int t = 0; t < 100; ++t) rows.push_back({1.0 - t * 0.009, t * 0.001, t * 0.0005, t * 0.008});
  nlohmann::ordered_json j;
  j["seir"]["means"] = {{"infected_peak", 0.3125}, {"final_size", 0.871}};
  j["seir"]["stderrs"] = {{"infected_peak", 0.004}};
  j["seir"]["solution"] = rows;
  j["seir"]["beta"] = 0.3;
  return j.dump();
}

}  // namespace

TEST_CASE("the digest keeps scalars with their stderrs and summarises arrays") {
  std::string raw = seir_final_info();
  std::string d = results_digest(raw);
  CHECK(d.find("seir:") == 0);
  CHECK(d.find("infected_peak = 0.3125 ± 0.004") != std::string::npos);
  CHECK(d.find("final_size = 0.871") != std::string::npos);
  CHECK(d.find("solution: array 100x4, min 0, max 1, last 0.792") != std::string::npos);
  CHECK(d.find("beta: 0.3") != std::string::npos);
  CHECK(d.size() * 20 < raw.size());  // 400 numbers become one line
}

TEST_CASE("the digest keeps to its budget and counts the conditions it left out") {
  nlohmann::ordered_json j;
  for (int i = 0; i < 50; ++i) j["condition_" + std::to_string(i)]["means"] = {{"acc", 0.5 + i * 0.01}, {"loss", 1.0}};
  std::string d = results_digest(j.dump(), 300);
  CHECK(d.size() <= 360);
  CHECK(d.find("condition_0:") != std::string::npos);
  CHECK(d.find("more condition(s) not shown for length") != std::string::npos);
  // Text that is not JSON is clipped as it is.
  CHECK(results_digest(std::string(5000, 'x'), 100).size() < 120);
}

TEST_CASE("digest numbers: every scalar, and only the summary of an array") {
  auto numbers = digest_numbers(nlohmann::json::parse(seir_final_info()));
  CHECK(numbers.at("/seir/means/infected_peak") == doctest::Approx(0.3125));
  CHECK(numbers.at("/seir/stderrs/infected_peak") == doctest::Approx(0.004));
  CHECK(numbers.at("/seir/solution[min]") == doctest::Approx(0.0));
  CHECK(numbers.at("/seir/solution[max]") == doctest::Approx(1.0));
  CHECK(numbers.at("/seir/solution[last]") == doctest::Approx(0.792));
  CHECK(numbers.size() == 7);  // 2 means, 1 stderr, beta, 3 for the array
  // A short flat array is kept whole.
  auto small = digest_numbers(nlohmann::json::parse(R"({"c": {"lr": [0.1, 0.01]}})"));
  CHECK(small.at("/c/lr/1") == doctest::Approx(0.01));
}

TEST_CASE("a metric at its bound is 'not reached' in the digest") {
  std::string text = R"({"x_plus_y": {"means": {"step_to_99_val": 1200, "val_acc": 0.41}, "stderrs": {"step_to_99_val": 0}},
                         "x_minus_y": {"means": {"step_to_99_val": 640}}})";
  std::string d = results_digest(text, 1500, MetricBound{"step_to_99_val", 1200});
  CHECK(d.find("step_to_99_val = not reached within 1200; val_acc = 0.41") != std::string::npos);
  CHECK(d.find("step_to_99_val = 640") != std::string::npos);
  CHECK(results_digest(text).find("step_to_99_val = 1200 ± 0") != std::string::npos);  // no bound declared
}
