// The store: one SQLite file (<home>/shoal.db) in WAL mode with a busy timeout and
// foreign keys on, its schema versioned in PRAGMA user_version.
//
// A Store is one connection. Threads may share it: its transaction() and read() calls are
// serialised by a mutex (the orchestrator's idea threads share one). For reads in parallel
// with a writer, open one Store per thread (WAL lets readers go on while one writes).
// Every write goes through transaction().
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "core/expected.hpp"

namespace shoal::store {

enum class OpenMode {
  create,     // create the file (and its folder) if missing; migrate to the latest schema
  existing,   // the file must exist; migrate to the latest schema
  read_only,  // the file must exist and be at the latest schema; nothing is written
};

// The store of a Shoal home: <home>/shoal.db.
std::filesystem::path db_path(const std::filesystem::path& home);

// The schema version this build writes (and the highest it can read).
int latest_schema_version();

class Store {
 public:
  static Expected<Store> open(const std::filesystem::path& path, OpenMode mode);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  const std::filesystem::path& path() const { return path_; }
  int schema_version();

  // Runs `fn(db)` inside BEGIN IMMEDIATE ... COMMIT. If fn returns an error or throws,
  // the transaction is rolled back and the error returned. fn returns Expected<T>.
  template <class F>
  auto transaction(F&& fn) -> decltype(fn(std::declval<SQLite::Database&>()));

  // Runs a read-only `fn(db)` (no transaction), turning SQLite exceptions into Errors.
  template <class F>
  auto read(F&& fn) -> decltype(fn(std::declval<SQLite::Database&>()));

  SQLite::Database& db() { return *db_; }

 private:
  Store(std::filesystem::path path, std::unique_ptr<SQLite::Database> db);
  Status begin();
  void commit();
  void rollback() noexcept;

  std::filesystem::path path_;
  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<std::recursive_mutex> mu_ = std::make_unique<std::recursive_mutex>();
};

// Maps an exception from SQLite to an Error that says what was being done.
Error sqlite_error(const SQLite::Exception& e, const std::filesystem::path& path);

template <class F>
auto Store::transaction(F&& fn) -> decltype(fn(std::declval<SQLite::Database&>())) {
  std::lock_guard lock(*mu_);
  if (auto st = begin(); !st.ok()) return st.error();
  try {
    auto result = fn(*db_);
    if (result.ok()) commit();
    else rollback();
    return result;
  } catch (const SQLite::Exception& e) {
    rollback();
    return sqlite_error(e, path_);
  } catch (...) {
    rollback();
    throw;
  }
}

template <class F>
auto Store::read(F&& fn) -> decltype(fn(std::declval<SQLite::Database&>())) {
  std::lock_guard lock(*mu_);
  try {
    return fn(*db_);
  } catch (const SQLite::Exception& e) {
    return sqlite_error(e, path_);
  }
}

}  // namespace shoal::store
