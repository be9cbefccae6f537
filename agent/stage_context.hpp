// What every stage of a run sees (the first argument of each stage's entry function): the
// store, the LLM client (null for the offline agent), the executor, the template, the run's
// settings, the cancel token and the progress sink.
// Stages are plain blocking functions called on an orchestrator worker thread; they may
// block on LLM calls and experiment runs (the client and the executor do their own
// scheduling), and must check `cancel` between steps.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "llm/client.hpp"
#include "agent/settings.hpp"
#include "experiments/executor.hpp"
#include "experiments/template.hpp"
#include "store/db.hpp"
#include "store/pool.hpp"
#include "store/ideas.hpp"
#include "tools/literature.hpp"

namespace shoal::agent {

// The input of a stage that works on one idea (novelty, experiments, paper).
struct IdeaIn {
  store::Idea idea;
};

// A stage's progress report for the terminal and the events table.
struct ProgressNote {
  std::string idea_id;  // "" for run-level notes
  std::string stage;
  std::string message;  // one short line, e.g. "run 2/3, attempt 1"
};

struct StageContext {
  store::Store& store;
  std::filesystem::path db_path;
  llm::Client* llm = nullptr;        // null for the offline agent
  experiments::Executor& executor;
  experiments::Template tpl;
  std::string run_id;
  RunSettings settings;              // the run's own (stored with it; a resume uses them)
  std::filesystem::path work_root;   // scratch: <home>/work/<run id>; the store holds what matters
  const experiments::CancelToken& cancel;
  std::function<void(const ProgressNote&)> progress;  // thread-safe; never null
  tools::LiteratureOptions literature;               // the novelty check's and the write-up's search engines
  int64_t min_free_disk_mb = 0;                      // under it the run pauses (disk_guard.hpp); 0: not checked
  // The models of evolve_models by name, each with its client (the first is `llm`; all spend one
  // budget); empty: `llm` alone.
  std::vector<std::pair<std::string, llm::Client*>> models = {};
  // Connections to db_path for the jobs that run at once (run_parallel); null: each job opens
  // its own (SQLite then reads the whole schema again, about a millisecond each).
  std::shared_ptr<store::StorePool> pool = nullptr;

  bool offline() const { return llm == nullptr; }
  // This context on another store connection (a Store is one connection per thread).
  StageContext with_store(store::Store& other) const {
    return {other,    db_path,  llm,      executor,   tpl, run_id, settings, work_root,
            cancel,   progress, literature, min_free_disk_mb, models, pool};
  }
  // The scratch folder of an idea (created on demand by the stage that needs it).
  std::filesystem::path idea_dir(const std::string& idea_id) const { return work_root / idea_id; }
};

}  // namespace shoal::agent
