// Papers: the sorted, filtered and searched list, one paper with everything behind it, its
// PDF, several side by side, and the human review form's submission.
#include "core/text.hpp"
#include "store/blobs.hpp"
#include "store/catalog.hpp"
#include "store/ideas.hpp"
#include "store/papers.hpp"
#include "store/records.hpp"
#include "store/reproductions.hpp"
#include "store/review_scores.hpp"
#include "store/reviews.hpp"
#include "web/handlers.hpp"
#include "web/json_views.hpp"
#include "web/params.hpp"
#include "web/responses.hpp"
#include "web/review_form.hpp"

namespace shoal::web {
namespace {

// Whether an LLM call belongs to the review of a paper (the review and meta-review stages).
bool is_review_stage(const std::string& stage) { return stage.find("review") != std::string::npos; }

}  // namespace

Response api_papers(Call& call) {
  store::PaperQuery q;
  q.run_id = call.query("run");
  q.text = call.query("q");
  q.sort = call.query("sort", "score");
  q.decision = call.query("decision");
  SHOAL_WEB_TRY(descending, descending_param(call.target, q.sort != "title"));
  q.descending = *descending;
  SHOAL_WEB_TRY(ranges, score_ranges(call.target));
  q.ranges = *ranges;
  SHOAL_WEB_TRY(page, int_param(call.target, "page", 1, 1, 1000000));
  SHOAL_WEB_TRY(per_page, int_param(call.target, "per_page", 25, 1, 100));
  q.limit = static_cast<int>(*per_page);
  q.offset = static_cast<int>((*page - 1) * *per_page);
  SHOAL_WEB_TRY(result, store::find_papers(call.store, q));
  return json_response({{"total", result->total},
                        {"page", *page},
                        {"per_page", *per_page},
                        {"items", store::to_json(result->items)},
                        {"score_names", store::score_names()}});
}

Response api_paper(Call& call) {
  SHOAL_WEB_TRY(paper, store::get_paper(call.store, call.param("id")));
  SHOAL_WEB_TRY(summary, store::paper_summary(call.store, paper->id));
  SHOAL_WEB_TRY(idea, store::get_idea(call.store, paper->idea_id));
  SHOAL_WEB_TRY(reviews, store::list_reviews(call.store, paper->id));
  SHOAL_WEB_TRY(artifacts, store::list_artifacts(call.store, "paper", paper->id));
  SHOAL_WEB_TRY(attempts, store::list_papers(call.store, paper->idea_id));
  SHOAL_WEB_TRY(calls, store::idea_llm_calls(call.store, paper->idea_id));

  json j = store::to_json(*paper);
  j["run_id"] = idea->run_id;
  j["idea"] = {{"id", idea->id}, {"name", idea->name}, {"title", idea->title}, {"status", idea->status}};
  j["scores"] = store::to_json(summary->scores);
  j["current"] = summary->current;
  j["trust"] = store::to_json(summary->trust);
  j["thumbnail_id"] = summary->thumbnail_id;
  j["reviews"] = store::to_json(*reviews);
  j["artifacts"] = store::to_json(*artifacts);
  json attempt_list = json::array();
  for (const auto& a : *attempts)
    attempt_list.push_back({{"id", a.id}, {"attempt", a.attempt}, {"status", a.status}, {"error", a.error}});
  j["attempts"] = attempt_list;
  json call_list = json::array();
  double cost = 0;
  for (const auto& c : *calls) {
    if (!is_review_stage(c.stage)) continue;
    call_list.push_back(store::to_json(c));
    cost += c.cost_usd;
  }
  j["review_calls"] = call_list;
  j["review_cost_usd"] = cost;
  // The newest `shoal reproduce` of this paper (null when it was never re-run).
  SHOAL_WEB_TRY(reproduction, store::latest_reproduction(call.store, paper->id));
  j["reproduction"] = *reproduction ? store::to_json(**reproduction) : json(nullptr);
  return json_response(j);
}

Response api_paper_pdf(Call& call) {
  SHOAL_WEB_TRY(paper, store::get_paper(call.store, call.param("id")));
  if (paper->pdf_hash.empty())
    return error_response(404, ErrorKind::not_found,
                          "paper " + paper->id + " has no PDF" + (paper->error.empty() ? "" : " (" + paper->error + ")"));
  SHOAL_WEB_TRY(data, store::get_blob(call.store, paper->pdf_hash));
  return blob_response(std::move(*data), "application/pdf", paper->id + ".pdf", call.query("download") == "1");
}

namespace {

// The stored first-page image of a paper: the reviewer's page_image, else a preview stored
// by an earlier request; nullopt when neither exists.
Expected<std::optional<store::Artifact>> stored_preview(store::Store& store, const std::string& paper_id) {
  SHOAL_TRY(artifacts, store::list_artifacts(store, "paper", paper_id));
  for (const char* kind : {"page_image", "preview"})
    for (const auto& a : artifacts)
      if (a.kind == kind) return std::optional<store::Artifact>(a);
  return std::optional<store::Artifact>();
}

Response preview_response(store::Store& store, const store::Artifact& a) {
  SHOAL_WEB_TRY(png, store::get_blob(store, a.hash));
  return blob_response(std::move(*png), a.mime, a.name, false);
}

}  // namespace

Response api_paper_preview(Call& call) {
  SHOAL_WEB_TRY(paper, store::get_paper(call.store, call.param("id")));
  if (paper->pdf_hash.empty())
    return error_response(404, ErrorKind::not_found, "paper " + paper->id + " has no PDF, so no preview");
  SHOAL_WEB_TRY(found, stored_preview(call.store, paper->id));
  if (*found) return preview_response(call.store, **found);
  const auto& render = call.app.options().render_first_page;
  if (!render) return error_response(404, ErrorKind::not_found, "paper " + paper->id + " has no stored page image");
  // One render per paper: whoever waited for the lock finds the first one's image stored.
  std::lock_guard lock(call.app.preview_mutex());
  SHOAL_WEB_TRY(again, stored_preview(call.store, paper->id));
  if (*again) return preview_response(call.store, **again);
  SHOAL_WEB_TRY(pdf, store::get_blob(call.store, paper->pdf_hash));
  SHOAL_WEB_TRY(png, render(*pdf));
  SHOAL_WEB_TRY(stored, store::add_artifact(call.store, {"preview", "preview.png", "paper", paper->id, "image/png"}, *png));
  return blob_response(std::move(*png), stored->mime, stored->name, false);
}

Response api_compare(Call& call) {
  auto ids = split_items(call.query("ids"));
  if (ids.size() < 2 || ids.size() > 6)
    return error_response(400, ErrorKind::invalid_input, "compare 2 to 6 papers: ?ids=ID1,ID2");
  json papers = json::array();
  for (const auto& id : ids) {
    SHOAL_WEB_TRY(paper, store::get_paper(call.store, id));
    SHOAL_WEB_TRY(summary, store::paper_summary(call.store, id));
    SHOAL_WEB_TRY(reviews, store::list_reviews(call.store, id));
    SHOAL_WEB_TRY(idea, store::get_idea(call.store, paper->idea_id));
    json j = store::to_json(*summary);
    j["abstract"] = paper->abstract;  // the whole abstract; the summary's is cut short
    j["checks"] = store::stored_json(paper->checks_json);
    j["best_metric"] = idea->best_metric ? json(*idea->best_metric) : json(nullptr);
    j["idea_title"] = idea->title;
    j["novelty_verdict"] = store::novelty_verdict(*idea);
    j["unverified"] = store::stored_json(paper->unverified_json);
    j["citations"] = store::stored_json(paper->citations_json);
    j["reviews"] = store::to_json(*reviews);
    papers.push_back(j);
  }
  return json_response({{"papers", papers}, {"score_names", store::score_names()}});
}

Response api_review_scores(Call&) { return json_response(store::review_scores_json()); }

Response api_add_review(Call& call) {
  SHOAL_WEB_TRY(form, parse_human_review(call.request.body));
  SHOAL_WEB_TRY(paper, store::get_paper(call.store, call.param("id")));
  SHOAL_WEB_TRY(review, store::add_review(call.store, to_store_review(*form, paper->id)));
  SHOAL_WEB_TRY(summary, store::paper_summary(call.store, paper->id));
  return json_response({{"review", store::to_json(*review)}, {"scores", store::to_json(summary->scores)}}, 201);
}

}  // namespace shoal::web
