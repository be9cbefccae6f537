#include <doctest/doctest.h>

#include <string>
#include <tuple>
#include <vector>

#include "store/catalog.hpp"
#include "store/review_form.hpp"
#include "store/review_scores.hpp"

using namespace shoal;
using namespace shoal::store;
using nlohmann::json;

TEST_CASE("the score table: the form's scores in its order, with the NeurIPS ranges") {
  std::vector<std::string> names, labels;
  for (const auto& s : review_scores()) {
    names.emplace_back(s.name);
    labels.emplace_back(s.label);
    CHECK(s.min == 1);
  }
  CHECK(names == std::vector<std::string>{"originality", "quality", "clarity", "significance", "soundness",
                                          "presentation", "contribution", "overall", "confidence"});
  CHECK(labels == std::vector<std::string>{"Originality", "Quality", "Clarity", "Significance", "Soundness",
                                           "Presentation", "Contribution", "Overall", "Confidence"});
  REQUIRE(find_review_score("overall") != nullptr);
  CHECK(find_review_score("overall")->max == 10);
  CHECK(find_review_score("confidence")->max == 5);
  CHECK(find_review_score("clarity")->max == 4);
  CHECK(find_review_score("Overall") == nullptr);
  CHECK(find_review_score("score") == nullptr);
}

TEST_CASE("the catalog's score names: the aggregates, then each score's AI mean (overall's is ai_overall)") {
  CHECK(score_names() == std::vector<std::string>{"score", "ai_overall", "meta_overall", "human_overall", "originality",
                                                  "quality", "clarity", "significance", "soundness", "presentation",
                                                  "contribution", "confidence"});
  PaperScores s{.score = 6, .ai_overall = 5, .meta_overall = 7, .human_overall = 8, .clarity = 3, .confidence = 4};
  CHECK(score_value(s, "ai_overall") == 5.0);
  CHECK(score_value(s, "human_overall") == 8.0);
  CHECK(score_value(s, "clarity") == 3.0);
  CHECK(score_value(s, "confidence") == 4.0);
  CHECK_FALSE(score_value(s, "quality"));
  CHECK_FALSE(score_value(s, "overall"));  // a paper has no plain overall: ask for ai_overall, meta_overall, ...
  CHECK_FALSE(score_value(s, "nonsense"));
}

TEST_CASE("the table for the pages: name, label and range of each score, and the paper score names") {
  auto j = review_scores_json();
  REQUIRE(j["scores"].size() == review_scores().size());
  CHECK(j["scores"][7] == json{{"name", "overall"}, {"label", "Overall"}, {"min", 1}, {"max", 10}});
  CHECK(j["paper_scores"] == json(score_names()));
}

TEST_CASE("a form becomes a review row: each score in its column, the form under its labels, the prose as text") {
  ReviewForm f;
  f.summary = "Sound.";
  f.weaknesses = {"small"};
  double value = 0;
  for (const auto& s : review_scores()) f.*(s.field) = ++value;  // 1, 2, ...: each score its own value
  f.decision = "reject";
  auto r = to_store_review(f, "paper-1", "meta", "openai:gpt-4o");
  CHECK(std::tie(r.paper_id, r.reviewer_kind, r.reviewer, r.decision, r.status) ==
        std::tie("paper-1", "meta", "openai:gpt-4o", "reject", "done"));
  auto stored = json::parse(r.scores_json);
  for (const auto& s : review_scores()) {  // each score lands in its own column and under its own label
    CAPTURE(s.name);
    CHECK(r.*(s.column) == f.*(s.field));
    CHECK(stored["form"][std::string(s.label)] == f.*(s.field));
  }
  CHECK(r.originality == 1.0);
  CHECK(r.overall == 8.0);
  CHECK(stored["form"]["Confidence"] == 9.0);
  CHECK(stored["form_version"] == kReviewFormVersion);
  CHECK(stored["model"] == "openai:gpt-4o");
  CHECK(stored["form"]["Decision"] == "Reject");
  CHECK(r.text == "Sound.\n\nWeaknesses:\n- small\n");
}
