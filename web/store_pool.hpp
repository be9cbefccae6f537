// SQLite connections for the server threads: a Store is one connection and must not be
// shared between threads at once, so each request leases one and gives it back.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "store/db.hpp"

namespace shoal::web {

class StorePool {
 public:
  explicit StorePool(std::filesystem::path db_path) : path_(std::move(db_path)) {}

  // A connection held until the lease is destroyed.
  class Lease {
   public:
    Lease(StorePool& pool, std::unique_ptr<store::Store> store) : pool_(&pool), store_(std::move(store)) {}
    Lease(Lease&&) noexcept = default;
    ~Lease();
    store::Store& operator*() { return *store_; }

   private:
    StorePool* pool_;
    std::unique_ptr<store::Store> store_;
  };

  // An idle connection, or a new one (the database must exist and be at the latest schema).
  Expected<Lease> acquire();

 private:
  std::filesystem::path path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<store::Store>> idle_;
};

}  // namespace shoal::web
