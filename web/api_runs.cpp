// Runs: the list with progress, one run with its stages and baseline, its events (polled
// for live updates), its ideas with sorting, filtering and search, and its agreement view.
#include "store/llm_calls.hpp"
#include "store/records.hpp"
#include "web/agreement.hpp"
#include "web/handlers.hpp"
#include "web/json_views.hpp"
#include "web/params.hpp"
#include "web/responses.hpp"

namespace shoal::web {
namespace {

// The run's budget: its own (an LLM run's, or a resume --budget), else the budget_usd
// setting of its config snapshot (an offline run keeps 0 as its spending limit, yet its
// settings say what budget the run was started with).
double run_budget(const store::Run& run) {
  if (run.budget_usd > 0) return run.budget_usd;
  auto config = json::parse(run.config_json, nullptr, false);
  if (!config.is_object()) return 0;
  const json& settings = config.contains("settings") && config["settings"].is_object() ? config["settings"] : config;
  if (!settings.contains("budget_usd")) return 0;
  const json& v = settings["budget_usd"];
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    try {
      return std::stod(v.get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

// A run with its progress (zeros when it has no ideas yet).
json run_with_progress(const store::Run& run, const std::map<std::string, store::RunProgress>& progress) {
  json j = store::to_json(run);
  j["budget_usd"] = run_budget(run);
  auto p = progress.find(run.id);
  j["progress"] = store::to_json(p == progress.end() ? store::RunProgress{} : p->second);
  return j;
}

}  // namespace

Response api_runs(Call& call) {
  SHOAL_WEB_TRY(runs, store::list_runs(call.store));
  SHOAL_WEB_TRY(progress, store::run_progress(call.store));
  json list = json::array();
  for (const auto& run : *runs) list.push_back(run_with_progress(run, *progress));
  return json_response({{"runs", list}});
}

Response api_run(Call& call) {
  SHOAL_WEB_TRY(run, store::get_run(call.store, call.param("id")));
  SHOAL_WEB_TRY(progress, store::run_progress(call.store));
  SHOAL_WEB_TRY(stages, store::list_stages(call.store, run->id));
  SHOAL_WEB_TRY(spend, store::llm_spend_of_run(call.store, run->id));
  SHOAL_WEB_TRY(baseline, store::find_baseline(call.store, run->template_hash));

  json j = run_with_progress(*run, *progress);
  j["stages"] = store::to_json(*stages);
  j["llm"] = {{"calls", spend->calls}, {"tokens", spend->tokens}, {"cost_usd", spend->cost_usd}};
  j["baseline"] = *baseline ? store::to_json(**baseline) : json(nullptr);
  return json_response(j);
}

Response api_run_events(Call& call) {
  SHOAL_WEB_TRY(after, int_param(call.target, "after", 0, 0, INT64_MAX));
  SHOAL_WEB_TRY(limit, int_param(call.target, "limit", 200, 1, 1000));
  SHOAL_WEB_TRY(run, store::get_run(call.store, call.param("id")));
  SHOAL_WEB_TRY(events, store::list_events(call.store, run->id, *after, static_cast<int>(*limit)));
  return json_response({{"events", store::to_json(*events)}, {"status", run->status}});
}

Response api_run_ideas(Call& call) {
  SHOAL_WEB_TRY(run, store::get_run(call.store, call.param("id")));
  store::IdeaQuery q;
  q.run_id = run->id;
  q.text = call.query("q");
  q.sort = call.query("sort", "rank");
  q.decision = call.query("decision");
  q.status = call.query("status");
  SHOAL_WEB_TRY(descending, descending_param(call.target, q.sort != "rank" && q.sort != "title" && q.sort != "created"));
  q.descending = *descending;
  SHOAL_WEB_TRY(ranges, score_ranges(call.target));
  q.ranges = *ranges;
  SHOAL_WEB_TRY(ideas, store::find_ideas(call.store, q));
  return json_response({{"ideas", store::to_json(*ideas)}, {"score_names", store::score_names()}});
}

namespace {

Response agreement_of(Call& call, const std::string& run_id) {
  SHOAL_WEB_TRY(rows, store::agreement_rows(call.store, run_id));
  json j = agreement_json(*rows, agreement_stats(*rows));
  j["run_id"] = run_id;
  return json_response(j);
}

}  // namespace

Response api_run_agreement(Call& call) {
  SHOAL_WEB_TRY(run, store::get_run(call.store, call.param("id")));
  return agreement_of(call, run->id);
}

Response api_agreement(Call& call) { return agreement_of(call, ""); }

}  // namespace shoal::web
