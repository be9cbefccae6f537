// Fault handling of provider calls: what kind of failure an HTTP result is, whether it is
// worth retrying, and how long to wait before the next attempt (capped exponential backoff
// with jitter, or the server's Retry-After). Transient faults are retried for up to the
// patience (llm_patience_s) of a call; attempts are also bounded by max_retries.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string>

#include "llm/http_transport.hpp"
#include "llm/provider.hpp"
#include "core/error.hpp"

namespace shoal::llm {

struct RetryPolicy {
  int max_retries = 50;                  // attempts = 1 + max_retries (the patience usually ends them first)
  int base_delay_ms = 1000;              // first backoff
  int max_delay_ms = 60000;              // backoff cap
  int max_retry_after_ms = 120000;       // a longer Retry-After is cut to this
  double patience_s = 900;               // a call keeps retrying transient faults this long in all
};

struct Fault {
  Error error;           // kind and a message with the provider's own words where it sent some
  bool retryable = false;
  std::optional<double> retry_after_s;
};

// Classifies a failed HTTP result (a network error or a non-2xx status) from `provider_name`
// speaking `provider`'s protocol:
//   connect, timeout, connection lost   -> remote / timeout, retryable
//   429, 529 (overloaded)               -> rate_limited, retryable, honouring Retry-After
//   408                                 -> timeout, retryable
//   5xx                                 -> remote, retryable
//   400, 401, 403, 404, 413, 422        -> invalid_input with the provider's message, not retried
// `url` is named in connection errors.
// A 401/403 names `key_env` (the variable the key came from) as the one to fix. Every
// retryable fault's error is marked transient.
Fault classify_failure(const HttpResult& result, const Provider& provider, const std::string& provider_name,
                       const std::string& url, const std::string& key_env = "");

// Whether `error` may pass by itself (overload, rate limit, outage, timeout): a caller can park
// the work and try later instead of failing it.
inline bool is_transient(const Error& error) { return error.transient; }

// The wait before retry number `retry` (0 = the first retry): Retry-After when the server
// sent one (capped), else min(max, base * 2^retry) with full jitter in [half, whole].
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int retry, std::optional<double> retry_after_s,
                                      std::mt19937_64& rng);

}  // namespace shoal::llm
