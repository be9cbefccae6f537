// Reviews of papers: each AI review of an ensemble, the meta-review that aggregates them,
// the offline agent's automated-check record, and human reviews, side by side.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace shoal::store {

struct Review {
  int64_t id = 0;
  std::string paper_id;
  std::string reviewer_kind;  // ai, meta, human (the offline checks record is "ai" with reviewer "offline-checks")
  std::string reviewer;       // the model string or the person's name
  std::optional<double> overall;
  std::string decision;       // accept, reject, "" when none
  std::optional<double> originality, quality, clarity, significance, soundness, presentation, contribution,
      confidence;
  std::string scores_json = "{}";  // the whole form as filled in
  std::string text;                // the review's prose (summary, strengths, weaknesses...)
  std::string status = "done";     // done, failed (an unusable reply: no scores, see error)
  std::string error;               // why a failed review failed
  int64_t created_ms = 0;
};

// Inserts the review (created_ms filled in when 0); returns it with its id.
Expected<Review> add_review(Store& store, Review review);
Expected<Review> get_review(Store& store, int64_t id);
// Reviews of a paper, oldest first.
Expected<std::vector<Review>> list_reviews(Store& store, const std::string& paper_id);

}  // namespace shoal::store
