#include "store/pool.hpp"

namespace shoal::store {

StorePool::Lease::~Lease() {
  if (!store_) return;  // moved from
  std::lock_guard lock(pool_->mutex_);
  pool_->idle_.push_back(std::move(store_));
}

Expected<StorePool::Lease> StorePool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto store = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(store));
    }
  }
  SHOAL_TRY(store, Store::open(path_, OpenMode::existing));
  return Lease(*this, std::make_unique<Store>(std::move(store)));
}

}  // namespace shoal::store
