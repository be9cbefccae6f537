// The review form's scores, once: name, label, range and where each one is kept (the review
// row, the form, the paper catalog's AI mean). The AI reviewer's prompt, the form parsers,
// the catalog's score names, the CLI and the web pages (GET /api/v1/review-scores) read it.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/catalog.hpp"
#include "store/review_form.hpp"
#include "store/reviews.hpp"

namespace shoal::store {

struct ReviewScore {
  std::string_view name;                     // the review column and API key: "overall"
  std::string_view label;                    // the form's key the prompts ask for: "Overall"
  int min = 1, max = 4;                      // whole numbers a person may give
  std::optional<double> Review::*column;     // where a review row keeps it
  double ReviewForm::*field;                 // where the form keeps it
  std::optional<double> PaperScores::*mean;  // the AI reviews' mean in the paper catalog
};

// Every score of the form in the order the form lists it: originality, quality, clarity,
// significance, soundness, presentation, contribution (1-4), overall (1-10), confidence (1-5).
const std::vector<ReviewScore>& review_scores();

// The score called `name`; nullptr when there is none.
const ReviewScore* find_review_score(std::string_view name);

// The table for the web pages: {"scores": [{name, label, min, max}, ...], "paper_scores":
// score_names()} (the names a paper list sorts and filters by).
nlohmann::json review_scores_json();

}  // namespace shoal::store
