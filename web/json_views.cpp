#include "web/json_views.hpp"

namespace shoal::web {
namespace {

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

json embedded_json(const std::string& text) {
  if (text.empty()) return nullptr;
  auto doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return doc.is_discarded() ? json(text) : doc;
}

json run_json(const store::Run& r, const store::RunProgress* p) {
  json j{{"id", r.id},           {"template", r.template_name}, {"template_hash", r.template_hash},
         {"model", r.model},     {"status", r.status},          {"config", embedded_json(r.config_json)},
         {"budget_usd", r.budget_usd}, {"cost_usd", r.cost_usd}, {"unsafe_no_sandbox", r.unsafe_no_sandbox},
         {"created_ms", r.created_ms}, {"started_ms", opt(r.started_ms)}, {"ended_ms", opt(r.ended_ms)},
         {"error", r.error}};
  store::RunProgress none;
  const auto& progress = p ? *p : none;
  j["progress"] = {{"ideas", progress.ideas},       {"by_status", progress.by_status},
                   {"papers", progress.papers},     {"reviewed", progress.reviewed},
                   {"best_score", opt(progress.best_score)}};
  return j;
}

json idea_json(const store::Idea& i) {
  return {{"id", i.id},
          {"run_id", i.run_id},
          {"name", i.name},
          {"title", i.title},
          {"idea", embedded_json(i.idea_json)},
          {"interestingness", opt(i.interestingness)},
          {"feasibility", opt(i.feasibility)},
          {"novelty", opt(i.novelty)},
          {"novel", opt(i.novel)},
          {"novelty_report", embedded_json(i.novelty_json)},
          {"rank", opt(i.rank)},
          {"status", i.status},
          {"stage", i.stage},
          {"best_metric", opt(i.best_metric)},
          {"created_ms", i.created_ms}};
}

json scores_json(const store::PaperScores& s) {
  json j = json::object();
  for (const auto& name : store::score_names()) j[name] = opt(store::score_value(s, name));
  j["ai_count"] = s.ai_count;
  j["human_count"] = s.human_count;
  j["decision"] = s.decision;
  j["human_decision"] = s.human_decision;
  return j;
}

json idea_summary_json(const store::IdeaSummary& s) {
  json j = idea_json(s.idea);
  j["paper_id"] = s.paper_id;
  j["paper_title"] = s.paper_title;
  j["abstract"] = s.abstract;
  j["thumbnail_id"] = s.thumbnail_id;
  j["scores"] = scores_json(s.scores);
  return j;
}

json paper_summary_json(const store::PaperSummary& s) {
  return {{"id", s.paper_id},       {"idea_id", s.idea_id},   {"idea_name", s.idea_name},
          {"run_id", s.run_id},     {"attempt", s.attempt},   {"status", s.status},
          {"title", s.title},       {"abstract", s.abstract}, {"pages", opt(s.pages)},
          {"has_pdf", s.has_pdf},   {"thumbnail_id", s.thumbnail_id}, {"created_ms", s.created_ms},
          {"current", s.current},   {"scores", scores_json(s.scores)}};
}

json paper_json(const store::Paper& p) {
  return {{"id", p.id},
          {"idea_id", p.idea_id},
          {"attempt", p.attempt},
          {"status", p.status},
          {"title", p.title},
          {"abstract", p.abstract},
          {"has_pdf", !p.pdf_hash.empty()},
          {"has_tex", !p.tex_hash.empty()},
          {"pages", opt(p.pages)},
          {"unverified", embedded_json(p.unverified_json)},
          {"citations", embedded_json(p.citations_json)},
          {"checks", embedded_json(p.checks_json)},
          {"error", p.error},
          {"created_ms", p.created_ms}};
}

json review_json(const store::Review& r) {
  return {{"id", r.id},
          {"paper_id", r.paper_id},
          {"reviewer_kind", r.reviewer_kind},
          {"reviewer", r.reviewer},
          {"overall", opt(r.overall)},
          {"decision", r.decision},
          {"originality", opt(r.originality)},
          {"quality", opt(r.quality)},
          {"clarity", opt(r.clarity)},
          {"significance", opt(r.significance)},
          {"soundness", opt(r.soundness)},
          {"presentation", opt(r.presentation)},
          {"contribution", opt(r.contribution)},
          {"confidence", opt(r.confidence)},
          {"form", embedded_json(r.scores_json)},
          {"text", r.text},
          {"status", r.status},
          {"error", r.error},
          {"created_ms", r.created_ms}};
}

json node_json(const store::Node& n, bool with_tails) {
  json j{{"id", n.id},           {"idea_id", n.idea_id},     {"parent_id", n.parent_id},
         {"kind", n.kind},       {"has_code", !n.code_hash.empty()}, {"command", n.command},
         {"plan", n.plan},       {"step", n.step},           {"seed", opt(n.seed)},
         {"status", n.status},   {"exit_code", opt(n.exit_code)}, {"signal", n.signal},
         {"limit_hit", n.limit_hit}, {"metric", opt(n.metric)}, {"duration_s", n.duration_s},
         {"created_ms", n.created_ms}, {"ended_ms", opt(n.ended_ms)}};
  if (with_tails) {
    j["metrics"] = embedded_json(n.metrics_json);
    j["stdout_tail"] = n.stdout_tail;
    j["stderr_tail"] = n.stderr_tail;
  }
  return j;
}

json artifact_json(const store::Artifact& a) {
  return {{"id", a.id},     {"kind", a.kind}, {"name", a.name},   {"owner_kind", a.owner_kind},
          {"owner_id", a.owner_id}, {"mime", a.mime}, {"size", a.size}, {"created_ms", a.created_ms}};
}

json event_json(const store::Event& e) {
  return {{"id", e.id},       {"run_id", e.run_id}, {"idea_id", e.idea_id}, {"kind", e.kind},
          {"message", e.message}, {"data", embedded_json(e.data_json)}, {"created_ms", e.created_ms}};
}

json stage_json(const store::StageExecution& s) {
  return {{"id", s.id},
          {"idea_id", s.idea_id},
          {"stage", s.stage},
          {"status", s.status},
          {"attempts", s.attempts},
          {"started_ms", opt(s.started_ms)},
          {"ended_ms", opt(s.ended_ms)},
          {"cost_usd", s.cost_usd},
          {"error_kind", s.error_kind},
          {"error", s.error}};
}

json llm_call_json(const store::LlmCallInfo& c) {
  json j{{"id", c.id},           {"run_id", c.run_id},         {"idea_id", c.idea_id},
         {"stage", c.stage},     {"provider", c.provider},     {"model", c.model},
         {"status", c.status},   {"error", c.error},           {"tokens_in", c.tokens_in},
         {"tokens_out", c.tokens_out}, {"tokens_cached", c.tokens_cached}, {"cost_usd", c.cost_usd},
         {"latency_ms", c.latency_ms}, {"created_ms", c.created_ms}};
  if (!c.request_json.empty()) j["request"] = embedded_json(c.request_json);
  if (!c.response_json.empty()) j["response"] = embedded_json(c.response_json);
  return j;
}

json file_diff_json(const FileDiff& f) {
  json hunks = json::array();
  for (const auto& h : f.hunks) {
    json lines = json::array();
    for (const auto& l : h.lines) lines.push_back({std::string(1, l.op), l.text, l.old_line, l.new_line});
    hunks.push_back({{"old_start", h.old_start}, {"old_count", h.old_count}, {"new_start", h.new_start},
                     {"new_count", h.new_count}, {"lines", lines}});
  }
  return {{"name", f.name}, {"status", f.status}, {"added", f.added}, {"removed", f.removed}, {"hunks", hunks}};
}

json agreement_json(const std::vector<store::AgreementRow>& rows, const AgreementStats& s) {
  json points = json::array();
  for (const auto& r : rows)
    points.push_back({{"paper_id", r.paper_id},       {"idea_id", r.idea_id},           {"title", r.title},
                      {"ai_score", opt(r.ai_score)},  {"human_score", opt(r.human_score)},
                      {"ai_decision", r.ai_decision}, {"human_decision", r.human_decision},
                      {"human_count", r.human_count}});
  return {{"points", points},
          {"stats",
           {{"papers", s.papers},
            {"scored", s.scored},
            {"pearson", opt(s.pearson)},
            {"spearman", opt(s.spearman)},
            {"mean_abs_diff", opt(s.mean_abs_diff)},
            {"decided", s.decided},
            {"agree", s.agree},
            {"agreement", opt(s.agreement)},
            {"kappa", opt(s.kappa)}}}};
}

}  // namespace shoal::web
