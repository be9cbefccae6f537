#include "agent/evidence.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/text.hpp"
#include "experiments/results_digest.hpp"
#include "experiments/template.hpp"
#include "store/blobs.hpp"

namespace shoal::agent {

std::vector<store::Node> IdeaEvidence::done_nodes() const {
  std::vector<store::Node> out;
  for (const auto& n : nodes)
    if (n.status == "done" && !n.metrics_json.empty()) out.push_back(n);
  return out;
}

std::string IdeaEvidence::bound_command() const {
  if (baseline && !baseline->command.empty()) return baseline->command;
  for (const auto& n : nodes)
    if (!n.command.empty()) return n.command;
  return "";
}

namespace {

// Appends the plots and captions of one owner to `plots` (a newer plot of a name replaces
// the older), and returns its notes ("" when none).
Expected<std::string> collect(store::Store& store, const std::string& owner_kind, const std::string& owner_id,
                              std::vector<PlotEvidence>& plots) {
  SHOAL_TRY(artifacts, store::list_artifacts(store, owner_kind, owner_id));
  std::map<std::string, std::string> captions;
  std::string notes;
  for (const auto& a : artifacts) {
    if (a.kind == "caption" || a.kind == "notes") {
      SHOAL_TRY(text, store::get_blob(store, a.hash));
      if (a.kind == "caption") captions[a.name] = text;
      else notes = text;
    }
  }
  for (const auto& a : artifacts) {
    if (a.kind != "plot") continue;
    SHOAL_TRY(png, store::get_blob(store, a.hash));
    PlotEvidence p{owner_id, a.name, captions.count(a.name) ? captions[a.name] : "", png};
    auto same = std::find_if(plots.begin(), plots.end(), [&](const PlotEvidence& q) { return q.name == a.name; });
    if (same != plots.end()) plots.erase(same);
    plots.push_back(std::move(p));
  }
  return notes;
}

}  // namespace

Expected<IdeaEvidence> gather_evidence(store::Store& store, const std::string& idea_id) {
  return gather_evidence(store, idea_id, std::nullopt);
}

Expected<IdeaEvidence> gather_evidence(store::Store& store, const std::string& idea_id, std::optional<bool> higher_is_better) {
  IdeaEvidence ev;
  SHOAL_TRY(idea, store::get_idea(store, idea_id));
  ev.idea = idea;
  SHOAL_TRY(run, store::get_run(store, idea.run_id));
  ev.run = run;
  SHOAL_TRY(nodes, store::list_nodes(store, idea_id));

  // One result per version: a version re-run with seeds is represented by its seed mean, and
  // the single seed runs stay out of the write-up's view (they are in the store).
  std::set<std::string> averaged;
  for (const auto& n : nodes)
    if (n.kind == "seed_mean" && n.status == "done") averaged.insert(n.parent_id);
  std::vector<store::Node> done, rest;
  for (auto& n : nodes) {
    if (n.kind == "seed" || averaged.count(n.id)) continue;
    (n.status == "done" && !n.metrics_json.empty() ? done : rest).push_back(n);
  }
  auto has_metric = [](const store::Node& n) { return n.metric.has_value(); };
  auto with_metric = std::stable_partition(done.begin(), done.end(), has_metric);
  if (higher_is_better) {
    // Seed means first (the chosen version is the best of them), then single runs: a single
    // run that happens to beat a seed mean is not the idea's result.
    auto means_end = std::stable_partition(done.begin(), with_metric, [](const store::Node& n) { return n.kind == "seed_mean"; });
    auto better = [&](const store::Node& a, const store::Node& b) {
      return experiments::metric_better(*a.metric, *b.metric, *higher_is_better);
    };
    std::stable_sort(done.begin(), means_end, better);
    std::stable_sort(means_end, with_metric, better);
  } else if (idea.best_metric) {
    auto best = std::find_if(done.begin(), with_metric, [&](const store::Node& n) { return *n.metric == *idea.best_metric; });
    if (best != with_metric) std::rotate(done.begin(), best, best + 1);
  }
  ev.nodes = done;
  ev.nodes.insert(ev.nodes.end(), rest.begin(), rest.end());

  if (!run.template_hash.empty()) {
    SHOAL_TRY(baseline, store::find_baseline(store, run.template_hash, "baseline"));
    if (!baseline) {
      SHOAL_TRY(smoke, store::find_baseline(store, run.template_hash, "baseline_smoke"));
      baseline = smoke;
    }
    ev.baseline = baseline;
  }

  // Plots in node order (oldest first, so the newest of a name wins), then the idea's own.
  std::vector<store::Node> by_age = nodes;
  std::sort(by_age.begin(), by_age.end(), [](const store::Node& a, const store::Node& b) { return a.created_ms < b.created_ms; });
  for (const auto& n : by_age) SHOAL_CHECK(collect(store, "node", n.id, ev.plots));
  SHOAL_TRY(notes, collect(store, "idea", idea_id, ev.plots));
  ev.notes = notes;
  return ev;
}

std::string evidence_digest(const IdeaEvidence& ev, size_t budget) {
  std::string out;
  if (ev.baseline) out += "Baseline (the template unchanged):\n" + experiments::results_digest(ev.baseline->metrics_json, 600);
  auto done = ev.done_nodes();
  for (size_t i = 0; i < done.size(); ++i) {
    const auto& n = done[i];
    std::string seeds;
    auto j = nlohmann::json::parse(n.metrics_json, nullptr, false);
    if (n.kind == "seed_mean" && j.is_object() && !j.empty() && j.begin()->is_object())
      seeds = "mean of " + std::to_string(j.begin()->value("seeds", 0)) + " seed runs (± standard error across seeds)";
    std::string block = std::string(i == 0 ? "The chosen version" : "Another version") + " (" +
                        (seeds.empty() ? "a single run" : seeds) + "): " + clip(n.plan, 200) + "\n" +
                        experiments::results_digest(n.metrics_json, 600);
    if (out.size() + block.size() > budget) {
      out += "(" + std::to_string(done.size() - i) + " more version(s) not shown)\n";
      break;
    }
    out += block;
  }
  int failed = 0, incomparable = 0;
  for (const auto& n : ev.nodes) {
    failed += n.status == "failed";
    incomparable += n.status == "incomparable";
  }
  if (failed) out += std::to_string(failed) + " run(s) failed.\n";
  if (incomparable)
    out += std::to_string(incomparable) + " run(s) reported other conditions or metrics than the baseline and were not counted.\n";
  return out.empty() ? "No measured results are stored for this paper.\n" : out;
}

}  // namespace shoal::agent
