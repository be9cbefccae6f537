// A pool of connections to one store for threads that work at once (the web server's requests,
// a search's parallel nodes): a Store is one connection and must not be shared between
// threads at once, so each user leases one and gives it back, and a connection is opened
// (and SQLite reads the schema) once per pool slot rather than once per job.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "store/db.hpp"

namespace shoal::store {

class StorePool {
 public:
  explicit StorePool(std::filesystem::path db_path) : path_(std::move(db_path)) {}

  // A connection held until the lease is destroyed.
  class Lease {
   public:
    Lease(StorePool& pool, std::unique_ptr<Store> store) : pool_(&pool), store_(std::move(store)) {}
    Lease(Lease&&) noexcept = default;
    ~Lease();
    Store& operator*() { return *store_; }

   private:
    StorePool* pool_;
    std::unique_ptr<Store> store_;
  };

  // An idle connection, or a new one (the database must exist and be at the latest schema).
  Expected<Lease> acquire();

 private:
  std::filesystem::path path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Store>> idle_;
};

}  // namespace shoal::store
