#include "store/reproductions.hpp"

#include <nlohmann/json.hpp>

#include "core/time.hpp"

namespace shoal::store {
namespace {

const char* kColumns = "SELECT id, paper_id, outcome, details_json, created_ms FROM reproductions ";

Reproduction from_row(SQLite::Statement& q) {
  Reproduction r;
  r.id = q.getColumn(0).getInt64();
  r.paper_id = q.getColumn(1).getString();
  r.outcome = q.getColumn(2).getString();
  r.details_json = q.getColumn(3).getString();
  r.created_ms = q.getColumn(4).getInt64();
  return r;
}

}  // namespace

ReproductionCounts reproduction_counts(std::string_view details_json) {
  ReproductionCounts out;
  auto details = nlohmann::json::parse(details_json, nullptr, false);
  if (!details.is_object() || !details.contains("runs") || !details["runs"].is_array()) return out;
  for (const auto& run : details["runs"]) {
    if (!run.is_object() || !run.contains("metrics") || !run["metrics"].is_array()) continue;
    for (const auto& m : run["metrics"]) {
      ++out.values;
      if (!m.is_object() || !m.value("match", false)) ++out.differing;
    }
  }
  return out;
}

Expected<Reproduction> add_reproduction(Store& store, Reproduction r) {
  if (r.outcome != "reproduced" && r.outcome != "differs")
    return fail(ErrorKind::invalid_input, "a reproduction's outcome is 'reproduced' or 'differs', not '" + r.outcome + "'");
  if (r.created_ms == 0) r.created_ms = now_ms();
  return store.transaction([&](SQLite::Database& db) -> Expected<Reproduction> {
    SQLite::Statement q(db, "INSERT INTO reproductions (paper_id, outcome, details_json, created_ms) VALUES (?, ?, ?, ?)");
    q.bind(1, r.paper_id);
    q.bind(2, r.outcome);
    q.bind(3, r.details_json);
    q.bind(4, r.created_ms);
    q.exec();
    r.id = db.getLastInsertRowid();
    return r;
  });
}

Expected<std::optional<Reproduction>> latest_reproduction(Store& store, const std::string& paper_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::optional<Reproduction>> {
    SQLite::Statement q(db, std::string(kColumns) + "WHERE paper_id = ? ORDER BY created_ms DESC, id DESC LIMIT 1");
    q.bind(1, paper_id);
    if (!q.executeStep()) return std::optional<Reproduction>();
    return std::optional<Reproduction>(from_row(q));
  });
}

Expected<std::vector<Reproduction>> list_reproductions(Store& store, const std::string& paper_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<Reproduction>> {
    SQLite::Statement q(db, std::string(kColumns) + "WHERE paper_id = ? ORDER BY created_ms, id");
    q.bind(1, paper_id);
    std::vector<Reproduction> out;
    while (q.executeStep()) out.push_back(from_row(q));
    return out;
  });
}

}  // namespace shoal::store
