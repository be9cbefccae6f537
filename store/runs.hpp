// Runs and their progress events.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace shoal::store {

struct Run {
  std::string id;
  std::string template_name;
  std::string template_hash;
  std::string model;
  std::string status = "pending";  // pending, running, paused, cancelled, failed, done
  std::string config_json = "{}";
  double budget_usd = 0;
  double cost_usd = 0;
  bool unsafe_no_sandbox = false;
  int64_t created_ms = 0;
  std::optional<int64_t> started_ms, ended_ms;
  std::string error;
};

struct Event {
  int64_t id = 0;
  std::string run_id, idea_id, kind, message, data_json;
  int64_t created_ms = 0;
};

// Inserts `run` (its id and created_ms are set here when empty/zero); returns it as stored.
Expected<Run> create_run(Store& store, Run run);
Expected<Run> get_run(Store& store, const std::string& id);
// Newest first.
Expected<std::vector<Run>> list_runs(Store& store);
// Sets the status (and started/ended times as the status implies) and the error text.
Status set_run_status(Store& store, const std::string& id, const std::string& status,
                      const std::string& error = "");
// Adds `usd` to the run's cost inside the caller's transaction.
void add_run_cost(SQLite::Database& db, const std::string& run_id, double usd);

// The run's owner lock: one orchestrator drives a run at a time. `owner` is "pid@host".
struct RunOwner {
  std::string owner;           // "" when nobody holds the run
  std::optional<int64_t> heartbeat_ms;
};
Expected<RunOwner> run_owner(Store& store, const std::string& run_id);
// Takes the lock when it is free, held by `owner` already, or `is_stale(current)` says the
// holder is gone; otherwise invalid_input naming the holder and how long ago it was seen.
Status claim_run(Store& store, const std::string& run_id, const std::string& owner,
                 const std::function<bool(const RunOwner&)>& is_stale);
// Refreshes the heartbeat; returns the run's status (so the owner sees a `shoal cancel`).
Expected<std::string> heartbeat_run(Store& store, const std::string& run_id, const std::string& owner);
Status release_run(Store& store, const std::string& run_id, const std::string& owner);
// Sets the budget (shoal resume --budget).
Status set_run_budget(Store& store, const std::string& run_id, double budget_usd);

// Appends a progress event inside the caller's transaction; returns its id.
int64_t add_event(SQLite::Database& db, const Event& event);
Expected<int64_t> add_event(Store& store, const Event& event);
// Events of a run with id > after_id, oldest first (at most `limit`).
Expected<std::vector<Event>> list_events(Store& store, const std::string& run_id, int64_t after_id = 0,
                                         int limit = 1000);

}  // namespace shoal::store
