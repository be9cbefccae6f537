// The review stage: the idea's paper read as a reviewer reads it (agent/papers/reviewer.hpp:
// its text and first pages, an ensemble of reviews on the NeurIPS form with reflection
// rounds, a meta-review). Offline, the automated checks are recorded as the review.
#pragma once

#include <string>

#include "agent/papers/reviewer.hpp"
#include "agent/stage_context.hpp"

namespace shoal::agent {

struct ReviewIn {
  std::string idea_id;
  std::string paper_id;
  std::string work_name = "review";  // the scratch folder under the idea's folder
};

// The stored reviews and meta-review (as stored: ids, the overall score and the decision).
using ReviewOut = ReviewOutcome;

// Reviews the paper with the run's review settings (review_ensemble, review_reflections,
// review_page_images, review_accept_threshold).
Expected<ReviewOut> run_review(StageContext& ctx, const ReviewIn& in);

}  // namespace shoal::agent
