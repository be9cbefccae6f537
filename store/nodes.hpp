// Experiment nodes: one version of an experiment's code and one sandboxed run of it.
// Nodes form a tree per idea (parent_id); a template's baseline is a node with no idea.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/blobs.hpp"
#include "store/db.hpp"

namespace shoal::store {

struct Node {
  std::string id;
  std::string idea_id;        // "" for a template baseline
  std::string template_hash;
  std::string parent_id;      // "" for a root
  std::string kind;           // baseline, draft, improve, debug, ablation
  std::string code_hash;      // blob of the code snapshot, "" if none
  std::string command;
  std::string plan;           // what the agent meant this version to do
  int step = 0;               // linear search: the run number; tree search: the expansion round
  std::optional<int> seed;    // set for seed re-runs of the best node
  std::string status = "pending";  // pending, running, done, failed, incomparable (ran, but not over the baseline's conditions)
  std::optional<int> exit_code;
  int signal = 0;
  std::string limit_hit;
  std::string metrics_json;   // final_info.json as written by the run
  std::optional<double> metric;  // the template's headline metric of this run
  std::string stdout_tail, stderr_tail;
  double duration_s = 0;
  int64_t created_ms = 0;
  std::optional<int64_t> ended_ms;
  std::string search_json = "{}";  // the search's facts about this node (evolve: generation, island, cell, parents, model, cost)
};

// Inserts the node (id and created_ms filled in when empty); returns it as stored.
Expected<Node> add_node(Store& store, Node node);

// Writes the outcome fields (status, exit code, signal, limit, metrics, tails, duration).
Status finish_node(Store& store, const Node& node);
// The same, with the node's artifacts (its log, its output files) stored in the same
// transaction: a process killed in between leaves either all of them or none.
Status finish_node(Store& store, const Node& node, const std::vector<std::pair<ArtifactInput, std::string>>& artifacts);

Expected<Node> get_node(Store& store, const std::string& id);

// The newest successful baseline of a template version, if one was run. `kind` is
// "baseline" (the real one the pipeline reuses) or "baseline_smoke" (a reduced run).
Expected<std::optional<Node>> find_baseline(Store& store, const std::string& template_hash,
                                            const std::string& kind = "baseline");

// Replaces a node's search facts (a JSON object as text).
Status set_node_search(Store& store, const std::string& id, const std::string& search_json);

// Sets the code snapshot of a node once its edits are applied.
Status set_node_code(Store& store, const std::string& id, const std::string& code_hash);

// A finished (done or failed) node of `idea_id` that ran exactly this code and command
// below `parent_id`: lets a resumed run reuse a result instead of running it again.
Expected<std::optional<Node>> find_finished_node(Store& store, const std::string& idea_id, const std::string& parent_id,
                                                 const std::string& code_hash, const std::string& command);

// Marks nodes of the run's ideas that were left "running" by a stopped orchestrator as
// failed with limit_hit "interrupted"; returns how many.
Expected<int> fail_interrupted_nodes(Store& store, const std::string& run_id);

// The nodes of an idea, oldest first.
Expected<std::vector<Node>> list_nodes(Store& store, const std::string& idea_id);

}  // namespace shoal::store
