#include "agent/paper_version.hpp"

#include <algorithm>

#include "agent/stages/baseline.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;

Expected<PaperVersion> paper_version(store::Store& store, const std::string& paper_id) {
  PaperVersion v;
  SHOAL_TRY(paper, store::get_paper(store, paper_id));
  v.paper = paper;
  SHOAL_TRY(idea, store::get_idea(store, paper.idea_id));
  SHOAL_TRY(metric, run_metric(store, idea.run_id));
  if (metric) v.higher_is_better = metric->higher_is_better;
  SHOAL_TRY(ev, gather_evidence(store, idea.id, v.higher_is_better));
  v.evidence = std::move(ev);

  // Every node of the idea, from the store: the evidence shows one result per version (a seed
  // mean stands for its version, and single seed runs are left out of it), but the version
  // and its seed runs are what a reader checks and re-runs.
  SHOAL_TRY(all, store::list_nodes(store, idea.id));
  v.all_nodes = all;
  auto by_id = [&](const std::string& id) -> const store::Node* {
    for (const auto& n : v.all_nodes)
      if (n.id == id) return &n;
    return nullptr;
  };
  const store::Node* chosen = nullptr;
  for (const auto& n : v.evidence.done_nodes()) {
    // A seed re-run (or a seed mean) is evidence for the version it re-ran: its parent.
    const store::Node* version = (n.kind == "seed" || n.kind == "seed_mean") ? by_id(n.parent_id) : by_id(n.id);
    if (version && version->status == "done" && !version->code_hash.empty()) {
      chosen = version;
      break;
    }
  }
  if (!chosen)
    return fail(ErrorKind::invalid_input, "paper " + paper_id + ": its idea " + idea.id +
                                              " has no finished experiment with stored code, so there is no version "
                                              "to export or re-run");
  v.chosen = *chosen;
  v.runs.push_back(*chosen);
  std::vector<store::Node> seeds;
  for (const auto& n : v.all_nodes) {
    if (n.kind != "seed" || n.parent_id != chosen->id) continue;
    (n.status == "done" && !n.metrics_json.empty() ? seeds : v.failed_seeds).push_back(n);
  }
  std::sort(seeds.begin(), seeds.end(), [](const store::Node& a, const store::Node& b) {
    if (a.seed != b.seed) return a.seed < b.seed;  // seeds run in parallel: order by seed, not by start
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.id < b.id;
  });
  v.runs.insert(v.runs.end(), seeds.begin(), seeds.end());
  return v;
}

Expected<experiments::Template> run_template(store::Store& store, const store::Run& run, const fs::path& given) {
  fs::path dir = given;
  if (dir.empty()) {
    auto j = nlohmann::json::parse(run.config_json, nullptr, false);
    if (j.is_object() && j.contains("template_dir") && j["template_dir"].is_string())
      dir = j["template_dir"].get<std::string>();
  }
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec))
    return fail(ErrorKind::not_found, "the template folder of run " + run.id + " (" +
                                          (dir.empty() ? std::string("not recorded") : dir.string()) +
                                          ") is not there: give it with --template DIR");
  SHOAL_TRY(tpl, experiments::load_template(dir));
  if (!run.template_hash.empty() && tpl.hash != run.template_hash)
    return fail(ErrorKind::invalid_input,
                "the template in " + dir.string() + " has changed since run " + run.id + " (content hash " +
                    tpl.hash.substr(0, 12) + ", the run used " + run.template_hash.substr(0, 12) +
                    "): a re-run would not run what the run ran; give the template as it was with --template DIR");
  SHOAL_TRY(metric, run_metric(store, run.id));
  if (metric) apply_metric(tpl, *metric);
  return tpl;
}

}  // namespace shoal::agent
