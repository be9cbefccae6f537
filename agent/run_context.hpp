// What every stage of a run sees: the store, the LLM client (null for the offline agent),
// the executor, the template, the run's options, the cancel token and the progress sink.
// Stages are plain blocking functions called on an orchestrator worker thread; they may
// block on LLM calls and experiment runs (the client and the executor do their own
// scheduling), and must check `cancel` between steps.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "llm/client.hpp"
#include "core/config.hpp"
#include "experiments/executor.hpp"
#include "experiments/template.hpp"
#include "store/db.hpp"
#include "tools/literature.hpp"

namespace shoal::agent {

enum class SearchMode { linear, tree };

// Everything `shoal run` takes; stored in runs.config_json so `shoal resume` continues with
// the same settings (to_json/from_json below).
struct RunOptions {
  std::filesystem::path template_dir;
  std::string model = "offline";   // "offline" = the no-LLM baseline agent
  int ideas = 3;                   // ideas that proceed to experiments (the top N novel ones)
  int generate = 0;                // ideas to generate before ranking (0 = 2 * ideas)
  int reflections = 2;             // reflection rounds per generated idea
  int idea_batch = 1;              // ideas drafted at once; each batch sees the earlier ones (1 = one by one)
  int parallel = 4;                // ideas in their experiment/paper stages at once
  double budget_usd = 0;           // 0 = no cap
  SearchMode search = SearchMode::linear;
  std::string executor = "local";
  std::filesystem::path seed_ideas;  // a JSON list of ideas to start from ("" = the template's)
  bool novelty = true;             // run the literature novelty check
  int novelty_rounds = 3;          // literature search rounds per idea
  // linear search (AI-Scientist v1)
  int max_runs = 3;                // R: experiment runs per idea
  int max_attempts = 3;            // A: attempts (edit + run) per experiment run
  // tree search (AIDE / AI-Scientist v2)
  int drafts = 2;                  // initial drafts from the template
  int max_nodes = 8;               // nodes per idea, drafts included
  int max_debug_depth = 2;         // consecutive debug nodes below a failing node
  int parallel_nodes = 2;          // nodes expanded at once
  int seed_runs = 2;               // re-runs of the best node (env SHOAL_SEED = 1..N)
  bool smoke = false;              // experiments run with the template's smoke_args (tests, demos)
  bool plots = true;
  bool paper = true;               // write-up and review stages
  int review_ensemble = 0;         // reviews per paper (0 = the review_ensemble setting)
};

void to_json(nlohmann::json& j, const RunOptions& o);
void from_json(const nlohmann::json& j, RunOptions& o);

// A stage's progress report for the terminal and the events table.
struct ProgressNote {
  std::string idea_id;  // "" for run-level notes
  std::string stage;
  std::string message;  // one short line, e.g. "run 2/3, attempt 1"
};

struct RunContext {
  store::Store& store;
  std::filesystem::path db_path;
  llm::Client* llm = nullptr;        // null for the offline agent
  experiments::Executor& executor;
  experiments::Template tpl;
  std::string run_id;
  RunOptions options;
  std::filesystem::path work_root;   // scratch: <home>/work/<run id>; the store holds what matters
  const experiments::CancelToken& cancel;
  std::function<void(const ProgressNote&)> progress;  // thread-safe; never null
  tools::LiteratureOptions literature;               // the novelty check's and the write-up's search engines
  const Config* config = nullptr;                    // the settings in force (paper and review options)

  bool offline() const { return llm == nullptr; }
  // The scratch folder of an idea (created on demand by the stage that needs it).
  std::filesystem::path idea_dir(const std::string& idea_id) const { return work_root / idea_id; }
};

}  // namespace shoal::agent
