// Answers of read-only API routes kept per request target until the database changes. The
// store is read-mostly (reviewers browse a finished run), and every commit by any process
// (a run writing events, a reviewer's review) moves SQLite's data_version, which drops every
// entry at once: a cached answer is never older than the database.
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "store/db.hpp"
#include "web/http.hpp"

namespace shoal::web {

class ResponseCache {
 public:
  // `max_bytes` bounds the bodies held (the oldest entries go first); 0 disables the cache.
  ResponseCache(std::filesystem::path db_path, size_t max_bytes);

  // The database's change counter as seen now (a PRAGMA on a connection of the cache's own:
  // it moves whenever any other connection commits). nullopt when it cannot be read.
  std::optional<int64_t> version();
  // The answer stored for `key` at `version`, if any.
  std::optional<Response> get(const std::string& key, int64_t version);
  // Stores `response` for `key`, valid while the database stays at `version` (read before
  // the answer was computed).
  void put(const std::string& key, int64_t version, const Response& response);

 private:
  struct Entry {
    int64_t version = 0;
    Response response;
    std::list<std::string>::iterator age;
  };
  std::filesystem::path path_;
  size_t max_bytes_, bytes_ = 0;
  std::mutex mutex_;
  std::unique_ptr<store::Store> watcher_;
  std::map<std::string, Entry> entries_;
  std::list<std::string> oldest_first_;
};

}  // namespace shoal::web
