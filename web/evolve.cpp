#include "web/evolve.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "store/ideas.hpp"
#include "store/runs.hpp"
#include "web/handlers.hpp"
#include "web/json_views.hpp"
#include "web/responses.hpp"

namespace shoal::web {
namespace {

// The search facts of a node, tolerant of missing or mistyped fields (a program stored by an
// older or newer search still shows).
struct Facts {
  int generation = 0;
  int island = 0;
  std::string op;
  json parents = json::array();
  std::string model;
  double cost_usd = 0;
  json descriptors = json::object();
  json cell = nullptr;
  json similar_to = nullptr;
  json similarity = nullptr;
};

json parse_search(const std::string& text) {
  if (text.empty()) return json::object();
  auto j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

int int_of(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<int>() : 0;
}

std::string string_of(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

Facts facts_of(const json& s) {
  Facts f;
  f.generation = int_of(s, "generation");
  f.island = int_of(s, "island");
  f.op = string_of(s, "operator");
  if (s.contains("parents") && s["parents"].is_array())
    for (const auto& p : s["parents"])
      if (p.is_string()) f.parents.push_back(p);
  f.model = string_of(s, "model");
  f.cost_usd = s.contains("cost_usd") && s["cost_usd"].is_number() ? s["cost_usd"].get<double>() : 0;
  if (s.contains("descriptors") && s["descriptors"].is_object()) f.descriptors = s["descriptors"];
  if (s.contains("cell") && s["cell"].is_array() && !s["cell"].empty()) f.cell = s["cell"];
  if (s.contains("rejected") && s["rejected"].is_object()) {
    const auto& r = s["rejected"];
    if (r.contains("similar_to") && r["similar_to"].is_string()) f.similar_to = r["similar_to"];
    if (r.contains("similarity") && r["similarity"].is_number()) f.similarity = r["similarity"];
  }
  return f;
}

bool evaluated(const store::Node& n) { return n.status == "done" || n.status == "failed" || n.status == "incomparable"; }
bool has_fitness(const store::Node& n) { return n.status == "done" && n.metric.has_value(); }

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

MetricDirection metric_direction(const std::optional<store::StageExecution>& stage) {
  MetricDirection d;
  if (!stage || stage->status != "done") return d;
  auto j = json::parse(stage->output_json, nullptr, false);
  if (!j.is_object() || !j.contains("headline") || !j["headline"].is_object()) return d;
  const auto& h = j["headline"];
  d.name = string_of(h, "name");
  if (h.contains("higher_is_better") && h["higher_is_better"].is_boolean()) {
    d.higher_is_better = h["higher_is_better"].get<bool>();
    d.known = true;
  }
  return d;
}

bool is_evolve_node(const store::Node& node) {
  if (node.search_json.find("evolve") == std::string::npos) return false;  // most nodes: "{}"
  return string_of(parse_search(node.search_json), "strategy") == "evolve";
}

std::optional<json> evolve_view(const std::vector<store::Node>& all, const MetricDirection& metric) {
  std::vector<std::pair<const store::Node*, Facts>> nodes;
  for (const auto& n : all) {
    if (n.search_json.find("evolve") == std::string::npos) continue;
    json s = parse_search(n.search_json);
    if (string_of(s, "strategy") == "evolve") nodes.emplace_back(&n, facts_of(s));
  }
  if (nodes.empty()) return std::nullopt;

  // a beats b (both with fitness); ties keep the earlier program.
  auto better = [&](double a, double b) { return metric.higher_is_better ? a > b : a < b; };

  json node_list = json::array(), rejected = json::array();
  int max_generation = 0, done = 0, failed = 0, in_flight = 0, programs = 0;
  double cost = 0;
  std::set<int> islands;
  struct Model {
    int programs = 0, rejected = 0;
    double cost_usd = 0;
  };
  std::map<std::string, Model> models;
  struct Generation {
    int programs = 0, rejected = 0;
    const store::Node* best = nullptr;
  };
  std::map<int, Generation> generations;
  struct Cell {
    const store::Node* best = nullptr;
    const Facts* facts = nullptr;
    int programs = 0;
  };
  std::map<json, Cell> cells;  // json arrays order lexicographically
  const store::Node* best = nullptr;
  const Facts* best_facts = nullptr;

  for (const auto& [n, f] : nodes) {
    bool is_rejected = n->status == "rejected";
    max_generation = std::max(max_generation, f.generation);
    islands.insert(f.island);
    cost += f.cost_usd;
    auto& m = models[f.model.empty() ? std::string("(unknown)") : f.model];
    m.cost_usd += f.cost_usd;
    auto& g = generations[f.generation];
    json j = {{"id", n->id},          {"generation", f.generation}, {"island", f.island},   {"operator", f.op},
              {"parents", f.parents}, {"model", f.model},           {"cost_usd", f.cost_usd}, {"metric", opt(n->metric)},
              {"status", n->status},  {"cell", f.cell},             {"descriptors", f.descriptors},
              {"plan", n->plan}};
    if (is_rejected) {
      j["similar_to"] = f.similar_to;
      j["similarity"] = f.similarity;
      rejected.push_back({{"id", n->id},
                          {"generation", f.generation},
                          {"island", f.island},
                          {"operator", f.op},
                          {"parents", f.parents},
                          {"model", f.model},
                          {"cost_usd", f.cost_usd},
                          {"similar_to", f.similar_to},
                          {"similarity", f.similarity}});
      ++g.rejected;
      ++m.rejected;
    }
    node_list.push_back(std::move(j));
    if (is_rejected) continue;
    if (!evaluated(*n)) {
      ++in_flight;
      continue;
    }
    ++programs;
    ++g.programs;
    ++m.programs;
    if (n->status == "done") ++done;
    if (n->status == "failed") ++failed;
    if (!f.cell.is_null()) ++cells[f.cell].programs;
    if (!has_fitness(*n)) continue;
    if (!g.best || better(*n->metric, *g.best->metric)) g.best = n;
    if (!best || better(*n->metric, *best->metric)) {
      best = n;
      best_facts = &f;
    }
    if (!f.cell.is_null()) {
      auto& c = cells[f.cell];
      if (!c.best || better(*n->metric, *c.best->metric)) {
        c.best = n;
        c.facts = &f;
      }
    }
  }

  json generation_list = json::array();
  const store::Node* so_far = nullptr;
  for (int gen = 0; gen <= max_generation; ++gen) {
    const auto& g = generations[gen];
    if (g.best && (!so_far || better(*g.best->metric, *so_far->metric))) so_far = g.best;
    generation_list.push_back({{"generation", gen},
                               {"programs", g.programs},
                               {"rejected", g.rejected},
                               {"best", g.best ? json(*g.best->metric) : json(nullptr)},
                               {"best_id", g.best ? json(g.best->id) : json(nullptr)},
                               {"best_so_far", so_far ? json(*so_far->metric) : json(nullptr)},
                               {"best_so_far_id", so_far ? json(so_far->id) : json(nullptr)}});
  }

  json archive = json::array();
  for (const auto& [cell, c] : cells) {
    if (!c.best) continue;  // no program of the cell has a fitness
    archive.push_back({{"cell", cell},
                       {"node_id", c.best->id},
                       {"metric", *c.best->metric},
                       {"generation", c.facts->generation},
                       {"island", c.facts->island},
                       {"operator", c.facts->op},
                       {"descriptors", c.facts->descriptors},
                       {"programs", c.programs}});
  }

  json model_list = json::array();
  for (const auto& [name, m] : models)
    model_list.push_back({{"model", name}, {"programs", m.programs}, {"rejected", m.rejected}, {"cost_usd", m.cost_usd}});

  return json{
      {"metric", {{"name", metric.name}, {"higher_is_better", metric.higher_is_better}, {"known", metric.known}}},
      {"nodes", node_list},
      {"generations", generation_list},
      {"archive", archive},
      {"rejected", rejected},
      {"models", model_list},
      {"totals",
       {{"programs", programs},
        {"done", done},
        {"failed", failed},
        {"in_flight", in_flight},
        {"rejected", rejected.size()},
        {"generations", max_generation},
        {"islands", islands.size()},
        {"cells", archive.size()},
        {"cost_usd", cost}}},
      {"best", best ? json{{"id", best->id},
                           {"metric", *best->metric},
                           {"generation", best_facts->generation},
                           {"island", best_facts->island},
                           {"operator", best_facts->op}}
                    : json(nullptr)}};
}

Response api_idea_evolve(Call& call) {
  SHOAL_WEB_TRY(idea, store::get_idea(call.store, call.param("id")));
  SHOAL_WEB_TRY(nodes, store::list_nodes(call.store, idea->id));
  SHOAL_WEB_TRY(stage, store::find_stage(call.store, idea->run_id, "", "baseline"));
  auto view = evolve_view(*nodes, metric_direction(*stage));
  if (!view)
    return error_response(404, ErrorKind::not_found,
                          "idea " + idea->id + " is not an evolve run: none of its " + std::to_string(nodes->size()) +
                              " experiment nodes was made by the evolve search");
  json& j = *view;
  j["idea_id"] = idea->id;
  j["run_id"] = idea->run_id;
  if (j["best"].is_object()) {
    // What the best program changed in all: its code against the template's.
    SHOAL_WEB_TRY(node, store::get_node(call.store, j["best"]["id"].get<std::string>()));
    auto diff = node_diff_json(call.store, *node, /*template_only=*/true);
    if (!diff.ok() && diff.error().kind != ErrorKind::invalid_input) return error_response(diff.error());
    j["best"]["diff"] = diff.ok() ? *diff : json(nullptr);
    if (!diff.ok()) j["best"]["diff_error"] = diff.error().message;
  }
  return json_response(j);
}

}  // namespace shoal::web
