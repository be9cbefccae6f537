#include "agent/offline_agent.hpp"

#include "agent/node_runner.hpp"
#include "core/file.hpp"
#include "store/nodes.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
namespace {

std::string knob_name(const std::string& flag) {
  size_t start = flag.find_first_not_of('-');
  return start == std::string::npos ? flag : flag.substr(start);
}

std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

Expected<std::vector<store::Idea>> offline_ideas(RunContext& ctx) {
  const auto& m = ctx.tpl.manifest;
  if (m.knobs.empty())
    return fail(ErrorKind::invalid_input, "template " + m.name +
                                              " declares no knobs in template.json, so the offline agent has nothing "
                                              "to sweep; add \"knobs\" or run with an LLM (--model)");
  SHOAL_TRY(existing, store::list_ideas(ctx.store, ctx.run_id));
  std::vector<store::Idea> out;
  int rank = 0;
  for (const auto& knob : m.knobs) {
    ++rank;
    std::string name = "sweep_" + knob_name(knob.flag);
    auto found = std::find_if(existing.begin(), existing.end(), [&](const store::Idea& i) { return i.name == name; });
    if (found != existing.end()) {
      out.push_back(*found);
      continue;
    }
    std::string values;
    for (const auto& v : knob.values) values += (values.empty() ? "" : ", ") + value_text(v);
    std::string metric = m.metric.empty() ? "the headline metric" : m.metric;
    store::Idea idea;
    idea.run_id = ctx.run_id;
    idea.name = name;
    idea.title = "How " + knob_name(knob.flag) + " affects " + metric + " in " + m.name;
    idea.idea_json = nlohmann::json{{"Name", name},
                                    {"Title", idea.title},
                                    {"Experiment", "Run experiment.py with " + knob.flag + " set to each of " + values +
                                                       " and compare " + metric + " with the baseline (" +
                                                       value_text(knob.baseline) + ")."},
                                    {"Hypothesis", knob.description.empty()
                                                       ? "Changing " + knob.flag + " changes " + metric + "."
                                                       : knob.description + " matters for " + metric + "."},
                                    {"knob", knob.flag},
                                    {"values", knob.values},
                                    {"offline_baseline_agent", true}}
                         .dump();
    SHOAL_TRY(added, store::add_idea(ctx.store, idea));
    out.push_back(added);
  }
  return out;
}

Expected<ExperimentOutcome> run_sweep(RunContext& ctx, const store::Idea& idea) {
  auto spec = nlohmann::json::parse(idea.idea_json, nullptr, false);
  if (!spec.is_object() || !spec.contains("knob") || !spec["values"].is_array())
    return fail(ErrorKind::invalid_input, "idea " + idea.name + " is not an offline sweep (no knob and values)");
  std::string flag = spec["knob"].get<std::string>();
  const auto& m = ctx.tpl.manifest;

  ExperimentOutcome outcome;
  SHOAL_TRY(baseline, store::find_baseline(ctx.store, ctx.tpl.hash, ctx.options.smoke ? "baseline_smoke" : "baseline"));
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
                    (m.higher_is_better ? *result.node.metric > *outcome.best_metric
                                        : *result.node.metric < *outcome.best_metric);
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
