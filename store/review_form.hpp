// The review form (NeurIPS style) as a review row holds it: the filled-in form, the version
// of the form, and the conversion to a store row. The AI reviewer (paper/review_form.hpp)
// parses it from a model's reply; the web UI parses it from a person's request.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/reviews.hpp"

namespace shoal::store {

// The version of the form the prompts ask for; stored with every review.
inline constexpr const char* kReviewFormVersion = "neurips-2024-v1";

struct ReviewForm {
  std::string summary;
  std::vector<std::string> strengths, weaknesses, questions, limitations;
  bool ethical_concerns = false;
  std::string ethical_notes;
  // The scores, ranges in store/review_scores.hpp.
  double originality = 0, quality = 0, clarity = 0, significance = 0;  // 1-4
  double soundness = 0, presentation = 0, contribution = 0;            // 1-4
  double overall = 0;                                                   // 1-10
  double confidence = 0;                                                // 1-5
  std::string decision;                                                 // accept, reject
};

// The form as JSON with the canonical keys the prompts ask for ("Summary", ..., "Decision").
nlohmann::json form_to_json(const ReviewForm& form);

// A store row for `form` (every score set); scores_json holds the form, `form_version` and
// `model`; text is the prose (summary, strengths, weaknesses, questions, limitations).
Review to_store_review(const ReviewForm& form, const std::string& paper_id, const std::string& reviewer_kind,
                       const std::string& reviewer);

}  // namespace shoal::store
