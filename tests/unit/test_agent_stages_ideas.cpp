#include <doctest/doctest.h>

#include "agent/stages/ideas.hpp"

using namespace shoal;
using namespace shoal::agent;
using nlohmann::json;

TEST_CASE("a model's idea JSON becomes an idea: identifier name, clamped scores, the JSON kept") {
  json j = {{"Name", "Weight Decay & Grokking!"}, {"Title", "WD"}, {"Experiment", "e"}, {"Interestingness", 12},
            {"Feasibility", "7"}, {"Novelty", 0}, {"Idea", "the hypothesis"}};
  auto idea = idea_from_json(j, "run-1");
  CHECK(idea.run_id == "run-1");
  CHECK(idea.name == "weight_decay_grokking");
  CHECK(idea.title == "WD");
  CHECK(idea.interestingness == doctest::Approx(10));
  CHECK(idea.feasibility == doctest::Approx(7));
  CHECK(idea.novelty == doctest::Approx(1));
  auto stored = json::parse(idea.idea_json);
  CHECK(stored["Name"] == "weight_decay_grokking");
  CHECK(stored["Hypothesis"] == "the hypothesis");
  CHECK(stored["Experiment"] == "e");
}

TEST_CASE("lower-case keys are read; a missing name comes from the title; long names are cut") {
  auto idea = idea_from_json({{"title", "A Study of Things"}, {"interestingness", 4}}, "r");
  CHECK(idea.name == "a_study_of_things");
  CHECK(idea.interestingness == doctest::Approx(4));
  CHECK_FALSE(idea.feasibility.has_value());
  CHECK(idea_from_json({{"Name", std::string(100, 'a')}}, "r").name.size() == 48);
  auto empty = idea_from_json(json::object(), "r");
  CHECK(empty.name == "idea");
  CHECK(empty.title == "idea");
}
