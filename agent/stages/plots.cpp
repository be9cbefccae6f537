#include "agent/stages/plots.hpp"

#include <algorithm>

#include "agent/search/node_runner.hpp"
#include "agent/search/code_edit.hpp"
#include "agent/papers/plot_review.hpp"
#include "core/log.hpp"
#include "agent/prompts.hpp"
#include "llm/structured.hpp"
#include "core/file.hpp"
#include "store/blobs.hpp"
#include "store/nodes.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
namespace {

// Copies a node's stored outputs ("run_3/final_info.json", ...) into `dir` as run_<index>/...
Status place_run(StageContext& ctx, const std::string& node_id, const fs::path& dir, int index) {
  SHOAL_TRY(arts, store::list_artifacts(ctx.store, "node", node_id));
  for (const auto& a : arts) {
    if (a.kind != "final_info" && a.kind != "run_output") continue;
    size_t slash = a.name.find('/');
    if (slash == std::string::npos || a.name.find("..") != std::string::npos) continue;
    fs::path target = dir / ("run_" + std::to_string(index)) / a.name.substr(slash + 1);
    SHOAL_TRY(bytes, store::get_blob(ctx.store, a.hash));
    fs::create_directories(target.parent_path());
    SHOAL_CHECK(write_file_atomic(target, bytes));
  }
  return {};
}

std::string words(std::string stem) {
  std::replace(stem.begin(), stem.end(), '_', ' ');
  return stem;
}

// Captions written without a model: what the figure shows, from its name and the runs.
std::string plain_caption(const std::string& png, const std::vector<PlottedRun>& runs) {
  std::string shown;
  for (const auto& r : runs) shown += (shown.empty() ? "" : "; ") + r.label;
  return words(fs::path(png).stem().string()) + " for each run (" + shown + ").";
}

// Runs plot.py in `dir` in the sandbox; the PNG files it wrote, sorted.
Expected<std::vector<std::string>> run_plot_script(StageContext& ctx, const store::Idea& idea, const fs::path& dir,
                                                   size_t runs) {
  experiments::JobSpec job;
  job.argv = {ctx.tpl.manifest.interpreter, "plot.py"};
  job.workdir = dir;
  job.limits.wall_s = 600;
  job.cpus = 1;
  ctx.progress({idea.id, "plots", "plot.py over " + std::to_string(runs) + " runs"});
  SHOAL_TRY(result, ctx.executor.run(job, ctx.cancel));
  if (result.limit_hit == experiments::limit::cancelled) return fail(ErrorKind::cancelled, "cancelled during plot.py");
  if (!result.succeeded())
    return fail(ErrorKind::invalid_input, "plot.py failed (exit code " + std::to_string(result.exit_code) +
                                              (result.limit_hit.empty() ? "" : ", " + result.limit_hit) +
                                              "); its stderr ends with:\n" + result.stderr_tail.substr(
                                                  result.stderr_tail.size() > 2000 ? result.stderr_tail.size() - 2000 : 0));
  std::vector<std::string> pngs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".png" && entry.is_regular_file(ec) && !entry.is_symlink(ec))
      pngs.push_back(entry.path().filename().string());
  std::sort(pngs.begin(), pngs.end());
  if (pngs.empty()) return fail(ErrorKind::invalid_input, "plot.py ran but wrote no PNG into its folder");
  return pngs;
}

// The model's review of the figures, with one plot.py fix round when a note names a problem
// (in a copy of the folder: a fix that fails keeps the first figures). `dir` and `pngs` become
// the fixed ones when the fix worked; `first_problems` keeps what the first look found.
Expected<PlotReview> review_and_fix(StageContext& ctx, const store::Idea& idea, fs::path& dir, std::vector<std::string>& pngs,
                                    const std::vector<std::string>& labels, std::string& first_problems) {
  int max_images = ctx.settings.plot_review_images;
  int fix_rounds = ctx.settings.plot_fix_rounds;
  SHOAL_TRY(review, review_plots(ctx, idea, dir, pngs, labels, max_images));
  first_problems = review.problems();
  for (int round = 1; round <= fix_rounds && !review.problems().empty(); ++round) {
    if (ctx.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was cancelled");
    fs::path fixed = dir.string() + "-fix" + std::to_string(round);
    std::error_code ec;
    fs::remove_all(fixed, ec);
    fs::copy(dir, fixed, fs::copy_options::recursive, ec);
    if (ec) return fail(ErrorKind::io, "cannot copy " + dir.string() + ": " + ec.message());
    for (const auto& png : pngs) fs::remove(fixed / png, ec);
    SHOAL_TRY(why_not, fix_plot_script(ctx, idea, fixed, review.problems(), labels));
    if (!why_not.empty()) {
      log::warn("plots", "idea " + idea.name + ": the plot.py fix was not usable: " + why_not);
      break;
    }
    auto again = run_plot_script(ctx, idea, fixed, labels.size());
    if (!again.ok()) {
      if (again.error().kind == ErrorKind::cancelled) return again.error();
      log::warn("plots", "idea " + idea.name + ": the fixed plot.py failed; keeping the first figures: " +
                             again.error().message.substr(0, 300));
      break;
    }
    dir = fixed;
    pngs = *again;
    SHOAL_TRY(again_review, review_plots(ctx, idea, dir, pngs, labels, max_images));
    review = std::move(again_review);
  }
  return review;
}

}  // namespace

