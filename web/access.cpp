#include "web/access.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace shoal::web {

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("OpenSSL's random generator failed");  // no entropy: nothing safe to do
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

RateLimiter::Bucket& RateLimiter::refill(const std::string& key, int64_t now_ms) {
  if (buckets_.size() > 10000) {  // forget clients whose buckets have refilled
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = (now_ms - it->second.last_ms) * rate_ / 1000.0 >= burst_ ? buckets_.erase(it) : std::next(it);
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now_ms});
  auto& b = it->second;
  if (!fresh) {
    b.tokens = std::min(burst_, b.tokens + std::max<int64_t>(now_ms - b.last_ms, 0) * rate_ / 1000.0);
    b.last_ms = std::max(b.last_ms, now_ms);
  }
  return b;
}

bool RateLimiter::allow(const std::string& key, int64_t now_ms) {
  if (rate_ <= 0) return true;
  std::lock_guard lock(mutex_);
  auto& b = refill(key, now_ms);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

double RateLimiter::retry_after_s(const std::string& key, int64_t now_ms) {
  if (rate_ <= 0) return 0;
  std::lock_guard lock(mutex_);
  auto& b = refill(key, now_ms);
  return b.tokens >= 1 ? 0 : (1 - b.tokens) / rate_;
}

bool Sessions::token_matches(std::string_view candidate) const {
  return !token_.empty() && constant_time_equal(candidate, token_);
}

Sessions::Session Sessions::open(int64_t now_ms) {
  Session s{random_hex(32), random_hex(32), now_ms + lifetime_ms_};
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expires_ms <= now_ms; });
  sessions_[s.id] = s;
  return s;
}

std::optional<Sessions::Session> Sessions::find(std::string_view id, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.expires_ms <= now_ms) return std::nullopt;
  return it->second;
}

void Sessions::close(std::string_view id) {
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(id); it != sessions_.end()) sessions_.erase(it);
}

}  // namespace shoal::web
