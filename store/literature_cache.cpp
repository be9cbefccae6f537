#include "store/literature_cache.hpp"

#include <SQLiteCpp/VariadicBind.h>

#include "core/time.hpp"

namespace shoal::store {

Expected<std::optional<LiteratureCacheEntry>> find_literature_cache(Store& store, const std::string& engine,
                                                                   const std::string& query) {
  return store.read([&](SQLite::Database& db) -> Expected<std::optional<LiteratureCacheEntry>> {
    SQLite::Statement q(db, "SELECT response_json, fetched_ms FROM literature_cache WHERE engine = ? AND query = ?");
    q.bind(1, engine);
    q.bind(2, query);
    if (!q.executeStep()) return std::optional<LiteratureCacheEntry>();
    return std::optional<LiteratureCacheEntry>(
        LiteratureCacheEntry{engine, query, q.getColumn(0).getString(), q.getColumn(1).getInt64()});
  });
}

Status put_literature_cache(Store& store, LiteratureCacheEntry entry) {
  if (entry.fetched_ms == 0) entry.fetched_ms = now_ms();
  return store.transaction([&](SQLite::Database& db) -> Status {
    SQLite::Statement q(db,
                        "INSERT INTO literature_cache (engine, query, response_json, fetched_ms) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (engine, query) DO UPDATE SET response_json = excluded.response_json, "
                        "fetched_ms = excluded.fetched_ms");
    SQLite::bind(q, entry.engine, entry.query, entry.response_json, entry.fetched_ms);
    q.exec();
    return {};
  });
}

Expected<int64_t> count_literature_cache(Store& store, const std::string& engine) {
  return store.read([&](SQLite::Database& db) -> Expected<int64_t> {
    SQLite::Statement q(db, "SELECT count(*) FROM literature_cache WHERE ? = '' OR engine = ?");
    q.bind(1, engine);
    q.bind(2, engine);
    q.executeStep();
    return q.getColumn(0).getInt64();
  });
}

}  // namespace shoal::store
