// Token buckets for requests per minute and tokens per minute. Taking from a bucket never
// blocks: it returns how long the caller must wait before the work it paid for may start.
#pragma once

#include <algorithm>
#include <chrono>

namespace shoal::llm {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  // `per_minute` <= 0 means unlimited. The bucket starts full (a minute's worth).
  explicit TokenBucket(double per_minute, Clock::time_point now = Clock::now());

  // Takes `amount` at `now` (it may go into debt) and returns the wait until the debt is paid.
  std::chrono::milliseconds take(double amount, Clock::time_point now = Clock::now());

 private:
  double capacity_;
  double level_;
  Clock::time_point last_;
};

// Requests/min and tokens/min together: the wait is the longer of the two.
class RateLimiter {
 public:
  RateLimiter(double requests_per_minute, double tokens_per_minute)
      : requests_(requests_per_minute), tokens_(tokens_per_minute) {}
  std::chrono::milliseconds acquire(double tokens, TokenBucket::Clock::time_point now = TokenBucket::Clock::now()) {
    return std::max(requests_.take(1, now), tokens_.take(tokens, now));
  }

 private:
  TokenBucket requests_, tokens_;
};

}  // namespace shoal::llm
