// The orchestrator: creates runs and drives them through their stages.
//
// Run-level stages first (baseline, ideas, novelty of each idea, rank), then every selected
// idea through experiments, plots, paper and review, `parallel` ideas at once on an Asio
// thread pool. LLM calls and experiment runs are scheduled separately (the LLM client's
// concurrency cap, the executor's slots), so a slow experiment never holds up another
// idea's LLM work. Every stage goes through run_stage() (stage_runner.hpp), so a resumed
// run redoes at most the stages that were in flight when it stopped.
//
// One orchestrator drives a run at a time: drive_run() takes the run's lock in the store
// (pid@host with a heartbeat) and refuses a run someone alive holds.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "agent/stage_context.hpp"
#include "core/config.hpp"
#include "store/runs.hpp"

namespace shoal::agent {

// Checks the template (shoal template check's file checks), the model string (and its key),
// the budget, and creates the run (status pending). The per-run settings in force (a
// command's flags reach them through Config::with_cli) are stored with the run in
// config_json, with the template's folder; drive_run reads them back, so a resumed run goes
// on with the settings it started with. Returns the run as stored.
Expected<store::Run> create_run(const Config& config, const std::filesystem::path& template_dir);

struct DriveOptions {
  std::function<void(const ProgressNote&)> progress;  // called from worker threads; may be empty
  const experiments::CancelToken* stop = nullptr;      // set by the caller (Ctrl-C, Python): pause the run
  std::optional<double> budget_usd;                    // resume --budget: a new budget for the run
  std::function<std::unique_ptr<experiments::Executor>(const Config&)> make_executor;  // tests, benchmarks
  llm::FunctionModel function_model;                   // for model strings "function[:NAME]" (Python bindings)
  bool fresh = false;                                  // --fresh: new calls bypass the response cache
};

struct RunSummary {
  std::string run_id;
  std::string status;  // done, paused, cancelled, failed
  int ideas = 0, done = 0, failed = 0, skipped = 0, parked = 0;
  int novelty_unchecked = 0;  // ideas whose novelty check reached no literature engine
  // Each idea's newest compiled paper: finished (every number tied to a stored result), or
  // unverified (some number is not; it is not a finished paper).
  int papers_finished = 0, papers_unverified = 0;
  double cost_usd = 0;
  int64_t tokens_in = 0;         // input tokens of the run's LLM calls
  double cached_input_share = 0;  // the share of them the provider served from its prompt cache
  double seconds = 0;
  double cpu_s = 0;      // the orchestrator process's own CPU time (user + system), experiments excluded
  std::string message;  // why it stopped, when not done
};

// Drives the run until every selected idea is final, the run is paused (stop token, budget)
// or cancelled (shoal cancel). Also how `shoal resume` continues a run. The run's stored
// settings apply, except those `config` sets on the command line (--set key=value), which
// override them and are recorded as a settings_overridden event.
// The counts of a run as they stand in the store (ideas by status, papers, cost, tokens).
RunSummary summarize_run(store::Store& store, const std::string& run_id);

Expected<RunSummary> drive_run(const Config& config, const std::string& run_id, const DriveOptions& options);

// Marks the run cancelled; a running orchestrator sees it within its heartbeat interval
// and stops its stages; ideas that were not final become cancelled.
Status cancel_run(const Config& config, const std::string& run_id);

}  // namespace shoal::agent
