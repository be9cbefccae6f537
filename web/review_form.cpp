#include "web/review_form.hpp"

#include <nlohmann/json.hpp>

#include "store/review_scores.hpp"
#include "web/diff.hpp"

namespace shoal::web {
namespace {

using nlohmann::json;

// The list fields: one point per non-blank line of a text, or a list of strings.
struct ListField {
  const char* key;
  std::vector<std::string> store::ReviewForm::*member;
};

const ListField kLists[] = {{"strengths", &store::ReviewForm::strengths},
                            {"weaknesses", &store::ReviewForm::weaknesses},
                            {"questions", &store::ReviewForm::questions},
                            {"limitations", &store::ReviewForm::limitations}};

constexpr size_t kMaxText = 20000;

Error bad(const std::string& key, const std::string& what) { return fail(ErrorKind::invalid_input, key + ": " + what); }

// The points of a list field; nullopt when the value is neither text nor a list of texts.
std::optional<std::vector<std::string>> points(const json& value) {
  std::vector<std::string> out;
  if (value.is_string()) {
    for (auto& line : split_lines(value.get<std::string>()))
      if (line.find_first_not_of(" \t\r") != std::string::npos) out.push_back(line);
    return out;
  }
  if (!value.is_array()) return std::nullopt;
  for (const auto& item : value) {
    if (!item.is_string()) return std::nullopt;
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

Expected<HumanReview> parse_human_review(std::string_view body) {
  auto doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return fail(ErrorKind::invalid_input, "the review must be a JSON object");
  if (body.size() > 8 * kMaxText) return bad("review", "too long");
  HumanReview r;
  auto name = doc.find("reviewer");
  if (name == doc.end() || !name->is_string() || name->get<std::string>().empty() ||
      name->get<std::string>().size() > 100)
    return bad("reviewer", "give your name (1-100 characters)");
  r.reviewer = name->get<std::string>();
  if (auto it = doc.find("summary"); it != doc.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().size() > kMaxText)
      return bad("summary", "must be text of at most " + std::to_string(kMaxText) + " characters");
    r.form.summary = it->get<std::string>();
  }
  for (const auto& l : kLists) {
    auto it = doc.find(l.key);
    if (it == doc.end() || it->is_null()) continue;
    auto list = points(*it);
    if (!list || it->dump().size() > kMaxText)
      return bad(l.key, "must be text (one point per line) or a list of texts, at most " + std::to_string(kMaxText) +
                            " characters");
    r.form.*l.member = *list;
  }
  for (const auto& s : store::review_scores()) {
    const std::string key(s.name);
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_number_integer() || it->get<int64_t>() < s.min || it->get<int64_t>() > s.max)
      return bad(key, "must be a whole number from " + std::to_string(s.min) + " to " + std::to_string(s.max));
    r.form.*(s.field) = static_cast<double>(it->get<int64_t>());
  }
  if (auto it = doc.find("ethical_concerns"); it != doc.end()) {
    if (!it->is_boolean()) return bad("ethical_concerns", "must be true or false");
    r.form.ethical_concerns = it->get<bool>();
  }
  auto decision = doc.find("decision");
  if (decision == doc.end() || !decision->is_string() ||
      (decision->get<std::string>() != "accept" && decision->get<std::string>() != "reject"))
    return bad("decision", "must be accept or reject");
  r.form.decision = decision->get<std::string>();
  return r;
}

store::Review to_store_review(const HumanReview& review, const std::string& paper_id) {
  return store::to_store_review(review.form, paper_id, "human", review.reviewer);
}

}  // namespace shoal::web
