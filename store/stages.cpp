#include "store/stages.hpp"

#include "core/time.hpp"

namespace shoal::store {
namespace {

const char* kStageColumns =
    "SELECT id, run_id, coalesce(idea_id, ''), stage, status, attempts, started_ms, ended_ms, cost_usd, "
    "coalesce(error_kind, ''), coalesce(error, ''), coalesce(output_json, '') FROM stage_executions ";

StageExecution stage_from_row(SQLite::Statement& q) {
  StageExecution s;
  s.id = q.getColumn(0).getInt64();
  s.run_id = q.getColumn(1).getString();
  s.idea_id = q.getColumn(2).getString();
  s.stage = q.getColumn(3).getString();
  s.status = q.getColumn(4).getString();
  s.attempts = q.getColumn(5).getInt();
  if (!q.getColumn(6).isNull()) s.started_ms = q.getColumn(6).getInt64();
  if (!q.getColumn(7).isNull()) s.ended_ms = q.getColumn(7).getInt64();
  s.cost_usd = q.getColumn(8).getDouble();
  s.error_kind = q.getColumn(9).getString();
  s.error = q.getColumn(10).getString();
  s.output_json = q.getColumn(11).getString();
  return s;
}

std::optional<StageExecution> select_stage(SQLite::Database& db, const std::string& run_id,
                                           const std::string& idea_id, const std::string& stage) {
  SQLite::Statement q(db, std::string(kStageColumns) +
                              "WHERE run_id = ? AND coalesce(idea_id, '') = ? AND stage = ?");
  q.bind(1, run_id);
  q.bind(2, idea_id);
  q.bind(3, stage);
  if (!q.executeStep()) return std::nullopt;
  return stage_from_row(q);
}

}  // namespace

Expected<StageExecution> begin_stage(Store& store, const std::string& run_id, const std::string& idea_id,
                                     const std::string& stage) {
  return store.transaction([&](SQLite::Database& db) -> Expected<StageExecution> {
    SQLite::Statement q(db,
                        "INSERT INTO stage_executions (run_id, idea_id, stage, status, attempts, started_ms) "
                        "VALUES (?, NULLIF(?, ''), ?, 'running', 1, ?) "
                        "ON CONFLICT (run_id, coalesce(idea_id, ''), stage) DO UPDATE SET "
                        "status = 'running', attempts = attempts + 1, started_ms = excluded.started_ms, "
                        "ended_ms = NULL, error_kind = NULL, error = NULL");
    q.bind(1, run_id);
    q.bind(2, idea_id);
    q.bind(3, stage);
    q.bind(4, now_ms());
    q.exec();
    return *select_stage(db, run_id, idea_id, stage);
  });
}

Status finish_stage(Store& store, int64_t id, const std::string& status, double cost_usd,
                    const std::string& error_kind, const std::string& error, const std::string& output_json) {
  return store.transaction([&](SQLite::Database& db) -> Status {
    SQLite::Statement q(db,
                        "UPDATE stage_executions SET status = ?, ended_ms = ?, cost_usd = cost_usd + ?, "
                        "error_kind = NULLIF(?, ''), error = NULLIF(?, ''), output_json = NULLIF(?, '') "
                        "WHERE id = ?");
    q.bind(1, status);
    q.bind(2, now_ms());
    q.bind(3, cost_usd);
    q.bind(4, error_kind);
    q.bind(5, error);
    q.bind(6, output_json);
    q.bind(7, id);
    if (q.exec() == 0) return fail(ErrorKind::not_found, "no stage execution " + std::to_string(id));
    return {};
  });
}

Expected<std::optional<StageExecution>> find_stage(Store& store, const std::string& run_id,
                                                   const std::string& idea_id, const std::string& stage) {
  return store.read([&](SQLite::Database& db) -> Expected<std::optional<StageExecution>> {
    return select_stage(db, run_id, idea_id, stage);
  });
}

Expected<std::vector<StageExecution>> list_stages(Store& store, const std::string& run_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<StageExecution>> {
    SQLite::Statement q(db, std::string(kStageColumns) + "WHERE run_id = ? ORDER BY started_ms, id");
    q.bind(1, run_id);
    std::vector<StageExecution> out;
    while (q.executeStep()) out.push_back(stage_from_row(q));
    return out;
  });
}

}  // namespace shoal::store
