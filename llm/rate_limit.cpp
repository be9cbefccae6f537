#include "llm/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace shoal::llm {

TokenBucket::TokenBucket(double per_minute, Clock::time_point now)
    : capacity_(per_minute), level_(per_minute), last_(now) {}

std::chrono::milliseconds TokenBucket::take(double amount, Clock::time_point now) {
  if (capacity_ <= 0) return std::chrono::milliseconds(0);
  double per_ms = capacity_ / 60000.0;
  if (now > last_) {
    level_ = std::min(capacity_, level_ + per_ms * std::chrono::duration<double, std::milli>(now - last_).count());
    last_ = now;
  }
  level_ -= amount;
  if (level_ >= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(-level_ / per_ms)));
}

}  // namespace shoal::llm
