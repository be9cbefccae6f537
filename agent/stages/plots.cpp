#include "agent/stages/plots.hpp"

#include <algorithm>

#include "agent/node_runner.hpp"
#include "agent/prompts.hpp"
#include "agent/llm/structured.hpp"
#include "core/file.hpp"
#include "store/blobs.hpp"
#include "store/nodes.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
namespace {

// Copies a node's stored outputs ("run_3/final_info.json", ...) into `dir` as run_<index>/...
Status place_run(RunContext& ctx, const std::string& node_id, const fs::path& dir, int index) {
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

// Asks the model for one caption per figure; empty map when the answer is unusable.
std::map<std::string, std::string> model_captions(RunContext& ctx, const store::Idea& idea,
                                                  const std::vector<std::string>& pngs,
                                                  const std::vector<PlottedRun>& runs) {
  nlohmann::json figures = pngs, labelled = nlohmann::json::array();
  for (const auto& r : runs) labelled.push_back(r.label);
  llm::Request request;
  request.system = std::string(prompt("plots_system"));
  request.messages.push_back(llm::Message::user(render(
      "plots_captions", {{"idea", idea.idea_json}, {"figures", figures.dump()}, {"runs", labelled.dump()}})));
  request.temperature = 0.2;
  auto answer = llm::complete_json(*ctx.llm, request, {{"captions", llm::JsonType::object}}, {"plots", idea.id});
  std::map<std::string, std::string> out;
  if (!answer.ok()) return out;
  const auto& captions = (*answer)["captions"];
  for (const auto& png : pngs)
    if (captions.contains(png) && captions[png].is_string()) out[png] = captions[png].get<std::string>();
  return out;
}

}  // namespace

Expected<nlohmann::json> make_plots(RunContext& ctx, const store::Idea& idea, const ExperimentOutcome& outcome) {
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

  experiments::JobSpec job;
  job.argv = {ctx.tpl.manifest.interpreter, "plot.py"};
  job.workdir = dir;
  job.limits.wall_s = 600;
  job.cpus = 1;
  ctx.progress({idea.id, "plots", "plot.py over " + std::to_string(outcome.plotted.size()) + " runs"});
  SHOAL_TRY(result, ctx.executor.run(job, ctx.cancel));
  if (result.limit_hit == experiments::limit::cancelled) return fail(ErrorKind::cancelled, "cancelled during plot.py");
  if (!result.succeeded())
    return fail(ErrorKind::invalid_input, "plot.py failed (exit code " + std::to_string(result.exit_code) +
                                              (result.limit_hit.empty() ? "" : ", " + result.limit_hit) +
                                              "); its stderr ends with:\n" + result.stderr_tail.substr(
                                                  result.stderr_tail.size() > 2000 ? result.stderr_tail.size() - 2000 : 0));
  std::vector<std::string> pngs;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".png" && entry.is_regular_file(ec) && !entry.is_symlink(ec))
      pngs.push_back(entry.path().filename().string());
  std::sort(pngs.begin(), pngs.end());
  if (pngs.empty()) return fail(ErrorKind::invalid_input, "plot.py ran but wrote no PNG into its folder");

  std::map<std::string, std::string> captions;
  if (!ctx.offline()) captions = model_captions(ctx, idea, pngs, outcome.plotted);
  nlohmann::json plots = nlohmann::json::array();
  for (const auto& png : pngs) {
    SHOAL_TRY(bytes, read_file(dir / png));
    std::string caption = captions.count(png) ? captions[png] : plain_caption(png, outcome.plotted);
    SHOAL_TRY(art, store::add_artifact(ctx.store, {"plot", png, "node", best.id, "image/png"}, bytes));
    SHOAL_TRY(cap, store::add_artifact(ctx.store, {"caption", png, "node", best.id, "text/plain"}, caption));
    (void)cap;
    plots.push_back({{"name", png}, {"artifact_id", art.id}, {"caption", caption}});
  }
  return nlohmann::json{{"plots", plots}, {"node_id", best.id}};
}

}  // namespace shoal::agent
