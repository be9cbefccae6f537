#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "web/review_form.hpp"

using namespace shoal;
using namespace shoal::web;
using nlohmann::json;

namespace {

json valid() {
  return {{"reviewer", "Grace"}, {"summary", "Good."}, {"weaknesses", "Small.\n\n  \nOne template."},
          {"originality", 3},    {"quality", 2},       {"clarity", 4},          {"significance", 1},
          {"soundness", 3},      {"presentation", 2},  {"contribution", 3},     {"overall", 7},
          {"confidence", 5},     {"ethical_concerns", false}, {"decision", "accept"}};
}

std::string error_of(const json& form) { return parse_human_review(form.dump()).error().message; }

}  // namespace

TEST_CASE("a valid form becomes a human review stored like an AI review of the same form") {
  auto review = parse_human_review(valid().dump()).value();
  CHECK(review.form.weaknesses == std::vector<std::string>{"Small.", "One template."});  // blank lines dropped
  auto r = to_store_review(review, "paper-1");
  CHECK(r.paper_id == "paper-1");
  CHECK(r.reviewer_kind == "human");
  CHECK(r.reviewer == "Grace");
  CHECK(r.overall == 7.0);
  CHECK(r.significance == 1.0);
  CHECK(r.confidence == 5.0);
  CHECK(r.decision == "accept");
  auto stored = json::parse(r.scores_json);
  CHECK(stored["form"]["Overall"] == 7.0);
  CHECK(stored["form"]["Decision"] == "Accept");
  CHECK(stored["form"]["Summary"] == "Good.");
  CHECK(r.text.find("Good.") == 0);
  CHECK(r.text.find("One template.") != std::string::npos);
  auto listed = valid();
  listed["strengths"] = json::array({"clear", "honest"});
  CHECK(parse_human_review(listed.dump()).value().form.strengths.size() == 2);
}

TEST_CASE("the first bad field is named: missing, wrong type, out of range") {
  auto f = valid();
  f.erase("overall");
  CHECK(error_of(f).rfind("overall", 0) == 0);
  f = valid();
  f["overall"] = 11;
  CHECK(error_of(f).rfind("overall", 0) == 0);
  f = valid();
  f["clarity"] = 2.5;
  CHECK(error_of(f).rfind("clarity", 0) == 0);
  f = valid();
  f["decision"] = "maybe";
  CHECK(error_of(f).rfind("decision", 0) == 0);
  f = valid();
  f["reviewer"] = "";
  CHECK(error_of(f).rfind("reviewer", 0) == 0);
  f = valid();
  f["summary"] = 5;
  CHECK(error_of(f).rfind("summary", 0) == 0);
  f = valid();
  f["strengths"] = json::array({1, 2});
  CHECK(error_of(f).rfind("strengths", 0) == 0);
  f = valid();
  f["summary"] = std::string(20001, 'x');
  CHECK(error_of(f).rfind("summary", 0) == 0);
  f = valid();
  f["ethical_concerns"] = "no";
  CHECK(error_of(f).rfind("ethical_concerns", 0) == 0);
  CHECK(parse_human_review("[1, 2]").error().kind == ErrorKind::invalid_input);
  CHECK(parse_human_review("{not json").error().kind == ErrorKind::invalid_input);
}
