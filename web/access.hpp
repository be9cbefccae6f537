// Who may do what: per-client rate limits, the write token and the sessions a browser gets
// after presenting it (a cookie plus a CSRF token that forms send back in a header).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::web {

// `bytes` random bytes from OpenSSL's CSPRNG as lower-case hex.
std::string random_hex(size_t bytes);

// Compares in time that depends only on the lengths (for secrets).
bool constant_time_equal(std::string_view a, std::string_view b);

// A token bucket per client key: `per_second` tokens refill, at most `burst` are held.
// per_second <= 0 disables the limit. Thread-safe.
class RateLimiter {
 public:
  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}
  // Takes one token for `key` at time `now_ms`; false (and nothing taken) when none is left.
  bool allow(const std::string& key, int64_t now_ms);
  // Seconds until `key` has a token again (0 when it has one).
  double retry_after_s(const std::string& key, int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t last_ms = 0;
  };
  Bucket& refill(const std::string& key, int64_t now_ms);
  double rate_, burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

// The write token and the browser sessions opened with it. Thread-safe.
class Sessions {
 public:
  struct Session {
    std::string id;    // the cookie value
    std::string csrf;  // must come back in X-CSRF-Token with every write
    int64_t expires_ms = 0;
  };

  // `token`: what a writer must present; `lifetime_ms`: how long a session lasts.
  Sessions(std::string token, int64_t lifetime_ms) : token_(std::move(token)), lifetime_ms_(lifetime_ms) {}

  // Whether `candidate` is the write token (constant time; an empty token never matches).
  bool token_matches(std::string_view candidate) const;
  // A new session (expired ones are dropped on the way).
  Session open(int64_t now_ms);
  // The live session with this id, if any.
  std::optional<Session> find(std::string_view id, int64_t now_ms);
  void close(std::string_view id);

 private:
  std::string token_;
  int64_t lifetime_ms_;
  std::mutex mutex_;
  std::map<std::string, Session, std::less<>> sessions_;
};

}  // namespace shoal::web
