#include "agent/search/seeds.hpp"

#include <algorithm>
#include <cstdio>

#include "agent/search/node_runner.hpp"
#include "experiments/final_info.hpp"
#include "experiments/template.hpp"
#include "core/text.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
namespace {

// The seed-mean node of `version` over `runs` (stored once; a resumed run finds it again).
Expected<std::optional<store::Node>> seed_mean_node(StageContext& ctx, const store::Node& version,
                                                    const std::vector<store::Node>& runs, int step) {
  std::vector<std::string> texts;
  std::vector<std::string> seeds;
  for (const auto& r : runs)
    if (r.status == "done" && !r.metrics_json.empty()) {
      texts.push_back(r.metrics_json);
      seeds.push_back(std::to_string(r.seed.value_or(0)));
    }
  if (texts.empty()) return std::optional<store::Node>();
  SHOAL_TRY(aggregated, experiments::aggregate_seeds(texts));
  std::string command = "mean of seeds " + join(seeds, ",") + " of " + version.command;
  SHOAL_TRY(previous, store::find_finished_node(ctx.store, version.idea_id, version.id, version.code_hash, command));
  if (previous) return previous;
  store::Node node;
  node.idea_id = version.idea_id;
  node.template_hash = version.template_hash;
  node.parent_id = version.id;
  node.kind = "seed_mean";
  node.code_hash = version.code_hash;
  node.command = command;
  node.plan = version.plan;
  node.step = step;
  node.status = "running";
  SHOAL_TRY(added, store::add_node(ctx.store, node));
  node = added;
  node.status = "done";
  node.exit_code = 0;
  node.metrics_json = aggregated;
  auto info = experiments::parse_final_info(aggregated);
  if (info.ok())
    if (auto m = experiments::headline_metric(*info, ctx.tpl.manifest.metric, ctx.tpl.manifest.condition); m.ok())
      node.metric = *m;
  SHOAL_CHECK(store::finish_node(ctx.store, node));
  return std::optional<store::Node>(node);
}

}  // namespace

std::vector<store::Node> seed_candidates(const std::vector<store::Node>& nodes, bool higher_is_better) {
  std::vector<store::Node> ok;
  for (const auto& n : nodes)
    if (n.status == "done" && n.metric && n.kind != "seed" && n.kind != "seed_mean") ok.push_back(n);
  std::stable_sort(ok.begin(), ok.end(), [&](const store::Node& a, const store::Node& b) {
    return experiments::metric_better(*a.metric, *b.metric, higher_is_better);
  });
  if (ok.size() > 2) ok.resize(2);
  return ok;
}

Expected<SeedConfirmation> confirm_with_seeds(StageContext& ctx, const store::Idea& idea,
                                              const std::vector<SeedCandidate>& candidates, int step) {
  SeedConfirmation out;
  const int seeds = ctx.settings.seed_runs;
  if (seeds <= 0 || candidates.empty()) return out;
  const int width = std::max(1, ctx.settings.parallel_nodes);
  const bool hib = ctx.tpl.manifest.higher_is_better;
  std::vector<std::pair<const SeedCandidate*, store::Node>> means;
  std::vector<std::vector<store::Node>> all_runs;
  for (size_t ci = 0; ci < candidates.size(); ++ci) {
    const SeedCandidate& cand = candidates[ci];
    ctx.progress({idea.id, "experiments", "seed runs of " + cand.label + " (" + std::to_string(seeds) + " seeds)"});
    std::vector<store::Node> runs;
    for (int first = 1; first <= seeds; first += width) {
      std::vector<std::function<Expected<store::Node>(StageContext&)>> jobs;
      for (int seed = first; seed < first + width && seed <= seeds; ++seed)
        jobs.push_back([&, seed](StageContext& c) -> Expected<store::Node> {
          fs::path dir = c.idea_dir(idea.id) / ("seed_" + std::to_string(ci + 1) + "_" + std::to_string(seed));
          SHOAL_CHECK(prepare_folder(c, dir, cand.node.code_hash));
          NodeRequest nr{idea.id, cand.node.id, "seed",
                         "seed " + std::to_string(seed) + " re-run of " + cand.label + ": " + cand.node.plan,
                         step, seed, dir, "run_" + std::to_string(seed), cand.args};
          SHOAL_TRY(ran, run_node(c, nr));
          return ran.node;
        });
      for (auto& r : run_parallel(ctx, jobs)) {
        if (!r.ok()) return r.error();
        ++out.runs;
        if (r->status != "done") ++out.failed;
        runs.push_back(*r);
      }
    }
    SHOAL_TRY(mean, seed_mean_node(ctx, cand.node, runs, step));
    std::string line = "- " + cand.label + ": single run " + (cand.node.metric ? number_text(*cand.node.metric) : "-") +
                       "; seeds";
    for (const auto& r : runs) line += " " + (r.metric ? number_text(*r.metric) : r.status);
    if (mean && mean->metric) {
      line += "; seed mean " + number_text(*mean->metric);
      means.push_back({&cand, *mean});
    } else {
      line += "; no seed run succeeded";
    }
    out.notes += line + "\n";
    all_runs.push_back(runs);
  }
  if (means.empty()) return out;
  auto best = std::min_element(means.begin(), means.end(), [&](const auto& a, const auto& b) {
    return experiments::metric_better(*a.second.metric, *b.second.metric, hib);
  });
  out.chosen = best->second;
  out.notes += "Chosen on its seed mean: " + best->first->label + "\n";
  size_t index = static_cast<size_t>(best->first - candidates.data());
  for (const auto& r : all_runs[index])
    if (r.status == "done") out.plotted.push_back({r.id, best->first->label + ", seed " + std::to_string(r.seed.value_or(0))});
  return out;
}

Expected<SeedConfirmation> confirm_into_outcome(StageContext& ctx, const store::Idea& idea,
                                                const std::vector<SeedCandidate>& candidates, int step,
                                                ExperimentOutcome& out) {
  SHOAL_TRY(seeds, confirm_with_seeds(ctx, idea, candidates, step));
  out.nodes += seeds.runs;
  out.failed += seeds.failed;
  if (seeds.chosen) {
    out.best_node_id = seeds.chosen->id;
    out.best_metric = seeds.chosen->metric;
  }
  return seeds;
}

}  // namespace shoal::agent
