#include <doctest/doctest.h>

#include "web/access.hpp"

using namespace shoal::web;

TEST_CASE("random tokens are hex of the asked length and differ") {
  auto a = random_hex(16), b = random_hex(16);
  CHECK(a.size() == 32);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
}

TEST_CASE("the rate limiter allows a burst per client, then refills at its rate") {
  RateLimiter limiter(2, 3);  // 2 per second, bursts of 3
  for (int i = 0; i < 3; ++i) CHECK(limiter.allow("a", 1000));
  CHECK_FALSE(limiter.allow("a", 1000));
  CHECK(limiter.retry_after_s("a", 1000) == doctest::Approx(0.5));
  CHECK(limiter.allow("b", 1000));  // another client has its own bucket
  CHECK(limiter.allow("a", 1500));  // half a second: one token back
  CHECK_FALSE(limiter.allow("a", 1500));
  RateLimiter off(0, 0);
  for (int i = 0; i < 100; ++i) CHECK(off.allow("a", 0));
}

TEST_CASE("sessions open only for the token, expire, and close") {
  Sessions sessions("the-token-123", 1000);
  CHECK(sessions.token_matches("the-token-123"));
  CHECK_FALSE(sessions.token_matches("the-token-124"));
  CHECK_FALSE(sessions.token_matches(""));
  CHECK_FALSE(Sessions("", 1000).token_matches(""));  // no token: nobody may write
  auto s = sessions.open(0);
  CHECK(s.id != s.csrf);
  CHECK(sessions.find(s.id, 500).value().csrf == s.csrf);
  CHECK_FALSE(sessions.find(s.id, 1000));  // expired
  auto t = sessions.open(2000);
  sessions.close(t.id);
  CHECK_FALSE(sessions.find(t.id, 2001));
  CHECK_FALSE(sessions.find("made-up", 0));
}
