#include "store/blobs.hpp"

#include "core/hash.hpp"
#include "core/time.hpp"

namespace shoal::store {
namespace {

const char* kArtifactColumns =
    "SELECT a.id, a.hash, a.kind, a.name, a.owner_kind, a.owner_id, a.mime, b.size, a.created_ms "
    "FROM artifacts a JOIN blobs b ON b.hash = a.hash ";

Artifact artifact_from_row(SQLite::Statement& q) {
  Artifact a;
  a.id = q.getColumn(0).getInt64();
  a.hash = q.getColumn(1).getString();
  a.kind = q.getColumn(2).getString();
  a.name = q.getColumn(3).getString();
  a.owner_kind = q.getColumn(4).getString();
  a.owner_id = q.getColumn(5).getString();
  a.mime = q.getColumn(6).getString();
  a.size = q.getColumn(7).getInt64();
  a.created_ms = q.getColumn(8).getInt64();
  return a;
}

}  // namespace

std::string put_blob(SQLite::Database& db, std::string_view data) {
  std::string hash = sha256_hex(data);
  SQLite::Statement q(db, "INSERT OR IGNORE INTO blobs (hash, size, data, created_ms) VALUES (?, ?, ?, ?)");
  q.bind(1, hash);
  q.bind(2, static_cast<int64_t>(data.size()));
  q.bind(3, data.data(), static_cast<int>(data.size()));
  q.bind(4, now_ms());
  q.exec();
  return hash;
}

Expected<Artifact> add_artifact(Store& store, const ArtifactInput& in, std::string_view data) {
  return store.transaction([&](SQLite::Database& db) -> Expected<Artifact> { return insert_artifact(db, in, data); });
}

Artifact insert_artifact(SQLite::Database& db, const ArtifactInput& in, std::string_view data) {
  {
    Artifact a{0, put_blob(db, data), in.kind, in.name, in.owner_kind, in.owner_id, in.mime,
               static_cast<int64_t>(data.size()), now_ms()};
    SQLite::Statement q(db,
                        "INSERT INTO artifacts (hash, kind, name, owner_kind, owner_id, mime, created_ms) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, a.hash);
    q.bind(2, a.kind);
    q.bind(3, a.name);
    q.bind(4, a.owner_kind);
    q.bind(5, a.owner_id);
    q.bind(6, a.mime);
    q.bind(7, a.created_ms);
    q.exec();
    a.id = db.getLastInsertRowid();
    return a;
  }
}

Expected<std::string> get_blob(Store& store, const std::string& hash) {
  return store.read([&](SQLite::Database& db) -> Expected<std::string> {
    SQLite::Statement q(db, "SELECT data FROM blobs WHERE hash = ?");
    q.bind(1, hash);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no blob with hash " + hash);
    auto col = q.getColumn(0);
    return std::string(static_cast<const char*>(col.getBlob()), static_cast<size_t>(col.getBytes()));
  });
}

Expected<Artifact> get_artifact(Store& store, int64_t id) {
  return store.read([&](SQLite::Database& db) -> Expected<Artifact> {
    SQLite::Statement q(db, std::string(kArtifactColumns) + "WHERE a.id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no artifact " + std::to_string(id));
    return artifact_from_row(q);
  });
}

Expected<std::vector<Artifact>> list_artifacts(Store& store, const std::string& owner_kind,
                                               const std::string& owner_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<Artifact>> {
    SQLite::Statement q(db, std::string(kArtifactColumns) + "WHERE a.owner_kind = ? AND a.owner_id = ? ORDER BY a.id");
    q.bind(1, owner_kind);
    q.bind(2, owner_id);
    std::vector<Artifact> out;
    while (q.executeStep()) out.push_back(artifact_from_row(q));
    return out;
  });
}

}  // namespace shoal::store
