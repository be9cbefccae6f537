// The experiment stage, evolution with a model (--search evolve): a population search over
// programs (versions of the template's editable files) in the spirit of OpenEvolve and
// ShinkaEvolve. Generation 0 is the stored baseline (a node of the idea holding its results, no
// run). Each generation makes up to parallel_nodes candidates: per candidate an island, parents
// by tournament from the island and the MAP-Elites archive (evolve_population.hpp), an operator
// (mutate one parent, or with probability evolve_crossover combine two, both shown to the model)
// and a model (a UCB1 bandit over evolve_models by improvement per dollar). The model answers
// with edit blocks; a candidate whose change is more similar than evolve_similarity to an
// evaluated program's is stored as a "rejected" node and never runs; the others run at once.
// Every evolve_migration_every generations each island's best is copied to the next island (a
// "migrant" node, no run). At the end the best two programs are re-run with seeds (seeds.hpp).
//
// Every node's search_json: {"strategy":"evolve","generation","island","operator" (baseline,
// mutate, crossover, random, migrant),"parents":[node ids, the primary first],"model" (or
// "offline"),"cost_usd","descriptors":{...},"cell":[...] or null, and "rejected":{"similar_to",
// "similarity"} on rejected nodes}; fitness is the node's metric.
//
// Resumable: every choice comes from the stored results and evolve_seed, and every prompt names
// the candidate it is for, so a resumed run asks the same questions (answered from the response
// cache, paid once) and run_node reuses the finished runs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/search/outcome.hpp"
#include "agent/stage_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

// The search facts of one node of an evolution (LLM or offline), as search_json stores them.
struct EvolveFacts {
  int generation = 0;
  int island = 0;
  std::string op = "mutate";              // baseline, mutate, crossover, random, migrant
  std::vector<std::string> parents;       // node ids, the primary first
  std::string model = "offline";
  double cost_usd = 0;                    // the LLM cost that produced it
  std::map<std::string, double> descriptors;
  std::optional<std::vector<int>> cell;
  std::optional<std::pair<std::string, double>> rejected;  // similar_to node id, similarity
};

nlohmann::json evolve_search_json(const EvolveFacts& facts);

// Runs the evolution for `idea` (settings: evolve_generations, parallel_nodes, evolve_islands,
// evolve_cells, evolve_descriptors, evolve_crossover, evolve_similarity, evolve_migration_every,
// evolve_models, evolve_budget_usd, evolve_seed, seed_runs). Errors: the model's
// (budget_exceeded, cancelled, ...), the sandbox's, the store's; invalid_input when no program
// has a metric.
Expected<ExperimentOutcome> run_evolve(StageContext& ctx, const store::Idea& idea);

}  // namespace shoal::agent
