// The offline baseline agent's paper: no LLM. The template's skeleton is filled with text
// written from the measured numbers (paper::offline_paper_tex: a results table, the idea's
// figures, comparisons with the baseline), compiled for real in the sandbox and stored like
// any attempt. Instead of an LLM review, the automated checks are recorded as the review.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "experiments/executor.hpp"
#include "experiments/template.hpp"
#include "paper/checks.hpp"
#include "store/db.hpp"
#include "store/papers.hpp"
#include "store/reviews.hpp"

namespace shoal::agent {

struct OfflinePaperOptions {
  std::filesystem::path work_dir;  // scratch compile folder (made fresh); required
  double latex_timeout_s = 120;
  int page_limit = 0;
  double overfull_pt = 10;
  const experiments::CancelToken* cancel = nullptr;
};

struct OfflinePaperResult {
  store::Paper paper;         // the stored attempt (compiled)
  paper::PaperChecks checks;  // its automated checks

  nlohmann::json to_json() const;  // {"paper_id", "pages", "checks"}
};

// Writes, compiles and stores the offline paper of `idea_id`. invalid_input (with the attempt
// and its log stored) when it does not compile; not_found for an unknown idea or a template
// without latex/template.tex.
Expected<OfflinePaperResult> write_offline_paper(store::Store& store, experiments::Executor& executor,
                                                 const experiments::Template& tpl, const std::string& idea_id,
                                                 const OfflinePaperOptions& options);

// Stores the automated checks of paper `paper_id` (its checks_json) as its review record:
// reviewer "offline-checks", no scores, no decision.
Expected<store::Review> record_automated_checks(store::Store& store, const std::string& paper_id);

}  // namespace shoal::agent
