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
#include "store/review_form.hpp"
#include "store/reviews.hpp"

namespace shoal::paper {

// The form itself and its store row live in the store (store/review_form.hpp), its scores
// in store/review_scores.hpp; the reviewer uses them under these names.
using store::form_to_json;
using store::kReviewFormVersion;
using store::ReviewForm;
using store::to_store_review;

// The reviewer name of the offline agent's automated-check record.
inline constexpr const char* kOfflineChecksReviewer = "offline-checks";

// The form from a model's JSON. Keys are read without regard to case, spaces or underscores
// ("Ethical Concerns", "ethical_concerns"); lists may be given as one string; scores may be
// numbers or numeric strings. invalid_input names every missing key and out-of-range score.
Expected<ReviewForm> parse_review_form(const nlohmann::json& j);

// The JSON keys the prompts ask for, with their ranges, for the prompt text.
std::string form_fields_description();

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
