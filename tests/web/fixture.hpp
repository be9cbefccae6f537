// A store filled through the store API the way the pipeline fills it, for the web tests:
// three runs (one done, one running, one by the evolve search), ideas with novelty verdicts, an experiment tree with code
// snapshots, logs and a plot, paper attempts (one failed, one compiled with a real PDF made
// by pdflatex and its first-page image from pdftoppm), an AI review ensemble with a
// meta-review and the LLM calls behind them, events and stages. The evolve run's idea has a
// baseline and 8 programs over 3 generations on 2 islands (val_loss, lower is better): one
// crossover, one failed program, one candidate rejected as a near-duplicate, 4 archive cells. With `xss`, titles, an
// abstract, a review, a reviewer name, a log and a file name carry script payloads.
#pragma once

#include <filesystem>
#include <string>

#include "core/expected.hpp"
#include "store/db.hpp"

namespace shoal::test {

struct FixtureIds {
  std::string done_run, live_run;
  std::string best_idea, xss_idea, skipped_idea;
  std::string best_paper, failed_paper, xss_paper;
  std::string draft_node, improve_node, failed_node;
  int64_t page_image = 0, plot = 0, html_log = 0, odd_mime = 0;
  int64_t review_call = 0;
  // The evolve run: its idea, the generation-0 baseline program, the best program, the
  // crossover (parents evolve_b, then evolve_a), the failed one and the rejected candidate
  // (similar to evolve_a).
  std::string evolve_run, evolve_idea;
  std::string evolve_baseline, evolve_a, evolve_b, evolve_best, evolve_crossover, evolve_failed, evolve_rejected;
};

// The payload planted in every untrusted field when `xss` is set.
inline const char* kXss = "<img src=x onerror=alert(1)><script>alert(2)</script>";

// Fills `store`; `work` is a scratch folder for pdflatex.
Expected<FixtureIds> fill_fixture(store::Store& store, const std::filesystem::path& work, bool xss);

// Marks the live run done and adds an event (what a finishing orchestrator writes).
Status finish_live_run(store::Store& store, const std::string& run_id);

}  // namespace shoal::test
