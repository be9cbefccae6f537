// The one place that turns the settings into what a command works with: the home's paths,
// the store, the LLM client and the executor. The orchestrator, the CLI's commands and the
// Python module all make them here, so every one honours the same settings (sandbox_user,
// sandbox_cgroup, executor_slots, the LLM limits) in the same way.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "experiments/executor.hpp"
#include "llm/client.hpp"
#include "store/db.hpp"

namespace shoal::agent {

// What an LLM client is for.
struct ClientSpec {
  std::string model;                  // "" = the model setting
  std::string run_id;                 // calls are recorded against this run ("" = none)
  std::optional<double> budget_usd;   // the run's budget (none = the budget_usd setting; 0 = no cap)
  llm::FunctionModel function;        // for model strings "function[:NAME]"
  bool record = true;                 // record calls in the store and use its response cache (when it exists)
  bool fresh = false;                 // ask anew: the response cache answers none of this client's calls
  std::shared_ptr<llm::Budget> budget;  // spend this budget, shared with another client (none: its own)
};

class Session {
 public:
  explicit Session(Config config) : config_(std::move(config)) {}

  const Config& config() const { return config_; }
  std::filesystem::path home() const { return config_.get("home"); }
  std::filesystem::path db_path() const { return store::db_path(home()); }
  // A run's scratch folder: <home>/work/<run id>, absolute.
  std::filesystem::path work_root(const std::string& run_id) const;

  Expected<store::Store> open_store(store::OpenMode mode) const { return store::Store::open(db_path(), mode); }

  // A client for `spec` with the LLM settings in force. Checks what can be checked before
  // any spend (model string, key, base URL, price).
  Expected<std::unique_ptr<llm::Client>> client(const ClientSpec& spec) const;

  // The executor of `kind` ("local" or "slurm"; "" = the executor setting).
  Expected<std::unique_ptr<experiments::Executor>> executor(const std::string& kind = "") const;

 private:
  Config config_;
};

}  // namespace shoal::agent
