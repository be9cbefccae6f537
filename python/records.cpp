#include "python/records.hpp"

namespace shoal::python {
using nlohmann::json;

namespace {

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

// Embedded JSON text as a value (null when it does not parse).
json parsed(const std::string& text) {
  auto j = json::parse(text.empty() ? "null" : text, nullptr, false);
  return j.is_discarded() ? json(nullptr) : j;
}

}  // namespace

json record(const store::Run& r) {
  return {{"id", r.id}, {"template", r.template_name}, {"model", r.model}, {"status", r.status},
          {"budget_usd", r.budget_usd}, {"cost_usd", r.cost_usd}, {"created_ms", r.created_ms},
          {"started_ms", opt(r.started_ms)}, {"ended_ms", opt(r.ended_ms)}, {"error", r.error},
          {"config", parsed(r.config_json)}};
}

json record(const store::Idea& i) {
  return {{"id", i.id}, {"run_id", i.run_id}, {"name", i.name}, {"title", i.title}, {"status", i.status},
          {"stage", i.stage}, {"rank", opt(i.rank)}, {"novel", opt(i.novel)}, {"best_metric", opt(i.best_metric)},
          {"interestingness", opt(i.interestingness)}, {"feasibility", opt(i.feasibility)},
          {"novelty", opt(i.novelty)}, {"idea", parsed(i.idea_json)}, {"created_ms", i.created_ms}};
}

json record(const store::Node& n) {
  return {{"id", n.id}, {"idea_id", n.idea_id}, {"parent_id", n.parent_id}, {"kind", n.kind}, {"step", n.step},
          {"seed", opt(n.seed)}, {"status", n.status}, {"plan", n.plan}, {"command", n.command},
          {"metric", opt(n.metric)}, {"metrics", parsed(n.metrics_json)}, {"exit_code", opt(n.exit_code)},
          {"limit_hit", n.limit_hit}, {"duration_s", n.duration_s}, {"code_hash", n.code_hash},
          {"created_ms", n.created_ms}};
}

json record(const store::Paper& p) {
  return {{"id", p.id}, {"idea_id", p.idea_id}, {"attempt", p.attempt}, {"status", p.status}, {"title", p.title},
          {"abstract", p.abstract}, {"pages", opt(p.pages)}, {"has_pdf", !p.pdf_hash.empty()},
          {"unverified", parsed(p.unverified_json)}, {"citations", parsed(p.citations_json)},
          {"checks", parsed(p.checks_json)}, {"error", p.error}, {"created_ms", p.created_ms}};
}

json record(const store::Review& r) {
  return {{"id", r.id}, {"paper_id", r.paper_id}, {"reviewer_kind", r.reviewer_kind}, {"reviewer", r.reviewer},
          {"status", r.status}, {"overall", opt(r.overall)}, {"decision", r.decision},
          {"originality", opt(r.originality)}, {"quality", opt(r.quality)}, {"clarity", opt(r.clarity)},
          {"significance", opt(r.significance)}, {"soundness", opt(r.soundness)},
          {"presentation", opt(r.presentation)}, {"contribution", opt(r.contribution)},
          {"confidence", opt(r.confidence)}, {"text", r.text}, {"error", r.error}, {"created_ms", r.created_ms}};
}

json record(const store::LlmCall& c) {
  return {{"id", c.id}, {"run_id", c.run_id}, {"idea_id", c.idea_id}, {"stage", c.stage}, {"provider", c.provider},
          {"model", c.model}, {"status", c.status}, {"error", c.error}, {"tokens_in", c.tokens_in},
          {"tokens_out", c.tokens_out}, {"tokens_cached", c.tokens_cached}, {"cost_usd", c.cost_usd},
          {"latency_ms", c.latency_ms}, {"created_ms", c.created_ms}};
}

json record(const store::Artifact& a) {
  return {{"id", a.id}, {"kind", a.kind}, {"name", a.name}, {"owner_kind", a.owner_kind}, {"owner_id", a.owner_id},
          {"mime", a.mime}, {"size", a.size}, {"created_ms", a.created_ms}};
}

}  // namespace shoal::python
