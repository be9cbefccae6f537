// The review stage: a paper's PDF read the way a reviewer reads it (pdftotext for the text,
// pdftoppm page images for a vision-capable model), an ensemble of N reviews on the NeurIPS
// form, reflection rounds per review, and a meta-review that aggregates them (the mean of
// every score; its decision from the accept threshold on the mean overall score). Every
// review is stored with its model and form version; a reply that is still not a valid form
// after one re-ask is stored as a failed review, never as zeros. With no LLM client the
// offline agent's automated checks are recorded as the review instead.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "llm/client.hpp"
#include "agent/settings.hpp"
#include "experiments/executor.hpp"
#include "paper/review_form.hpp"
#include "store/db.hpp"
#include "store/reviews.hpp"

namespace shoal::agent {

struct ReviewOptions {
  std::filesystem::path work_dir;   // scratch folder for pdftotext/pdftoppm (made fresh); required
  int ensemble = 3;                 // independent reviews
  int reflections = 1;              // reflection rounds per review (stops early at "I am done")
  int page_images = 3;              // first pages sent as PNG images (0: text only)
  int dpi = 60;                     // page image resolution
  double accept_threshold = 6;      // the meta-review accepts when the mean overall score reaches this
  size_t max_text_chars = 60000;    // the paper's text is cut here
  int max_tokens = 4096;
  double temperature = 0.75;
  std::string context;              // extra text for the reviewers (the automated checks), "" for none
  const experiments::CancelToken* cancel = nullptr;
};

// The options a run's settings give (review_ensemble, review_reflections, review_page_images,
// review_accept_threshold); work_dir and cancel unset.
ReviewOptions review_options(const RunSettings& settings);

// The reviews of one PDF, before anything is stored.
struct ReviewSet {
  struct Failure {
    std::string error;  // why the reply was unusable
    std::string reply;  // the last reply
  };
  std::vector<paper::ReviewForm> reviews;  // the usable reviews, after reflection
  std::vector<Failure> failures;
  std::optional<paper::ReviewForm> meta;   // scores: the means; text: the meta-review's (one review: its own)
  std::string meta_note;                   // why the meta-review text is missing, if it is
  int pages = 0;
  bool used_images = false;
  std::vector<std::string> page_pngs;      // the rendered pages (PNG bytes)
  std::string model;

  nlohmann::json to_json() const;  // {"model", "reviews": [form...], "failures", "meta", ...}
};

// Reviews `pdf` (its bytes). invalid_input when it is not a PDF or has no text layer; the
// client's budget_exceeded and cancelled errors as they come; other call failures become
// failures of the review they belong to.
Expected<ReviewSet> review_pdf(llm::Client& client, experiments::Executor& executor, const std::string& pdf,
                               const ReviewOptions& options, const std::string& idea_id = "");

struct ReviewOutcome {
  std::vector<store::Review> reviews;  // stored: each ensemble review (failed ones included), or the checks record
  std::optional<store::Review> meta;   // stored meta-review
  int failed = 0;

  nlohmann::json to_json() const;  // {"review_ids", "meta_id", "overall", "decision", "failed"}
};

// Reviews paper `paper_id` (its stored PDF) and stores every review, the failed ones and the
// meta-review; the first pages are stored as artifacts (kind page_image) when rendered.
// `client` null: records the automated checks (record_automated_checks). remote when every
// review failed (they are stored); not_found for an unknown paper; invalid_input for a
// paper without a PDF.
Expected<ReviewOutcome> review_paper(store::Store& store, llm::Client* client, experiments::Executor& executor,
                                     const std::string& paper_id, const ReviewOptions& options);

}  // namespace shoal::agent
