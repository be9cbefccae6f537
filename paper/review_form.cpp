#include "paper/review_form.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "store/review_scores.hpp"

namespace shoal::paper {
namespace {

using nlohmann::json;

// "Ethical Concerns" -> "ethicalconcerns".
std::string key_form(const std::string& key) {
  std::string out;
  for (char c : key)
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const json* find_key(const json& j, const std::string& wanted) {
  for (auto it = j.begin(); it != j.end(); ++it)
    if (key_form(it.key()) == wanted) return &it.value();
  return nullptr;
}

std::vector<std::string> as_list(const json& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& item : v)
      if (item.is_string()) out.push_back(item.get<std::string>());
      else out.push_back(item.dump());
  } else if (v.is_string() && !v.get<std::string>().empty()) {
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

Expected<ReviewForm> parse_review_form(const json& j) {
  if (!j.is_object()) return fail(ErrorKind::invalid_input, "the review is " + std::string(j.type_name()) + ", not a JSON object");
  ReviewForm f;
  std::vector<std::string> problems;
  if (const json* v = find_key(j, "summary"); v && v->is_string() && !v->get<std::string>().empty())
    f.summary = v->get<std::string>();
  else
    problems.push_back("\"Summary\" must be a non-empty string");
  struct ListField {
    const char* key;
    std::vector<std::string> ReviewForm::*member;
  };
  for (const ListField& lf : {ListField{"Strengths", &ReviewForm::strengths}, ListField{"Weaknesses", &ReviewForm::weaknesses},
                              ListField{"Questions", &ReviewForm::questions},
                              ListField{"Limitations", &ReviewForm::limitations}}) {
    const json* v = find_key(j, key_form(lf.key));
    if (!v) problems.push_back(std::string("missing \"") + lf.key + "\"");
    else f.*(lf.member) = as_list(*v);
  }
  if (const json* v = find_key(j, "ethicalconcerns")) {
    if (v->is_boolean()) f.ethical_concerns = v->get<bool>();
    else if (v->is_string()) {
      f.ethical_notes = v->get<std::string>();
      std::string low = key_form(f.ethical_notes);
      f.ethical_concerns = !(low.empty() || low.rfind("no", 0) == 0 || low == "false");
    } else problems.push_back("\"Ethical Concerns\" must be true/false or a string");
  }
  for (const auto& score : store::review_scores()) {
    const std::string label(score.label);
    const json* v = find_key(j, key_form(label));
    double value = 0;
    if (!v) {
      problems.push_back("missing \"" + label + "\"");
      continue;
    }
    if (v->is_number()) value = v->get<double>();
    else if (v->is_string()) {
      const std::string& s = v->get_ref<const std::string&>();
      char* end = nullptr;
      value = std::strtod(s.c_str(), &end);
      if (end == s.c_str()) {
        problems.push_back("\"" + label + "\" must be a number, not \"" + s + "\"");
        continue;
      }
    } else {
      problems.push_back("\"" + label + "\" must be a number");
      continue;
    }
    if (!std::isfinite(value) || value < score.min || value > score.max) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "\"%s\" must be between %d and %d, not %g", label.c_str(), score.min, score.max,
                    value);
      problems.push_back(buf);
      continue;
    }
    f.*(score.field) = value;
  }
  if (const json* v = find_key(j, "decision"); v && v->is_string()) {
    std::string d = key_form(v->get<std::string>());
    if (d.rfind("accept", 0) == 0) f.decision = "accept";
    else if (d.rfind("reject", 0) == 0) f.decision = "reject";
    else problems.push_back("\"Decision\" must be \"Accept\" or \"Reject\", not \"" + v->get<std::string>() + "\"");
  } else {
    problems.push_back("\"Decision\" must be \"Accept\" or \"Reject\"");
  }
  if (!problems.empty()) {
    std::string msg = "the review form is incomplete or out of range: ";
    for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    return fail(ErrorKind::invalid_input, msg);
  }
  return f;
}

std::string form_fields_description() {
  std::string out =
      "\"Summary\": string, \"Strengths\": [strings], \"Weaknesses\": [strings], \"Questions\": [strings], "
      "\"Limitations\": [strings], \"Ethical Concerns\": true or false";
  for (const auto& score : store::review_scores()) {
    char buf[96];
    std::snprintf(buf, sizeof buf, ", \"%s\": %d-%d", std::string(score.label).c_str(), score.min, score.max);
    out += buf;
  }
  return out + ", \"Decision\": \"Accept\" or \"Reject\"";
}

Expected<ReviewForm> from_store_review(const store::Review& review) {
  if (review.status == "failed") return fail(ErrorKind::invalid_input, "review " + std::to_string(review.id) + " failed: " + review.error);
  auto j = json::parse(review.scores_json, nullptr, false);
  if (j.is_discarded() || !j.contains("form"))
    return fail(ErrorKind::invalid_input, "review " + std::to_string(review.id) + " holds no review form");
  return parse_review_form(j["form"]);
}

store::Review failed_store_review(const std::string& paper_id, const std::string& reviewer, const std::string& error,
                                  const std::string& raw_reply) {
  store::Review r;
  r.paper_id = paper_id;
  r.reviewer_kind = "ai";
  r.reviewer = reviewer;
  r.status = "failed";
  r.error = error;
  r.scores_json = json{{"form_version", kReviewFormVersion}, {"model", reviewer}, {"reply", raw_reply}}.dump();
  r.text = "The review failed: " + error;
  return r;
}

store::Review automated_check_review(const std::string& paper_id, const PaperChecks& checks) {
  store::Review r;
  r.paper_id = paper_id;
  r.reviewer_kind = "ai";
  r.reviewer = kOfflineChecksReviewer;
  r.scores_json = json{{"form_version", "automated-checks-v1"}, {"checks", checks.to_json()}}.dump();
  r.text = "Automated checks (the offline agent records these instead of an LLM review; it gives no scores):\n" +
           checks.describe();
  r.status = "done";
  return r;
}

ReviewForm mean_scores(const std::vector<ReviewForm>& forms) {
  ReviewForm mean;
  if (forms.empty()) return mean;
  for (const auto& score : store::review_scores()) {
    double sum = 0;
    for (const auto& f : forms) sum += f.*(score.field);
    mean.*(score.field) = sum / static_cast<double>(forms.size());
  }
  return mean;
}

}  // namespace shoal::paper
