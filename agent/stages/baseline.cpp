#include "agent/stages/baseline.hpp"

#include "agent/stage_llm.hpp"
#include "agent/prompts.hpp"
#include "agent/stage_outputs.hpp"
#include "core/log.hpp"
#include "experiments/baseline.hpp"
#include "store/nodes.hpp"
#include "store/runs.hpp"
#include "store/stages.hpp"

namespace shoal::agent {
namespace {

const llm::Shape kDirectionShape = {{"higher_is_better", llm::JsonType::boolean}, {"reason", llm::JsonType::string}};

// The direction of `metric`: asked of the model from the task, or (offline, or a template
// without prompt.json) guessed from the name.
Expected<void> settle_direction(StageContext& ctx, HeadlineMetric& m, const store::Node& baseline) {
  auto guessed = [&] {
    m.higher_is_better = experiments::guess_higher_is_better(m.name);
    m.direction_source = "name";
  };
  if (ctx.offline()) {
    guessed();
    return {};
  }
  auto tp = template_prompt(ctx.tpl);
  if (!tp.ok()) {
    guessed();
    return {};
  }
  std::string value = "not reported";
  if (auto info = experiments::parse_final_info(baseline.metrics_json); info.ok())
    if (auto v = experiments::headline_metric(*info, m.name, std::nullopt); v.ok()) value = std::to_string(*v);
  llm::Request request;
  request.system = tp->system;
  request.messages.push_back(
      llm::Message::user(render("baseline_metric_direction", {{"metric", m.name}, {"task", tp->task}, {"value", value}})));
  request.temperature = 0;
  request.max_tokens = 300;
  SHOAL_TRY(reply, ask_json(ctx, request, kDirectionShape, "baseline", ""));
  m.higher_is_better = reply.value["higher_is_better"].get<bool>();
  m.direction_source = "model";
  return {};
}

Expected<HeadlineMetric> settle_metric(StageContext& ctx, const store::Node& baseline) {
  const auto& manifest = ctx.tpl.manifest;
  HeadlineMetric m;
  if (!ctx.settings.metric.empty()) {
    SHOAL_TRY(choice, experiments::parse_metric_setting(ctx.settings.metric));
    m.name = choice.name;
    m.source = "setting";
    if (choice.higher_is_better) {
      m.higher_is_better = *choice.higher_is_better;
      m.direction_source = "setting";
    } else if (manifest.metric == m.name) {
      m.higher_is_better = manifest.higher_is_better;
      m.direction_source = "template.json";
    } else {
      SHOAL_CHECK(settle_direction(ctx, m, baseline));
    }
  } else if (!manifest.metric.empty()) {
    m = {manifest.metric, manifest.higher_is_better, "template.json", "template.json"};
  } else {
    auto first = experiments::first_metric(baseline.metrics_json);
    if (!first.ok())
      return fail(ErrorKind::invalid_input, "the template names no metric (template.json) and the baseline's "
                                            "final_info.json gives none to infer: " + first.error().message +
                                            "; give one with --metric NAME:max|min");
    m.name = *first;
    m.source = "inferred";
    SHOAL_CHECK(settle_direction(ctx, m, baseline));
  }
  if (auto info = experiments::parse_final_info(baseline.metrics_json); info.ok())
    if (auto v = experiments::headline_metric(*info, m.name, manifest.condition); !v.ok())
      return fail(ErrorKind::invalid_input, "the headline metric '" + m.name + "' (" + m.source +
                                                ") is not reported by the baseline: " + v.error().message +
                                                "; name one it reports with --metric NAME:max|min");
  return m;
}

}  // namespace

std::string HeadlineMetric::describe() const {
  std::string out = name + ", " + (higher_is_better ? "higher" : "lower") + " is better (" + source;
  if (direction_source == "model") out += "; direction from the model";
  if (direction_source == "name") out += "; direction guessed from the name: set --metric " + name + ":max|min to be sure";
  return out + ")";
}

void apply_metric(experiments::Template& tpl, const HeadlineMetric& metric) {
  tpl.manifest.metric = metric.name;
  tpl.manifest.higher_is_better = metric.higher_is_better;
}

Expected<std::optional<HeadlineMetric>> run_metric(store::Store& store, const std::string& run_id) {
  SHOAL_TRY(stage, store::find_stage(store, run_id, "", "baseline"));
  if (!stage || stage->status != "done") return std::optional<HeadlineMetric>{};
  auto j = nlohmann::json::parse(stage->output_json, nullptr, false);
  if (j.is_discarded()) return std::optional<HeadlineMetric>{};
  auto out = j.get<BaselineOut>();
  if (out.headline.name.empty()) return std::optional<HeadlineMetric>{};
  return std::optional<HeadlineMetric>{out.headline};
}

Expected<BaselineOut> run_baseline(StageContext& ctx, const BaselineIn&) {
  experiments::BaselineOptions options;
  options.smoke = ctx.settings.smoke;
  ctx.progress({"", "baseline", "template baseline (run_0), reused when stored"});
  SHOAL_TRY(node, experiments::ensure_baseline(ctx.store, ctx.tpl, ctx.executor, ctx.work_root, options));
  SHOAL_TRY(headline, settle_metric(ctx, node));
  BaselineOut out{node.id, node.metric, headline};
  if (auto info = experiments::parse_final_info(node.metrics_json); info.ok())
    if (auto v = experiments::headline_metric(*info, headline.name, ctx.tpl.manifest.condition); v.ok()) out.metric = *v;
  if (!node.metric && out.metric) {
    // Run before any metric was known (a template without one in template.json): it is
    // judged by the settled one from now on.
    node.metric = out.metric;
    SHOAL_CHECK(store::finish_node(ctx.store, node));
  }
  ctx.progress({"", "baseline", "metric: " + headline.describe()});
  (void)store::add_event(ctx.store, {0, ctx.run_id, "", "metric_settled", "metric: " + headline.describe(),
                                       nlohmann::json{{"metric", headline.name},
                                                      {"higher_is_better", headline.higher_is_better},
                                                      {"source", headline.source},
                                                      {"direction_source", headline.direction_source}}
                                           .dump(),
                                       0});
  return out;
}

}  // namespace shoal::agent
