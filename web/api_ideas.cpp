// Ideas and their evidence: the experiment tree, a node's logs and artifacts, a node's code
// diff against its parent, an artifact's bytes and an LLM call's transcript.
#include "store/blobs.hpp"
#include "store/catalog.hpp"
#include "store/nodes.hpp"
#include "store/papers.hpp"
#include "store/records.hpp"
#include "store/runs.hpp"
#include "store/stages.hpp"
#include "web/handlers.hpp"
#include "web/json_views.hpp"
#include "web/params.hpp"
#include "web/responses.hpp"

namespace shoal::web {

Response api_idea(Call& call) {
  SHOAL_WEB_TRY(idea, store::get_idea(call.store, call.param("id")));
  SHOAL_WEB_TRY(run, store::get_run(call.store, idea->run_id));
  SHOAL_WEB_TRY(nodes, store::list_nodes(call.store, idea->id));
  SHOAL_WEB_TRY(papers, store::list_papers(call.store, idea->id));
  SHOAL_WEB_TRY(artifacts, store::list_artifacts(call.store, "idea", idea->id));
  SHOAL_WEB_TRY(calls, store::idea_llm_calls(call.store, idea->id));
  SHOAL_WEB_TRY(stages, store::list_stages(call.store, idea->run_id));
  SHOAL_WEB_TRY(baseline, store::find_baseline(call.store, run->template_hash));

  json j = store::to_json(*idea);
  json paper_list = json::array();
  for (const auto& p : *papers) {
    json pj = store::to_json(p);
    if (auto s = store::paper_summary(call.store, p.id); s.ok()) {
      pj["scores"] = store::to_json(s->scores);
      pj["current"] = s->current;
      pj["thumbnail_id"] = s->thumbnail_id;
    }
    paper_list.push_back(pj);
  }
  json stage_list = json::array();
  for (const auto& s : *stages)
    if (s.idea_id == idea->id) stage_list.push_back(store::to_json(s));
  double cost = 0;
  for (const auto& c : *calls) cost += c.cost_usd;
  j["run"] = {{"id", run->id}, {"template", run->template_name}, {"status", run->status}};
  j["baseline"] = *baseline ? store::to_json(**baseline) : json(nullptr);
  j["nodes"] = store::to_json(*nodes);
  j["papers"] = paper_list;
  j["artifacts"] = store::to_json(*artifacts);
  j["stages"] = stage_list;
  j["llm_calls"] = store::to_json(*calls);
  j["llm_cost_usd"] = cost;
  return json_response(j);
}

Response api_node(Call& call) {
  SHOAL_WEB_TRY(node, store::get_node(call.store, call.param("id")));
  SHOAL_WEB_TRY(artifacts, store::list_artifacts(call.store, "node", node->id));
  json j = store::node_output_json(*node);
  j["artifacts"] = store::to_json(*artifacts);
  return json_response(j);
}

Response api_node_diff(Call& call) {
  SHOAL_WEB_TRY(node, store::get_node(call.store, call.param("id")));
  std::string against = call.query("against", "parent");
  if (against != "parent" && against != "template")
    return error_response(400, ErrorKind::invalid_input, "against must be parent or template, not '" + against + "'");
  SHOAL_WEB_TRY(diff, node_diff_json(call.store, *node, against == "template"));
  return json_response(*diff);
}

Response api_artifact(Call& call) {
  SHOAL_WEB_TRY(id, parse_int(call.param("id"), "artifact id"));
  SHOAL_WEB_TRY(artifact, store::get_artifact(call.store, *id));
  SHOAL_WEB_TRY(data, store::get_blob(call.store, artifact->hash));
  return blob_response(std::move(*data), artifact->mime, artifact->name, call.query("download") == "1");
}

Response api_llm_call(Call& call) {
  SHOAL_WEB_TRY(id, parse_int(call.param("id"), "LLM call id"));
  SHOAL_WEB_TRY(transcript, store::llm_call_transcript(call.store, *id));
  return json_response(store::to_json(*transcript));
}

}  // namespace shoal::web
