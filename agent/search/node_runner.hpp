// One experiment node: snapshot the code in a work folder, run experiment.py in the sandbox
// through the executor, and store the node with its outcome, metric, logs, final_info and
// output files. Every search (linear, tree, the offline sweeps) runs its experiments here.
//
// Resumable: a node that already finished with the same idea, parent, code and command is
// returned as it is (its output files restored into the work folder) instead of running
// again, so a resumed run pays neither the LLM (its cache) nor the experiment twice.
#pragma once

#include <functional>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "agent/stage_context.hpp"
#include "store/nodes.hpp"

namespace shoal::agent {

struct NodeRequest {
  std::string idea_id;
  std::string parent_id;          // "" for a root (draft from the template)
  std::string kind;               // draft, improve, debug, sweep, seed
  std::string plan;               // what this version is meant to do
  int step = 0;
  std::optional<int> seed;        // passed as SHOAL_SEED in the sandbox
  std::filesystem::path workdir;  // holds the code to run; out_dir is created inside it
  std::string out_dir;            // "run_3"
  std::vector<std::string> args;  // extra experiment.py flags (the template's smoke_args are added in smoke mode)
  std::string search_json = "{}";  // the search's facts, stored with the node when it starts (a kill leaves them)
};

struct NodeOutcome {
  store::Node node;
  bool reused = false;  // found finished in the store, not run again
  bool ok() const { return node.status == "done"; }
};

// Runs (or reuses) the node. Errors are for what could not be run at all (sandbox refused,
// store failure, cancelled before start); a run that failed is a node with status "failed".
Expected<NodeOutcome> run_node(StageContext& ctx, const NodeRequest& request);

// Text for the model about a finished node: the digest of its results and its headline metric
// against the baseline, or why it failed with the end of its stderr (at most `tail_bytes`).
std::string describe_outcome(const store::Node& node, const std::optional<double>& baseline_metric,
                             bool higher_is_better, size_t tail_bytes = 3000);

// "Headline metric 0.91 vs baseline 0.87 (better)\n" for a node with a metric ("" without).
std::string headline_line(const store::Node& node, const std::optional<double>& baseline_metric, bool higher_is_better);

// Writes a stored code snapshot ({"file": "content"}) into `workdir` (a copy of the
// template): how a tree-search child starts from its parent's code.
Status restore_code(store::Store& store, const std::string& code_hash, const std::filesystem::path& workdir);

// A fresh template copy in `dir` holding the code of the node `code_hash` ("" = the template).
Status prepare_folder(StageContext& ctx, const std::filesystem::path& dir, const std::string& code_hash);

// Stores the code snapshot of the template's editable files in `dir` (a blob); its hash.
Expected<std::string> store_code_snapshot(StageContext& ctx, const std::filesystem::path& dir);

// A number as the searches print it in plans, notes and prompts ("%.6g").
std::string number_text(double value);

// Runs `job` with a StageContext of its own store connection (a Store is one connection per
// thread).
// (leased from ctx.pool when there is one).
template <class T>
inline Expected<T> on_own_connection(StageContext& ctx, const std::function<Expected<T>(StageContext&)>& job) {
  if (ctx.pool) {
    SHOAL_TRY(lease, ctx.pool->acquire());
    StageContext local = ctx.with_store(*lease);
    return job(local);
  }
  SHOAL_TRY(store, store::Store::open(ctx.db_path, store::OpenMode::existing));
  StageContext local = ctx.with_store(store);
  return job(local);
}

// Runs the jobs at once, each on its own thread and store connection (in order on the
// caller's when there is one job or no database path); results in the jobs' order.
template <class T>
inline std::vector<Expected<T>> run_parallel(StageContext& ctx, const std::vector<std::function<Expected<T>(StageContext&)>>& jobs) {
  std::vector<Expected<T>> results;
  if (jobs.size() <= 1 || ctx.db_path.empty()) {
    for (const auto& job : jobs) results.push_back(job(ctx));
    return results;
  }
  std::vector<std::future<Expected<T>>> running;
  for (const auto& job : jobs)
    running.push_back(std::async(std::launch::async, [&ctx, &job] { return on_own_connection<T>(ctx, job); }));
  for (auto& f : running) results.push_back(f.get());
  return results;
}

}  // namespace shoal::agent
