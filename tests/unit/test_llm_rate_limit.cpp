#include <doctest/doctest.h>

#include "llm/rate_limit.hpp"

using namespace shoal::llm;
using namespace std::chrono;

TEST_CASE("a token bucket allows a minute's worth at once, then paces at its rate") {
  auto t0 = TokenBucket::Clock::now();
  TokenBucket bucket(60, t0);  // one a second
  for (int i = 0; i < 60; ++i) CHECK(bucket.take(1, t0).count() == 0);
  CHECK(bucket.take(1, t0) == milliseconds(1000));
  CHECK(bucket.take(1, t0) == milliseconds(2000));  // debts queue up
  // After 3 s the debt is paid and one more token has come in.
  CHECK(bucket.take(1, t0 + seconds(3)).count() == 0);
  CHECK(bucket.take(1, t0 + seconds(3)) == milliseconds(1000));
}

TEST_CASE("an unlimited bucket never waits; a rate limiter waits for the slower bucket") {
  TokenBucket unlimited(0);
  for (int i = 0; i < 1000; ++i) CHECK(unlimited.take(1e6).count() == 0);
  auto t0 = TokenBucket::Clock::now();
  RateLimiter limiter(1000, 6000);  // tokens are the tighter limit: 100 a second
  CHECK(limiter.acquire(6000, t0).count() == 0);
  CHECK(limiter.acquire(100, t0) == milliseconds(1000));
}
