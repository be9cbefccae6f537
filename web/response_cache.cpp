#include "web/response_cache.hpp"

namespace shoal::web {

ResponseCache::ResponseCache(std::filesystem::path db_path, size_t max_bytes)
    : path_(std::move(db_path)), max_bytes_(max_bytes) {}

std::optional<int64_t> ResponseCache::version() {
  if (max_bytes_ == 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  try {
    if (!watcher_) {
      auto store = store::Store::open(path_, store::OpenMode::read_only);
      if (!store.ok()) return std::nullopt;
      watcher_ = std::make_unique<store::Store>(std::move(*store));
    }
    return watcher_->db().execAndGet("PRAGMA data_version").getInt64();
  } catch (const SQLite::Exception&) {
    watcher_.reset();  // try a fresh connection next time
    return std::nullopt;
  }
}

std::optional<Response> ResponseCache::get(const std::string& key, int64_t version) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.version != version) {  // the database moved on: drop what is stale
    bytes_ -= it->second.response.body.size();
    oldest_first_.erase(it->second.age);
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.response;
}

void ResponseCache::put(const std::string& key, int64_t version, const Response& response) {
  if (response.body.size() > max_bytes_ / 8) return;  // one answer may not crowd out the rest
  std::lock_guard lock(mutex_);
  if (auto old = entries_.find(key); old != entries_.end()) {
    bytes_ -= old->second.response.body.size();
    oldest_first_.erase(old->second.age);
    entries_.erase(old);
  }
  while (bytes_ + response.body.size() > max_bytes_ && !oldest_first_.empty()) {
    auto victim = entries_.find(oldest_first_.front());
    bytes_ -= victim->second.response.body.size();
    entries_.erase(victim);
    oldest_first_.pop_front();
  }
  oldest_first_.push_back(key);
  entries_[key] = Entry{version, response, std::prev(oldest_first_.end())};
  bytes_ += response.body.size();
}

}  // namespace shoal::web
