#include "store/info.hpp"

#include <filesystem>

namespace shoal::store {
namespace fs = std::filesystem;

Expected<StoreInfo> store_info(Store& store) {
  return store.read([&](SQLite::Database& db) -> Expected<StoreInfo> {
    StoreInfo info;
    info.path = store.path().string();
    info.schema_version = store.schema_version();
    std::error_code ec;
    for (const char* suffix : {"", "-wal"}) {
      auto size = fs::file_size(store.path().string() + suffix, ec);
      if (!ec) info.file_bytes += static_cast<int64_t>(size);
    }
    SQLite::Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    std::vector<std::string> names;
    while (tables.executeStep()) names.push_back(tables.getColumn(0).getString());
    for (const auto& name : names)  // names come from sqlite_master, not from input
      info.rows[name] = db.execAndGet("SELECT count(*) FROM \"" + name + "\"").getInt64();
    return info;
  });
}

Expected<std::vector<std::string>> check_store(Store& store) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<std::string>> {
    std::vector<std::string> problems;
    SQLite::Statement integrity(db, "PRAGMA integrity_check");
    while (integrity.executeStep()) {
      auto line = integrity.getColumn(0).getString();
      if (line != "ok") problems.push_back("integrity: " + line);
    }
    SQLite::Statement fk(db, "PRAGMA foreign_key_check");
    while (fk.executeStep())
      problems.push_back("foreign key: row " + fk.getColumn(1).getString() + " of table " +
                         fk.getColumn(0).getString() + " points to a missing row of " + fk.getColumn(2).getString());
    return problems;
  });
}

}  // namespace shoal::store