Expected<PlotsOut> run_plots(StageContext& ctx, const PlotsIn& in) {
  const store::Idea& idea = in.idea;
  const ExperimentOutcome& outcome = in.experiments;
  if (outcome.best_node_id.empty())
    return fail(ErrorKind::invalid_input, "no experiment of idea " + idea.name + " succeeded, so there is nothing to plot");
  SHOAL_TRY(best, store::get_node(ctx.store, outcome.best_node_id));

  fs::path dir = ctx.idea_dir(idea.id) / "plots";
  std::error_code ec;
  fs::remove_all(dir, ec);
  SHOAL_CHECK(experiments::copy_template(ctx.tpl, dir));
  if (!best.code_hash.empty()) SHOAL_CHECK(restore_code(ctx.store, best.code_hash, dir));
  nlohmann::json labels = nlohmann::json::object();
  int index = 0;
  for (const auto& run : outcome.plotted) {
    SHOAL_CHECK(place_run(ctx, run.node_id, dir, index));
    labels["run_" + std::to_string(index)] = run.label;
    ++index;
  }
  SHOAL_CHECK(write_file_atomic(dir / "labels.json", labels.dump(2)));

  SHOAL_TRY(first_pngs, run_plot_script(ctx, idea, dir, outcome.plotted.size()));
  std::vector<std::string> pngs = std::move(first_pngs);

  std::vector<std::string> labels_in_order;
  for (const auto& r : outcome.plotted) labels_in_order.push_back(r.label);
  PlotReview review;
  std::string first_problems;
  if (!ctx.offline()) {
    SHOAL_TRY(reviewed, review_and_fix(ctx, idea, dir, pngs, labels_in_order, first_problems));
    review = std::move(reviewed);
  }
  PlotsOut out;
  out.node_id = best.id;
  out.images_reviewed = review.images;
  for (const auto& png : pngs) {
    SHOAL_TRY(bytes, read_file(dir / png));
    std::string caption = review.captions.count(png) ? review.captions[png] : plain_caption(png, outcome.plotted);
    SHOAL_TRY(art, store::add_artifact(ctx.store, {"plot", png, "node", best.id, "image/png"}, bytes));
    SHOAL_TRY(cap, store::add_artifact(ctx.store, {"caption", png, "node", best.id, "text/plain"}, caption));
    (void)cap;
    Plot plot{png, art.id, caption, ""};
    if (review.notes.count(png)) {
      SHOAL_TRY(note, store::add_artifact(ctx.store, {"plot_note", png, "node", best.id, "text/plain"}, review.notes[png]));
      (void)note;
      plot.note = review.notes[png];
    }
    out.plots.push_back(plot);
  }
  if (!first_problems.empty()) {
    bool fixed = dir.filename().string().find("-fix") != std::string::npos;
    out.first_review = first_problems;
    out.plot_fixed = fixed;
    if (fixed) {
      SHOAL_TRY(code, read_file(dir / "plot.py"));
      SHOAL_TRY(art, store::add_artifact(ctx.store, {"plot_code", "plot.py", "node", best.id, "text/x-python"}, code));
      (void)art;
    }
    // The notes feed back: the write-up reads the idea's newest notes, so the review is
    // appended to them (what the figures lacked, and what is still open).
    std::string notes;
    SHOAL_TRY(arts, store::list_artifacts(ctx.store, "idea", idea.id));
    for (const auto& a : arts)
      if (a.kind == "notes") {
        SHOAL_TRY(text, store::get_blob(ctx.store, a.hash));
        notes = std::move(text);
      }
    SHOAL_CHECK(save_notes(ctx, idea.id, notes + (notes.empty() ? "" : "\n\n") + "Figure review" +
                                            (fixed ? " (plot.py was fixed after it)" : "") + ":\n" + first_problems +
                                            (review.problems().empty() ? "" : "Still open:\n" + review.problems())));
  }
  return out;
}

}  // namespace shoal::agent
