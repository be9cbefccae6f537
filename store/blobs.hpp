// Content-addressed blobs and the artifacts that name them.
// A blob is stored once per distinct content (SHA-256); artifacts are cheap references.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace shoal::store {

struct ArtifactInput {
  std::string kind;        // code, log, final_info, plot, tex, bib, pdf, page_image, diff, ...
  std::string name;        // file name as the user would see it
  std::string owner_kind;  // run, idea, node, paper, review, template
  std::string owner_id;
  std::string mime = "application/octet-stream";
};

struct Artifact {
  int64_t id = 0;
  std::string hash;
  std::string kind, name, owner_kind, owner_id, mime;
  int64_t size = 0;
  int64_t created_ms = 0;
};

// Stores `data` if its hash is new; returns the hash. Call inside a transaction.
std::string put_blob(SQLite::Database& db, std::string_view data);

// Stores the blob and an artifact naming it, in one transaction; returns the artifact.
Expected<Artifact> add_artifact(Store& store, const ArtifactInput& input, std::string_view data);
// The same inside a transaction the caller holds.
Artifact insert_artifact(SQLite::Database& db, const ArtifactInput& input, std::string_view data);

// The bytes of a blob; not_found if absent.
Expected<std::string> get_blob(Store& store, const std::string& hash);

// One artifact's metadata; not_found if absent.
Expected<Artifact> get_artifact(Store& store, int64_t id);

// Artifacts of an owner, oldest first.
Expected<std::vector<Artifact>> list_artifacts(Store& store, const std::string& owner_kind,
                                               const std::string& owner_id);

}  // namespace shoal::store
