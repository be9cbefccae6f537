#include "store/runs.hpp"

#include <SQLiteCpp/VariadicBind.h>

#include "core/time.hpp"

namespace shoal::store {
namespace {

const char* kRunColumns =
    "SELECT id, template, template_hash, model, status, config_json, budget_usd, cost_usd, "
    "unsafe_no_sandbox, created_ms, started_ms, ended_ms, error FROM runs ";

std::optional<int64_t> optional_int(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<int64_t>(c.getInt64());
}

Run run_from_row(SQLite::Statement& q) {
  Run r;
  r.id = q.getColumn(0).getString();
  r.template_name = q.getColumn(1).getString();
  r.template_hash = q.getColumn(2).getString();
  r.model = q.getColumn(3).getString();
  r.status = q.getColumn(4).getString();
  r.config_json = q.getColumn(5).getString();
  r.budget_usd = q.getColumn(6).getDouble();
  r.cost_usd = q.getColumn(7).getDouble();
  r.unsafe_no_sandbox = q.getColumn(8).getInt() != 0;
  r.created_ms = q.getColumn(9).getInt64();
  r.started_ms = optional_int(q.getColumn(10));
  r.ended_ms = optional_int(q.getColumn(11));
  r.error = q.getColumn(12).getString();
  return r;
}

}  // namespace

Expected<Run> create_run(Store& store, Run run) {
  if (run.id.empty()) run.id = new_id("run");
  if (run.created_ms == 0) run.created_ms = now_ms();
  return store.transaction([&](SQLite::Database& db) -> Expected<Run> {
    SQLite::Statement q(db,
                        "INSERT INTO runs (id, template, template_hash, model, status, config_json, budget_usd, "
                        "cost_usd, unsafe_no_sandbox, created_ms) VALUES (?,?,?,?,?,?,?,?,?,?)");
    q.bind(1, run.id);
    q.bind(2, run.template_name);
    q.bind(3, run.template_hash);
    q.bind(4, run.model);
    q.bind(5, run.status);
    q.bind(6, run.config_json);
    q.bind(7, run.budget_usd);
    q.bind(8, run.cost_usd);
    q.bind(9, run.unsafe_no_sandbox ? 1 : 0);
    q.bind(10, run.created_ms);
    q.exec();
    return run;
  });
}

Expected<Run> get_run(Store& store, const std::string& id) {
  return store.read([&](SQLite::Database& db) -> Expected<Run> {
    SQLite::Statement q(db, std::string(kRunColumns) + "WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no run '" + id + "' (see `shoal list`)");
    return run_from_row(q);
  });
}

Expected<std::vector<Run>> list_runs(Store& store) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<Run>> {
    SQLite::Statement q(db, std::string(kRunColumns) + "ORDER BY created_ms DESC, id DESC");
    std::vector<Run> out;
    while (q.executeStep()) out.push_back(run_from_row(q));
    return out;
  });
}

Status set_run_status(Store& store, const std::string& id, const std::string& status, const std::string& error) {
  return store.transaction([&](SQLite::Database& db) -> Status {
    bool ended = status == "done" || status == "failed" || status == "cancelled";
    SQLite::Statement q(db,
                        "UPDATE runs SET status = ?, error = ?, "
                        "started_ms = CASE WHEN ? = 'running' THEN coalesce(started_ms, ?) ELSE started_ms END, "
                        "ended_ms = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ?");
    int64_t now = now_ms();
    q.bind(1, status);
    q.bind(2, error);
    q.bind(3, status);
    q.bind(4, now);
    q.bind(5, ended ? 1 : 0);
    q.bind(6, now);
    q.bind(7, id);
    if (q.exec() == 0) return fail(ErrorKind::not_found, "no run '" + id + "'");
    return {};
  });
}

void add_run_cost(SQLite::Database& db, const std::string& run_id, double usd) {
  SQLite::Statement q(db, "UPDATE runs SET cost_usd = cost_usd + ? WHERE id = ?");
  q.bind(1, usd);
  q.bind(2, run_id);
  q.exec();
}

int64_t add_event(SQLite::Database& db, const Event& e) {
  SQLite::Statement q(db,
                      "INSERT INTO events (run_id, idea_id, kind, message, data_json, created_ms) "
                      "VALUES (NULLIF(?, ''), NULLIF(?, ''), ?, ?, NULLIF(?, ''), ?)");
  SQLite::bind(q, e.run_id, e.idea_id, e.kind, e.message, e.data_json, e.created_ms ? e.created_ms : now_ms());
  q.exec();
  return db.getLastInsertRowid();
}

