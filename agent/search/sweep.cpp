#include "agent/search/sweep.hpp"

#include "agent/search/node_runner.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "store/nodes.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;

std::string knob_name(const std::string& flag) {
  size_t start = flag.find_first_not_of('-');
  return start == std::string::npos ? flag : flag.substr(start);
}

std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

void knobs_from_argparse(experiments::Template& tpl, experiments::Executor& executor, const fs::path& scratch) {
  if (!tpl.manifest.knobs.empty()) return;
  auto found = experiments::discover_knobs(tpl, executor, scratch);
  std::error_code ec;
  fs::remove_all(scratch, ec);
  if (!found.ok()) {
    log::warn("ideas", "template " + tpl.manifest.name + ": no knobs from its argparse flags: " + found.error().message);
    return;
  }
  std::string names;
  for (const auto& k : *found) names += (names.empty() ? "" : ", ") + k.flag;
  if (!found->empty())
    log::info("ideas", "template " + tpl.manifest.name + " declares no knobs in template.json; its experiment.py --help shows " +
                           std::to_string(found->size()) + " to sweep: " + names);
  tpl.manifest.knobs = std::move(*found);
}

Expected<ExperimentOutcome> run_sweep(StageContext& ctx, const store::Idea& idea) {
  auto spec = nlohmann::json::parse(idea.idea_json, nullptr, false);
  if (!spec.is_object() || !spec.contains("knob") || !spec["values"].is_array())
    return fail(ErrorKind::invalid_input, "idea " + idea.name + " is not an offline sweep (no knob and values)");
  std::string flag = spec["knob"].get<std::string>();
  const auto& m = ctx.tpl.manifest;

  ExperimentOutcome outcome;
  SHOAL_TRY(baseline, store::find_baseline(ctx.store, ctx.tpl.hash, ctx.settings.smoke ? "baseline_smoke" : "baseline"));
  const experiments::Knob* knob = nullptr;
  for (const auto& k : m.knobs)
    if (k.flag == flag) knob = &k;
  if (baseline)
    outcome.plotted.push_back(
        {baseline->id, "Baseline" + (knob && !knob->baseline.is_null() ? " (" + knob_name(flag) + "=" +
                                                                             value_text(knob->baseline) + ")"
                                                                       : std::string())});

  fs::path code = ctx.idea_dir(idea.id) / "code";
  std::error_code ec;
  if (!fs::exists(code / "experiment.py", ec)) {
    fs::remove_all(code, ec);
    SHOAL_CHECK(experiments::copy_template(ctx.tpl, code));
  }
  int step = 0;
  for (const auto& value : spec["values"]) {
    if (knob && !knob->baseline.is_null() && value == knob->baseline) continue;  // that is run_0
    ++step;
    NodeRequest request;
    request.idea_id = idea.id;
    request.kind = "sweep";
    request.plan = "offline sweep: " + flag + " " + value_text(value);
    request.step = step;
    request.workdir = code;
    request.out_dir = "run_" + std::to_string(step);
    request.args = {flag, value_text(value)};
    ctx.progress({idea.id, "experiments", request.out_dir + ": " + flag + "=" + value_text(value)});
    SHOAL_TRY(result, run_node(ctx, request));
    ++outcome.nodes;
    if (!result.ok()) {
      ++outcome.failed;
      continue;
    }
    outcome.plotted.push_back({result.node.id, knob_name(flag) + "=" + value_text(value)});
    if (result.node.metric) {
      bool better = !outcome.best_metric ||
                    experiments::metric_better(*result.node.metric, *outcome.best_metric, m.higher_is_better);
      if (better) {
        outcome.best_metric = result.node.metric;
        outcome.best_node_id = result.node.id;
      }
    } else if (outcome.best_node_id.empty()) {
      outcome.best_node_id = result.node.id;
    }
  }
  if (outcome.nodes > 0 && outcome.failed == outcome.nodes)
    return fail(ErrorKind::invalid_input, "every run of the " + flag + " sweep failed; the node logs say why "
                                          "(shoal status " + ctx.run_id + ")");
  return outcome;
}

}  // namespace shoal::agent
