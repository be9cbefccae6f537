#include "store/db.hpp"

#include <sqlite3.h>

#include <mutex>

#include <SQLiteCpp/Transaction.h>

#include "core/file.hpp"
#include "core/log.hpp"
#include "store/migrations.hpp"

namespace shoal::store {

std::filesystem::path db_path(const std::filesystem::path& home) { return home / "shoal.db"; }

namespace fs = std::filesystem;

int latest_schema_version() { return static_cast<int>(migrations().size()); }

Error sqlite_error(const SQLite::Exception& e, const fs::path& path) {
  int code = e.getErrorCode() & 0xff;
  std::string where = path.string() + ": " + e.what();
  switch (code) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return fail(ErrorKind::corrupt, where + " (the database file is damaged or not a Shoal database; "
                                              "move it aside or restore a backup)");
    case SQLITE_READONLY:
      return fail(ErrorKind::io, where + " (the store cannot be written: make the file and its folder writable, "
                                         "then run the command again; nothing was lost)");
    case SQLITE_FULL:
      return fail(ErrorKind::io, where + " (the disk is full: free some space, then run the command again; the "
                                         "unfinished change was rolled back)");
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_IOERR:
      return fail(ErrorKind::io, where);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return fail(ErrorKind::timeout, where + " (another process held the database too long)");
    case SQLITE_CONSTRAINT:
      return fail(ErrorKind::invalid_input, where);
    default:
      return fail(ErrorKind::internal, where);
  }
}

namespace {

// Applies the migrations from the file's version up to the latest, one write transaction
// each. The version is read again inside each transaction: two processes opening a new
// store at once (an orchestrator and a Slurm job's shoal) must not both apply a migration.
Status migrate(SQLite::Database& db, const fs::path& path, int from) {
  const int latest = static_cast<int>(migrations().size());
  for (int v = from; v < latest;) {
    db.exec("BEGIN IMMEDIATE");
    try {
      v = db.execAndGet("PRAGMA user_version").getInt();
      if (v >= latest) {
        db.exec("COMMIT");
        break;
      }
      db.exec(std::string(migrations()[v]));
      db.exec("PRAGMA user_version = " + std::to_string(v + 1));
      db.exec("COMMIT");
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
    ++v;
    log::info("store", "migrated " + path.string() + " to schema " + std::to_string(v));
  }
  return {};
}

// Process-wide SQLite settings, before its first use: no memory statistics (they take a
// global mutex on every allocation, which serialises the web server's threads).
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Expected<Store> Store::open(const fs::path& path, OpenMode mode) {
  configure_sqlite_once();
  std::error_code ec;
  bool exists = fs::exists(path, ec);
  if (!exists && mode != OpenMode::create)
    return fail(ErrorKind::not_found, "no database at " + path.string() + " (run `shoal init` first)");
  if (!exists) SHOAL_CHECK(ensure_writable_dir(path.parent_path().empty() ? fs::path(".") : path.parent_path()));
  try {
    int flags = mode == OpenMode::read_only ? SQLite::OPEN_READONLY
                                            : (SQLite::OPEN_READWRITE | (exists ? 0 : SQLite::OPEN_CREATE));
    auto db = std::make_unique<SQLite::Database>(path.string(), flags, /*busy_timeout_ms=*/10000);
    // Reading user_version also makes SQLite read the header: a non-database fails here.
    int version = db->execAndGet("PRAGMA user_version").getInt();
    if (version > latest_schema_version())
      return fail(ErrorKind::incompatible,
                  path.string() + " has schema version " + std::to_string(version) + " but this shoal knows only up to " +
                      std::to_string(latest_schema_version()) + "; use a newer shoal (nothing was changed)");
    if (mode == OpenMode::read_only) {
      if (version < latest_schema_version())
        return fail(ErrorKind::incompatible, path.string() + " has schema version " + std::to_string(version) +
                                                 "; open it once read-write to migrate it");
    } else {
      db->exec("PRAGMA journal_mode = WAL");
      db->exec("PRAGMA synchronous = NORMAL");
      SHOAL_CHECK(migrate(*db, path, version));
    }
    db->exec("PRAGMA foreign_keys = ON");
    return Store(path, std::move(db));
  } catch (const SQLite::Exception& e) {
    return sqlite_error(e, path);
  }
}

Store::Store(fs::path path, std::unique_ptr<SQLite::Database> db) : path_(std::move(path)), db_(std::move(db)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

int Store::schema_version() { return db_->execAndGet("PRAGMA user_version").getInt(); }

Status Store::begin() {
  try {
    db_->exec("BEGIN IMMEDIATE");
    return {};
  } catch (const SQLite::Exception& e) {
    return sqlite_error(e, path_);
  }
}

void Store::commit() { db_->exec("COMMIT"); }

void Store::rollback() noexcept {
  try {
    db_->exec("ROLLBACK");
  } catch (...) {
    // Already rolled back by SQLite (e.g. after SQLITE_FULL); nothing more to undo.
  }
}

}  // namespace shoal::store