Expected<int64_t> add_event(Store& store, const Event& e) {
  return store.transaction([&](SQLite::Database& db) -> Expected<int64_t> { return add_event(db, e); });
}

Expected<std::vector<Event>> list_events(Store& store, const std::string& run_id, int64_t after_id, int limit) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<Event>> {
    SQLite::Statement q(db,
                        "SELECT id, run_id, coalesce(idea_id, ''), kind, message, coalesce(data_json, ''), created_ms "
                        "FROM events WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?");
    q.bind(1, run_id);
    q.bind(2, after_id);
    q.bind(3, limit);
    std::vector<Event> out;
    while (q.executeStep())
      out.push_back(Event{q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                          q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
                          q.getColumn(6).getInt64()});
    return out;
  });
}

Expected<RunOwner> run_owner(Store& store, const std::string& run_id) {
  return store.read([&](SQLite::Database& db) -> Expected<RunOwner> {
    SQLite::Statement q(db, "SELECT coalesce(owner, ''), heartbeat_ms FROM runs WHERE id = ?");
    q.bind(1, run_id);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no run " + run_id + " (shoal list shows the runs)");
    RunOwner o{q.getColumn(0).getString(), std::nullopt};
    if (!q.getColumn(1).isNull()) o.heartbeat_ms = q.getColumn(1).getInt64();
    return o;
  });
}

Status claim_run(Store& store, const std::string& run_id, const std::string& owner,
                 const std::function<bool(const RunOwner&)>& is_stale) {
  return store.transaction([&](SQLite::Database& db) -> Status {
    SQLite::Statement q(db, "SELECT coalesce(owner, ''), heartbeat_ms FROM runs WHERE id = ?");
    q.bind(1, run_id);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no run " + run_id + " (shoal list shows the runs)");
    RunOwner current{q.getColumn(0).getString(), std::nullopt};
    if (!q.getColumn(1).isNull()) current.heartbeat_ms = q.getColumn(1).getInt64();
    if (!current.owner.empty() && current.owner != owner && !is_stale(current)) {
      int64_t ago = current.heartbeat_ms ? (now_ms() - *current.heartbeat_ms) / 1000 : -1;
      return fail(ErrorKind::invalid_input, "run " + run_id + " is already being run by " + current.owner +
                                                " (last heartbeat " + std::to_string(ago) +
                                                " s ago); wait for it, or stop it with shoal cancel " + run_id);
    }
    SQLite::Statement u(db, "UPDATE runs SET owner = ?, heartbeat_ms = ? WHERE id = ?");
    u.bind(1, owner);
    u.bind(2, now_ms());
    u.bind(3, run_id);
    u.exec();
    return {};
  });
}

Expected<std::string> heartbeat_run(Store& store, const std::string& run_id, const std::string& owner) {
  return store.transaction([&](SQLite::Database& db) -> Expected<std::string> {
    SQLite::Statement u(db, "UPDATE runs SET heartbeat_ms = ? WHERE id = ? AND owner = ?");
    u.bind(1, now_ms());
    u.bind(2, run_id);
    u.bind(3, owner);
    u.exec();
    SQLite::Statement q(db, "SELECT status FROM runs WHERE id = ?");
    q.bind(1, run_id);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no run " + run_id);
    return q.getColumn(0).getString();
  });
}

Status release_run(Store& store, const std::string& run_id, const std::string& owner) {
  return store.transaction([&](SQLite::Database& db) -> Status {
    SQLite::Statement u(db, "UPDATE runs SET owner = NULL WHERE id = ? AND owner = ?");
    u.bind(1, run_id);
    u.bind(2, owner);
    u.exec();
    return {};
  });
}

Status set_run_budget(Store& store, const std::string& run_id, double budget_usd) {
  return store.transaction([&](SQLite::Database& db) -> Status {
    SQLite::Statement u(db, "UPDATE runs SET budget_usd = ? WHERE id = ?");
    u.bind(1, budget_usd);
    u.bind(2, run_id);
    if (u.exec() == 0) return fail(ErrorKind::not_found, "no run " + run_id);
    return {};
  });
}

}  // namespace shoal::store
