#include "store/records.hpp"

namespace shoal::store {
namespace {

using nlohmann::json;

// An optional as its value, or null when unset.
template <class T>
json value_or_null(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

// The listing keys that LlmCall and LlmCallInfo share (neither body).
template <class Call>
json call_keys(const Call& c) {
  return {{"id", c.id},
          {"run_id", c.run_id},
          {"idea_id", c.idea_id},
          {"stage", c.stage},
          {"provider", c.provider},
          {"model", c.model},
          {"status", c.status},
          {"error", c.error},
          {"tokens_in", c.tokens_in},
          {"tokens_out", c.tokens_out},
          {"tokens_cached", c.tokens_cached},
          {"cost_usd", c.cost_usd},
          {"latency_ms", c.latency_ms},
          {"created_ms", c.created_ms}};
}

}  // namespace

json stored_json(std::string_view text) {
  if (text.empty()) return nullptr;
  auto doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return doc.is_discarded() ? json(text) : doc;
}

json to_json(const Run& r) {
  return {{"id", r.id},
          {"template", r.template_name},
          {"template_hash", r.template_hash},
          {"model", r.model},
          {"status", r.status},
          {"config", stored_json(r.config_json)},
          {"budget_usd", r.budget_usd},
          {"cost_usd", r.cost_usd},
          {"unsafe_no_sandbox", r.unsafe_no_sandbox},
          {"created_ms", r.created_ms},
          {"started_ms", value_or_null(r.started_ms)},
          {"ended_ms", value_or_null(r.ended_ms)},
          {"error", r.error}};
}

json to_json(const RunProgress& p) {
  return {{"ideas", p.ideas},
          {"by_status", p.by_status},
          {"papers", p.papers},
          {"reviewed", p.reviewed},
          {"best_score", value_or_null(p.best_score)},
          {"waiting_for_provider_since", p.waiting_for_provider_since.empty() ? json(nullptr) : json(p.waiting_for_provider_since)}};
}

json to_json(const Event& e) {
  return {{"id", e.id},
          {"run_id", e.run_id},
          {"idea_id", e.idea_id},
          {"kind", e.kind},
          {"message", e.message},
          {"data", stored_json(e.data_json)},
          {"created_ms", e.created_ms}};
}

json to_json(const Idea& i) {
  return {{"id", i.id},
          {"run_id", i.run_id},
          {"name", i.name},
          {"title", i.title},
          {"idea", stored_json(i.idea_json)},
          {"interestingness", value_or_null(i.interestingness)},
          {"feasibility", value_or_null(i.feasibility)},
          {"novelty", value_or_null(i.novelty)},
          {"novel", value_or_null(i.novel)},
          {"novelty_verdict", store::novelty_verdict(i)},
          {"novelty_report", stored_json(i.novelty_json)},
          {"rank", value_or_null(i.rank)},
          {"status", i.status},
          {"stage", i.stage},
          {"best_metric", value_or_null(i.best_metric)},
          {"created_ms", i.created_ms}};
}

json to_json(const Node& n) {
  return {{"id", n.id},
          {"idea_id", n.idea_id},
          {"template_hash", n.template_hash},
          {"parent_id", n.parent_id},
          {"kind", n.kind},
          {"code_hash", n.code_hash},
          {"has_code", !n.code_hash.empty()},
          {"command", n.command},
          {"plan", n.plan},
          {"step", n.step},
          {"seed", value_or_null(n.seed)},
          {"status", n.status},
          {"exit_code", value_or_null(n.exit_code)},
          {"signal", n.signal},
          {"limit_hit", n.limit_hit},
          {"metrics", stored_json(n.metrics_json)},
          {"metric", value_or_null(n.metric)},
          {"duration_s", n.duration_s},
          {"created_ms", n.created_ms},
          {"ended_ms", value_or_null(n.ended_ms)},
          {"search", stored_json(n.search_json)}};
}

json node_output_json(const Node& n) {
  json j = to_json(n);
  j["stdout_tail"] = n.stdout_tail;
  j["stderr_tail"] = n.stderr_tail;
  return j;
}

json to_json(const Paper& p) {
  return {{"id", p.id},
          {"idea_id", p.idea_id},
          {"attempt", p.attempt},
          {"status", p.status},
          {"title", p.title},
          {"abstract", p.abstract},
          {"has_pdf", !p.pdf_hash.empty()},
          {"has_tex", !p.tex_hash.empty()},
          {"pages", value_or_null(p.pages)},
          {"unverified", stored_json(p.unverified_json)},
          {"verified", unverified_count(p) == 0},
          {"finished", paper_finished(p)},
          {"citations", stored_json(p.citations_json)},
          {"checks", stored_json(p.checks_json)},
          {"error", p.error},
          {"created_ms", p.created_ms}};
}

json to_json(const Reproduction& r) {
  auto counts = reproduction_counts(r.details_json);
  return {{"id", r.id},
          {"paper_id", r.paper_id},
          {"outcome", r.outcome},
          {"details", stored_json(r.details_json)},
          {"values", counts.values},
          {"differing", counts.differing},
          {"created_ms", r.created_ms}};
}

json to_json(const Review& r) {
  return {{"id", r.id},
          {"paper_id", r.paper_id},
          {"reviewer_kind", r.reviewer_kind},
          {"reviewer", r.reviewer},
          {"overall", value_or_null(r.overall)},
          {"decision", r.decision},
          {"originality", value_or_null(r.originality)},
          {"quality", value_or_null(r.quality)},
          {"clarity", value_or_null(r.clarity)},
          {"significance", value_or_null(r.significance)},
          {"soundness", value_or_null(r.soundness)},
          {"presentation", value_or_null(r.presentation)},
          {"contribution", value_or_null(r.contribution)},
          {"confidence", value_or_null(r.confidence)},
          {"form", stored_json(r.scores_json)},
          {"text", r.text},
          {"status", r.status},
          {"error", r.error},
          {"created_ms", r.created_ms}};
}

json to_json(const LlmCall& c) { return call_keys(c); }

json to_json(const LlmCallInfo& c) {
  json j = call_keys(c);
  if (!c.request_json.empty()) j["request"] = stored_json(c.request_json);
  if (!c.response_json.empty()) j["response"] = stored_json(c.response_json);
  return j;
}

json to_json(const Artifact& a) {
  return {{"id", a.id},
          {"kind", a.kind},
          {"name", a.name},
          {"owner_kind", a.owner_kind},
          {"owner_id", a.owner_id},
          {"mime", a.mime},
          {"size", a.size},
          {"created_ms", a.created_ms}};
}

json to_json(const StageExecution& s) {
  return {{"id", s.id},
          {"run_id", s.run_id},
          {"idea_id", s.idea_id},
          {"stage", s.stage},
          {"status", s.status},
          {"attempts", s.attempts},
          {"started_ms", value_or_null(s.started_ms)},
          {"ended_ms", value_or_null(s.ended_ms)},
          {"cost_usd", s.cost_usd},
          {"error_kind", s.error_kind},
          {"error", s.error}};
}

json to_json(const PaperScores& s) {
  json j = json::object();
  for (const auto& name : score_names()) j[name] = value_or_null(score_value(s, name));
  j["ai_count"] = s.ai_count;
  j["human_count"] = s.human_count;
  j["decision"] = s.decision;
  j["human_decision"] = s.human_decision;
  return j;
}

json to_json(const PaperSummary& s) {
  return {{"id", s.paper_id},
          {"idea_id", s.idea_id},
          {"idea_name", s.idea_name},
          {"run_id", s.run_id},
          {"attempt", s.attempt},
          {"status", s.status},
          {"title", s.title},
          {"abstract", s.abstract},
          {"pages", value_or_null(s.pages)},
          {"has_pdf", s.has_pdf},
          {"thumbnail_id", s.thumbnail_id},
          {"created_ms", s.created_ms},
          {"current", s.current},
          {"scores", to_json(s.scores)},
          {"trust", to_json(s.trust)}};
}

json to_json(const PaperTrust& t) {
  return {{"unverified", t.unverified},
          {"verified", t.unverified == 0},
          {"reproduction", t.reproduction.empty() ? json(nullptr) : json(t.reproduction)},
          {"reproduction_values", t.reproduced.values},
          {"reproduction_differing", t.reproduced.differing}};
}

json to_json(const IdeaSummary& s) {
  json j = to_json(s.idea);
  j["paper_id"] = s.paper_id;
  j["paper_title"] = s.paper_title;
  j["abstract"] = s.abstract;
  j["thumbnail_id"] = s.thumbnail_id;
  j["trust"] = s.paper_id.empty() ? json(nullptr) : to_json(s.trust);
  j["scores"] = to_json(s.scores);
  return j;
}

json to_json(const AgreementRow& r) {
  return {{"paper_id", r.paper_id},
          {"idea_id", r.idea_id},
          {"title", r.title},
          {"ai_score", value_or_null(r.ai_score)},
          {"human_score", value_or_null(r.human_score)},
          {"ai_decision", r.ai_decision},
          {"human_decision", r.human_decision},
          {"human_count", r.human_count}};
}

}  // namespace shoal::store
