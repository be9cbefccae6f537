#include "agent/stage_outputs.hpp"

namespace shoal::agent {
using nlohmann::json;
namespace {

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

std::optional<double> number_or_none(const json& j, const char* key) {
  if (j.contains(key) && j[key].is_number()) return j[key].get<double>();
  return std::nullopt;
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array())
    for (const auto& v : j[key])
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

void to_json(json& j, const BaselineOut& o) {
  j = {{"node_id", o.node_id},
       {"metric", optional_number(o.metric)},
       {"headline", {{"name", o.headline.name},
                     {"higher_is_better", o.headline.higher_is_better},
                     {"source", o.headline.source},
                     {"direction_source", o.headline.direction_source}}}};
}
void from_json(const json& j, BaselineOut& o) {
  o.node_id = j.value("node_id", "");
  o.metric = number_or_none(j, "metric");
  if (j.contains("headline") && j["headline"].is_object()) {
    const auto& h = j["headline"];
    o.headline.name = h.value("name", "");
    o.headline.higher_is_better = h.value("higher_is_better", true);
    o.headline.source = h.value("source", "");
    o.headline.direction_source = h.value("direction_source", "");
  }
}

void to_json(json& j, const IdeasOut& o) {
  json ids = json::array();
  for (const auto& i : o.ideas) ids.push_back(i.id);
  j = {{"ideas", ids}, {"offline_baseline_agent", o.offline}};
}
void from_json(const json& j, IdeasOut& o) {
  o.ideas.clear();
  for (const auto& id : strings(j, "ideas")) o.ideas.push_back(store::Idea{.id = id});
  o.offline = j.value("offline_baseline_agent", false);
}

void to_json(json& j, const NoveltyOut& o) { j = {{"novel", o.novel}, {"verdict", o.verdict}}; }
void from_json(const json& j, NoveltyOut& o) {
  o.novel = j.value("novel", true);
  o.verdict = j.value("verdict", o.novel ? "novel" : "not novel");
}

void to_json(json& j, const RankOut& o) { j = {{"selected", o.selected}}; }
void from_json(const json& j, RankOut& o) { o.selected = strings(j, "selected"); }

void to_json(json& j, const ExperimentOutcome& o) {
  json plotted = json::array();
  for (const auto& p : o.plotted) plotted.push_back({{"node_id", p.node_id}, {"label", p.label}});
  j = {{"best_node_id", o.best_node_id}, {"nodes", o.nodes}, {"failed", o.failed}, {"plotted", plotted},
       {"best_metric", optional_number(o.best_metric)}};
}
void from_json(const json& j, ExperimentOutcome& o) {
  o.best_node_id = j.value("best_node_id", "");
  o.nodes = j.value("nodes", 0);
  o.failed = j.value("failed", 0);
  o.best_metric = number_or_none(j, "best_metric");
  o.plotted.clear();
  for (const auto& p : j.value("plotted", json::array())) o.plotted.push_back({p.value("node_id", ""), p.value("label", "")});
}

void to_json(json& j, const PlotsOut& o) {
  json plots = json::array();
  for (const auto& p : o.plots) {
    json entry = {{"name", p.name}, {"artifact_id", p.artifact_id}, {"caption", p.caption}};
    if (!p.note.empty()) entry["note"] = p.note;
    plots.push_back(entry);
  }
  j = {{"plots", plots}, {"node_id", o.node_id}, {"images_reviewed", o.images_reviewed}};
  if (!o.first_review.empty()) {
    j["first_review"] = o.first_review;
    j["plot_fixed"] = o.plot_fixed;
  }
}
void from_json(const json& j, PlotsOut& o) {
  o.node_id = j.value("node_id", "");
  o.images_reviewed = j.value("images_reviewed", 0);
  o.first_review = j.value("first_review", "");
  o.plot_fixed = j.value("plot_fixed", false);
  o.plots.clear();
  for (const auto& p : j.value("plots", json::array()))
    o.plots.push_back({p.value("name", ""), p.value("artifact_id", int64_t{0}), p.value("caption", ""), p.value("note", "")});
}

void to_json(json& j, const WriteupResult& o) { j = o.to_json(); }
void from_json(const json& j, WriteupResult& o) {
  o.paper.id = j.value("paper_id", "");
  o.paper.attempt = j.value("attempt", 0);
  if (j.contains("pages") && j["pages"].is_number_integer()) o.paper.pages = j["pages"].get<int>();
  o.attempt_ids = strings(j, "attempts");
  o.citations_added = strings(j, "citations_added");
  o.dropped_citations = strings(j, "dropped_citations");
  o.literature_unreachable = j.value("literature_unreachable", false);
  o.llm_calls = j.value("llm_calls", 0);
}

void to_json(json& j, const ReviewOutcome& o) { j = o.to_json(); }
void from_json(const json& j, ReviewOutcome& o) {
  o.reviews.clear();
  for (const auto& id : j.value("review_ids", json::array()))
    if (id.is_number_integer()) o.reviews.push_back(store::Review{.id = id.get<int64_t>()});
  o.failed = j.value("failed", 0);
  if (j.contains("meta_id")) {
    store::Review meta;
    meta.id = j.value("meta_id", int64_t{0});
    meta.overall = number_or_none(j, "overall");
    meta.decision = j.value("decision", "");
    o.meta = meta;
  }
}

void to_json(json& j, const RevisionOutcome& o) { j = o.to_json(); }
void from_json(const json& j, RevisionOutcome& o) {
  o.before_paper_id = j.value("before_paper_id", "");
  o.after_paper_id = j.value("paper_id", "");
  o.overall_before = number_or_none(j, "overall_before");
  o.overall_after = number_or_none(j, "overall_after");
}

}  // namespace shoal::agent
