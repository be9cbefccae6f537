// The human review form: the AI reviewer's form (store/review_form.hpp, NeurIPS style) filled
// in by a person, parsed strictly from a request's JSON body before anything is stored; the
// scores and their ranges are the store's (store/review_scores.hpp).
#pragma once

#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "store/review_form.hpp"
#include "store/reviews.hpp"

namespace shoal::web {

struct HumanReview {
  std::string reviewer;  // the person's name (1-100 characters)
  store::ReviewForm form;
};

// Parses a JSON body: "reviewer", the texts "summary" and "strengths", "weaknesses",
// "questions", "limitations" (one point per line, or a list of strings), "ethical_concerns",
// whole-number scores in the form's ranges and "decision" accept or reject. invalid_input
// names the first field that is missing, of the wrong type or out of range.
Expected<HumanReview> parse_human_review(std::string_view body);

// The store row: kind human, stored exactly as an AI review of the same form is.
store::Review to_store_review(const HumanReview& review, const std::string& paper_id);

}  // namespace shoal::web
