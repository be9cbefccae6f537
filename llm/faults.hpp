// Fault handling of provider calls: what kind of failure an HTTP result is, whether it is
// worth retrying, and how long to wait before the next attempt (capped exponential backoff
// with jitter, or the server's Retry-After). Attempts are always bounded.
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
  int max_retries = 4;                   // attempts = 1 + max_retries
  int base_delay_ms = 500;               // first backoff
  int max_delay_ms = 30000;              // backoff cap
  int max_retry_after_ms = 120000;       // a longer Retry-After is cut to this
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
Fault classify_failure(const HttpResult& result, const Provider& provider, const std::string& provider_name,
                       const std::string& url);

// The wait before retry number `retry` (0 = the first retry): Retry-After when the server
// sent one (capped), else min(max, base * 2^retry) with full jitter in [half, whole].
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int retry, std::optional<double> retry_after_s,
                                      std::mt19937_64& rng);

}  // namespace shoal::llm
