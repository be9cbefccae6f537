// The review form (NeurIPS style): summary, strengths, weaknesses, questions, limitations,
// ethical concerns, originality/quality/clarity/significance 1-4, soundness/presentation/
// contribution 1-4, overall 1-10, confidence 1-5, decision. Parsed from a model's JSON with
// every score range-checked, and converted to and from the store's review rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"
#include "paper/checks.hpp"
#include "store/reviews.hpp"

namespace shoal::paper {

// The version of the form the prompts ask for; stored with every review.
inline constexpr const char* kReviewFormVersion = "neurips-2024-v1";
// The reviewer name of the offline agent's automated-check record.
inline constexpr const char* kOfflineChecksReviewer = "offline-checks";

struct ReviewForm {
  std::string summary;
  std::vector<std::string> strengths, weaknesses, questions, limitations;
  bool ethical_concerns = false;
  std::string ethical_notes;
  double originality = 0, quality = 0, clarity = 0, significance = 0;  // 1-4
  double soundness = 0, presentation = 0, contribution = 0;            // 1-4
  double overall = 0;                                                   // 1-10
  double confidence = 0;                                                // 1-5
  std::string decision;                                                 // accept, reject
};

// The form from a model's JSON. Keys are read without regard to case, spaces or underscores
// ("Ethical Concerns", "ethical_concerns"); lists may be given as one string; scores may be
// numbers or numeric strings. invalid_input names every missing key and out-of-range score.
Expected<ReviewForm> parse_review_form(const nlohmann::json& j);

// The form as JSON with the canonical keys the prompts ask for ("Summary", ..., "Decision").
nlohmann::json form_to_json(const ReviewForm& form);

// The JSON keys the prompts ask for, with their ranges, for the prompt text.
std::string form_fields_description();

// A store row for `form` (every score set); scores_json holds the form, `form_version` and
// `model`; text is the prose (summary, strengths, weaknesses, questions, limitations).
store::Review to_store_review(const ReviewForm& form, const std::string& paper_id, const std::string& reviewer_kind,
                              const std::string& reviewer);

// The form back from a stored row (its scores_json); invalid_input for a failed review or a
// row without a complete form.
Expected<ReviewForm> from_store_review(const store::Review& review);

// A failed review: no scores at all, status "failed", the error and the raw reply kept.
store::Review failed_store_review(const std::string& paper_id, const std::string& reviewer, const std::string& error,
                                  const std::string& raw_reply);

// The offline agent's record: the automated checks as a review with no scores and no decision.
store::Review automated_check_review(const std::string& paper_id, const PaperChecks& checks);

// The mean of every score of `forms` (at least one); the text fields are left empty.
ReviewForm mean_scores(const std::vector<ReviewForm>& forms);

}  // namespace shoal::paper
