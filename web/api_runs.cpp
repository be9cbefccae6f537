// Runs: the list with progress, one run with its stages and baseline, its events (polled
// for live updates), its ideas with sorting, filtering and search, and its agreement view.
#include "store/llm_calls.hpp"
#include "web/agreement.hpp"
#include "web/handlers.hpp"
#include "web/json_views.hpp"
#include "web/params.hpp"
#include "web/responses.hpp"

namespace shoal::web {

Response api_runs(Call& call) {
  SHOAL_WEB_TRY(runs, store::list_runs(call.store));
  SHOAL_WEB_TRY(progress, store::run_progress(call.store));
  json list = json::array();
  for (const auto& run : *runs) {
    auto p = progress->find(run.id);
    list.push_back(run_json(run, p == progress->end() ? nullptr : &p->second));
  }
  return json_response({{"runs", list}});
}

Response api_run(Call& call) {
  SHOAL_WEB_TRY(run, store::get_run(call.store, call.param("id")));
  SHOAL_WEB_TRY(progress, store::run_progress(call.store));
  SHOAL_WEB_TRY(stages, store::list_stages(call.store, run->id));
  SHOAL_WEB_TRY(spend, store::llm_spend_of_run(call.store, run->id));
  SHOAL_WEB_TRY(baseline, store::find_baseline(call.store, run->template_hash));

  auto p = progress->find(run->id);
  json j = run_json(*run, p == progress->end() ? nullptr : &p->second);
  json stage_list = json::array();
  for (const auto& s : *stages) stage_list.push_back(stage_json(s));
  j["stages"] = stage_list;
  j["llm"] = {{"calls", spend->calls}, {"tokens", spend->tokens}, {"cost_usd", spend->cost_usd}};
  j["baseline"] = *baseline ? node_json(**baseline, false) : json(nullptr);
  return json_response(j);
}

Response api_run_events(Call& call) {
  SHOAL_WEB_TRY(after, int_param(call.target, "after", 0, 0, INT64_MAX));
  SHOAL_WEB_TRY(limit, int_param(call.target, "limit", 200, 1, 1000));
  SHOAL_WEB_TRY(run, store::get_run(call.store, call.param("id")));
  SHOAL_WEB_TRY(events, store::list_events(call.store, run->id, *after, static_cast<int>(*limit)));
  json list = json::array();
  for (const auto& e : *events) list.push_back(event_json(e));
  return json_response({{"events", list}, {"status", run->status}});
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
  json list = json::array();
  for (const auto& i : *ideas) list.push_back(idea_summary_json(i));
  return json_response({{"ideas", list}, {"score_names", store::score_names()}});
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
