#include <doctest/doctest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "experiments/final_info.hpp"

using namespace shoal;
using namespace shoal::experiments;

TEST_CASE("a well-formed final_info.json parses, stderrs optional, nulls skipped") {
  auto info = parse_final_info(R"({"x_plus_y": {"means": {"val_acc": 0.9, "steps": 1200, "skipped": null},
                                                "stderrs": {"val_acc": 0.01}},
                                   "x_div_y": {"means": {"val_acc": 0.7}}})")
                  .value();
  REQUIRE(info.size() == 2);
  CHECK(info["x_plus_y"].means.at("val_acc") == doctest::Approx(0.9));
  CHECK(info["x_plus_y"].means.count("skipped") == 0);
  CHECK(info["x_plus_y"].stderrs.at("val_acc") == doctest::Approx(0.01));
  CHECK(info["x_div_y"].stderrs.empty());
  CHECK(headline_metric(info, "val_acc", std::nullopt).value() == doctest::Approx(0.8));
  CHECK(headline_metric(info, "val_acc", std::string("x_div_y")).value() == doctest::Approx(0.7));
  CHECK(headline_metric(info, "steps", std::nullopt).value() == doctest::Approx(1200));
  CHECK(headline_metric(info, "loss", std::nullopt).error().kind == ErrorKind::not_found);
  CHECK(headline_metric(info, "val_acc", std::string("nope")).error().kind == ErrorKind::not_found);
}

TEST_CASE("shape errors name the JSON path") {
  auto e = parse_final_info(R"({"moons": {"means": {"kl": "low"}}})");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("moons.means.kl must be a number, got string") != std::string::npos);
  CHECK(parse_final_info(R"({"moons": {"mean": {}}})").error().message.find("\"means\"") != std::string::npos);
  CHECK_FALSE(parse_final_info("[]").ok());
  CHECK_FALSE(parse_final_info("{}").ok());
}

TEST_CASE("invalid JSON is located by line and column") {
  auto e = parse_final_info("{\n  \"a\": {\"means\": {\"x\": 1,}}\n}");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("line 2, column") != std::string::npos);
  CHECK(line_and_column("ab\ncd", 4) == "line 2, column 2");
}

TEST_CASE("the first metric of a template without template.json is the first one final_info lists") {
  // File order, not alphabetical: "peak" comes before "area" in the file.
  CHECK(first_metric(R"({"seir": {"means": {"peak": 0.3, "area": 12}}, "sir": {"means": {"x": 1}}})").value() == "peak");
  // A condition without numbers is passed over.
  CHECK(first_metric(R"({"a": {"means": {"note": "n/a"}}, "b": {"means": {"loss": 2}}})").value() == "loss");
  CHECK(first_metric(R"({"a": {"means": {}}})").error().kind == ErrorKind::not_found);
  CHECK_FALSE(first_metric("not json").ok());
}

TEST_CASE("a metric setting names the metric and, optionally, its direction") {
  auto m = parse_metric_setting("infected_peak:min").value();
  CHECK(m.name == "infected_peak");
  CHECK(m.higher_is_better == false);
  CHECK(parse_metric_setting("val_acc:max").value().higher_is_better == true);
  CHECK_FALSE(parse_metric_setting("val_acc").value().higher_is_better.has_value());
  auto bad = parse_metric_setting("val_acc:up");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::invalid_input);
  CHECK(bad.error().message.find("max") != std::string::npos);
  CHECK_FALSE(parse_metric_setting("").ok());
  CHECK_FALSE(parse_metric_setting(":min").ok());
}

TEST_CASE("a direction guessed from the name: losses and peaks down, accuracies up") {
  CHECK_FALSE(guess_higher_is_better("val_loss"));
  CHECK_FALSE(guess_higher_is_better("infected_peak"));
  CHECK_FALSE(guess_higher_is_better("test_error"));
  CHECK(guess_higher_is_better("val_acc"));
  CHECK(guess_higher_is_better("reward"));
}

TEST_CASE("seed runs are averaged per condition and metric, with the standard error across seeds") {
  auto text = aggregate_seeds({R"({"a": {"means": {"acc": 0.8, "loss": 1.0}, "stderrs": {"acc": 0.5}}, "b": {"means": {"acc": 0.6}}})",
                               R"({"a": {"means": {"acc": 0.9, "loss": 3.0}}, "b": {"means": {"acc": 0.6}}})",
                               "not json",
                               R"({"a": {"means": {"acc": 1.0, "loss": 2.0}}})"})
                  .value();
  auto info = parse_final_info(text).value();
  CHECK(info["a"].means.at("acc") == doctest::Approx(0.9));
  // sample sd of (0.8, 0.9, 1.0) is 0.1; over sqrt(3) seeds
  CHECK(info["a"].stderrs.at("acc") == doctest::Approx(0.1 / std::sqrt(3.0)));
  CHECK(info["a"].means.at("loss") == doctest::Approx(2.0));
  CHECK(info["b"].means.at("acc") == doctest::Approx(0.6));
  CHECK(info["b"].stderrs.at("acc") == doctest::Approx(0.0));
  auto raw = nlohmann::json::parse(text);
  CHECK(raw["a"]["seeds"] == 3);
  CHECK(raw["b"]["seeds"] == 2);
  CHECK(raw.begin().key() == "a");  // the first run's order
  CHECK(aggregate_seeds({"x", ""}).error().kind == ErrorKind::invalid_input);
}

TEST_CASE("a run is comparable with the baseline only over the baseline's conditions and metrics") {
  const char* base = R"({"easy": {"means": {"acc": 0.9, "loss": 0.1}}, "hard": {"means": {"acc": 0.4, "loss": 2.0}}})";
  CHECK(incomparable_reason(base, R"({"easy": {"means": {"acc": 0.95, "loss": 0.1, "extra": 1}},
                                      "hard": {"means": {"acc": 0.5, "loss": 1.9}}})") == "");
  CHECK(incomparable_reason(base, R"({"easy": {"means": {"acc": 0.95, "loss": 0.1}}})") == "drops condition hard");
  CHECK(incomparable_reason(base, R"({"easy": {"means": {"acc": 0.95}}, "hard": {"means": {"acc": 0.5, "loss": 1}},
                                      "trivial": {"means": {"acc": 1.0}}})") ==
        "drops metric easy.loss, adds condition trivial");
  CHECK(incomparable_reason(base, "not json") == "");
}
