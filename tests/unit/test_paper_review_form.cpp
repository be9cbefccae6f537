#include <doctest/doctest.h>

#include "paper/review_form.hpp"
#include "store/ideas.hpp"
#include "store/papers.hpp"
#include "store/runs.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::paper;
using nlohmann::json;

namespace {

json good_form() {
  return json::parse(R"({"Summary": "A study of weight decay.", "Strengths": ["clear"], "Weaknesses": ["small"],
    "Originality": 2, "Quality": 3, "Clarity": 3, "Significance": 2, "Questions": ["why?"], "Limitations": ["one task"],
    "Ethical Concerns": false, "Soundness": 3, "Presentation": 3, "Contribution": 2, "Overall": 5, "Confidence": 4,
    "Decision": "Reject"})");
}

}  // namespace

TEST_CASE("a complete form parses, whatever the key spelling") {
  auto f = parse_review_form(good_form()).value();
  CHECK(f.summary == "A study of weight decay.");
  CHECK(f.overall == 5);
  CHECK(f.confidence == 4);
  CHECK(f.decision == "reject");
  CHECK(f.weaknesses == std::vector<std::string>{"small"});

  json snake = {{"summary", "s"}, {"strengths", "one string"}, {"weaknesses", json::array()}, {"questions", json::array()},
                {"limitations", json::array()}, {"ethical_concerns", "No concerns."}, {"originality", "3"},
                {"quality", 3}, {"clarity", 3}, {"significance", 3}, {"soundness", 3}, {"presentation", 3},
                {"contribution", 3}, {"overall", 7}, {"confidence", 3}, {"decision", "accept"}};
  auto g = parse_review_form(snake).value();
  CHECK(g.strengths == std::vector<std::string>{"one string"});
  CHECK(g.originality == 3);
  CHECK_FALSE(g.ethical_concerns);
  CHECK(g.ethical_notes == "No concerns.");
  CHECK(g.decision == "accept");
}

TEST_CASE("scores out of range, missing keys and bad decisions are named") {
  auto j = good_form();
  j["Overall"] = 11;
  j["Clarity"] = 0;
  j.erase("Confidence");
  j["Decision"] = "Maybe";
  auto r = parse_review_form(j);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::invalid_input);
  CHECK(r.error().message.find("\"Overall\" must be between 1 and 10, not 11") != std::string::npos);
  CHECK(r.error().message.find("\"Clarity\" must be between 1 and 4, not 0") != std::string::npos);
  CHECK(r.error().message.find("missing \"Confidence\"") != std::string::npos);
  CHECK(r.error().message.find("\"Decision\" must be") != std::string::npos);
  CHECK_FALSE(parse_review_form(json::array()).ok());
  CHECK_FALSE(parse_review_form(json{{"Summary", ""}}).ok());
}

TEST_CASE("a form round-trips through a stored review; failed and automated reviews hold no scores") {
  test::TempDir dir;
  auto st = store::Store::open(dir / "shoal.db", store::OpenMode::create).value();
  auto run = store::create_run(st, {.template_name = "t", .model = "m"}).value();
  auto idea = store::add_idea(st, {.run_id = run.id, .name = "i"}).value();
  auto paper = store::add_paper(st, {.idea_id = idea.id, .status = "compiled"}).value();

  auto form = parse_review_form(good_form()).value();
  auto stored = store::add_review(st, to_store_review(form, paper.id, "ai", "openai:gpt-4o")).value();
  auto back = store::get_review(st, stored.id).value();
  CHECK(back.overall == 5);
  CHECK(back.soundness == 3);
  CHECK(back.decision == "reject");
  CHECK(back.status == "done");
  CHECK(json::parse(back.scores_json)["form_version"] == kReviewFormVersion);
  CHECK(back.text.find("Weaknesses:\n- small") != std::string::npos);
  auto again = from_store_review(back).value();
  CHECK(again.overall == form.overall);
  CHECK(again.questions == form.questions);

  auto failed = store::add_review(st, failed_store_review(paper.id, "openai:gpt-4o", "no JSON, twice", "I liked it")).value();
  auto f = store::get_review(st, failed.id).value();
  CHECK(f.status == "failed");
  CHECK(f.error == "no JSON, twice");
  CHECK_FALSE(f.overall.has_value());
  CHECK_FALSE(f.confidence.has_value());
  CHECK(f.decision.empty());
  CHECK_FALSE(from_store_review(f).ok());

  PaperChecks checks;
  checks.compiles = true;
  checks.pages = 3;
  checks.claims_checked = 4;
  checks.cited = {"a", "b"};
  checks.unresolved_citations = {"b"};
  auto offline = store::add_review(st, automated_check_review(paper.id, checks)).value();
  auto o = store::get_review(st, offline.id).value();
  CHECK(o.reviewer == kOfflineChecksReviewer);
  CHECK_FALSE(o.overall.has_value());
  CHECK_FALSE(o.originality.has_value());
  CHECK(o.decision.empty());
  CHECK(o.text.find("claims verified against measured results: 4 of 4") != std::string::npos);
  CHECK(o.text.find("citations resolved: 1 of 2") != std::string::npos);
  CHECK(json::parse(o.scores_json)["checks"]["passed"] == false);
}

TEST_CASE("mean scores average every score") {
  auto a = parse_review_form(good_form()).value();
  auto b = a;
  b.overall = 8;
  b.clarity = 4;
  auto m = mean_scores({a, b});
  CHECK(m.overall == doctest::Approx(6.5));
  CHECK(m.clarity == doctest::Approx(3.5));
  CHECK(m.confidence == 4);
  CHECK(form_fields_description().find("\"Overall\": 1-10") != std::string::npos);
}
