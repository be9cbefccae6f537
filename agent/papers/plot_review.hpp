// The model's look at the figures: a caption per figure and, when it takes images (setting
// plot_review_images > 0), a reader's note per figure; a figure with a problem gets one round
// in which the model edits plot.py (setting plot_fix_rounds).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "agent/stage_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

struct PlotReview {
  std::map<std::string, std::string> captions;  // figure file name -> caption (missing: none usable)
  std::map<std::string, std::string> notes;     // figure file name -> a reader's note, "ok" when fine
  int images = 0;                               // figures the model saw as images

  // The notes that name a problem, one "- NAME: note" line each ("" when every figure is ok).
  std::string problems() const;
};

// Asks for the captions of `pngs` (files in `dir`), attaching up to `max_images` of them;
// a model that refuses images is asked again with the names only. An unusable answer gives
// an empty review (the caller falls back to plain captions); a stop (budget_exceeded,
// cancelled, io) is returned, so the stage is redone on resume.
Expected<PlotReview> review_plots(StageContext& ctx, const store::Idea& idea, const std::filesystem::path& dir,
                        const std::vector<std::string>& pngs, const std::vector<std::string>& run_labels,
                        int max_images);

// Asks the model to fix plot.py in `dir` for `problems` and applies its edit blocks (only the
// template's editable files). Returns "" when an edit applied, else why not.
Expected<std::string> fix_plot_script(StageContext& ctx, const store::Idea& idea, const std::filesystem::path& dir,
                                      const std::string& problems, const std::vector<std::string>& run_labels);

}  // namespace shoal::agent
