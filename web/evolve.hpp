// An evolve run as the reviewer page shows it: the programs the evolve search made for an
// idea (its nodes whose search facts say strategy "evolve"), their genealogy, the fitness
// over generations, the MAP-Elites archive's cells with the best program of each, the
// candidates rejected as near-duplicates before they cost a run, and totals. Fitness is the
// node's headline metric, compared in the direction the run settled at its baseline stage.
// GET /api/v1/ideas/{id}/evolve (api_idea_evolve) adds the best program's diff.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/nodes.hpp"
#include "store/stages.hpp"

namespace shoal::web {

// The metric programs are compared by.
struct MetricDirection {
  std::string name;             // "" when the run has not settled one
  bool higher_is_better = true;
  bool known = false;           // false: the baseline stage has no output; higher is assumed
};

// The headline metric of the run's baseline stage output ({"headline": {"name",
// "higher_is_better"}}), as the pipeline stores it; unknown without one.
MetricDirection metric_direction(const std::optional<store::StageExecution>& baseline_stage);

// Whether `node` was made by the evolve search (its search facts say strategy "evolve").
bool is_evolve_node(const store::Node& node);

// The view of `nodes` (an idea's, oldest first); nullopt when none is an evolve node.
// {metric: {name, higher_is_better, known},
//  nodes: [{id, generation, island, operator, parents, model, cost_usd, metric, status, cell,
//           descriptors, plan, similar_to, similarity}],
//  generations: [{generation, programs, rejected, best, best_id, best_so_far, best_so_far_id}],
//  archive: [{cell, node_id, metric, generation, island, operator, descriptors, programs}],
//  rejected: [{id, generation, island, operator, parents, model, similar_to, similarity}],
//  models: [{model, programs, rejected, cost_usd}],
//  totals: {programs, done, failed, in_flight, rejected, generations, islands, cells, cost_usd},
//  best: {id, metric, generation, island, operator} or null}
// Programs are evaluated nodes (done, failed, incomparable); fitness counts done nodes with a
// metric; generation 0 is the baseline, `generations` the number after it.
std::optional<nlohmann::json> evolve_view(const std::vector<store::Node>& nodes, const MetricDirection& metric);

}  // namespace shoal::web
