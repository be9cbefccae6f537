#include "store/review_form.hpp"

#include "store/review_scores.hpp"

namespace shoal::store {
namespace {

// A titled list of points ("Strengths:\n- a\n- b\n"), "" when there are none.
std::string bullets(const std::string& title, const std::vector<std::string>& items) {
  if (items.empty()) return "";
  std::string out = title + ":\n";
  for (const auto& i : items) out += "- " + i + "\n";
  return out;
}

// "accept" -> "Accept", as the form's Decision is written.
std::string decision_label(const std::string& decision) {
  if (decision == "accept") return "Accept";
  if (decision == "reject") return "Reject";
  return "";
}

}  // namespace

nlohmann::json form_to_json(const ReviewForm& f) {
  nlohmann::json j = {{"Summary", f.summary},         {"Strengths", f.strengths},
                      {"Weaknesses", f.weaknesses},   {"Questions", f.questions},
                      {"Limitations", f.limitations}, {"Ethical Concerns", f.ethical_concerns},
                      {"Decision", decision_label(f.decision)}};
  if (!f.ethical_notes.empty()) j["Ethical Notes"] = f.ethical_notes;
  for (const auto& s : review_scores()) j[std::string(s.label)] = f.*(s.field);
  return j;
}

Review to_store_review(const ReviewForm& f, const std::string& paper_id, const std::string& reviewer_kind,
                       const std::string& reviewer) {
  Review r;
  r.paper_id = paper_id;
  r.reviewer_kind = reviewer_kind;
  r.reviewer = reviewer;
  r.decision = f.decision;
  for (const auto& s : review_scores()) r.*(s.column) = f.*(s.field);
  r.scores_json =
      nlohmann::json{{"form_version", kReviewFormVersion}, {"model", reviewer}, {"form", form_to_json(f)}}.dump();
  r.text = f.summary + "\n\n" + bullets("Strengths", f.strengths) + bullets("Weaknesses", f.weaknesses) +
           bullets("Questions", f.questions) + bullets("Limitations", f.limitations);
  r.status = "done";
  return r;
}

}  // namespace shoal::store
