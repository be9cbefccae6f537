#include <doctest/doctest.h>

#include "llm/faults.hpp"
#include "llm/protocol_anthropic.hpp"
#include "llm/protocol_openai.hpp"

using namespace shoal;
using namespace shoal::llm;

namespace {
HttpResult status(long code, std::string body = "", std::optional<double> retry_after = {}) {
  HttpResult r;
  r.status = code;
  r.body = std::move(body);
  r.retry_after_s = retry_after;
  return r;
}
HttpResult net(NetError e) {
  HttpResult r;
  r.net_error = e;
  r.net_message = "curl says no";
  return r;
}
}  // namespace

TEST_CASE("HTTP failures are classified into error kinds, retryable or not") {
  OpenAiProvider openai;
  AnthropicProvider anthropic;
  auto f429 = classify_failure(status(429, R"({"error": {"message": "slow down"}})", 2.0), openai, "openai:gpt-4o", "u");
  CHECK(f429.error.kind == ErrorKind::rate_limited);
  CHECK(f429.retryable);
  CHECK(*f429.retry_after_s == 2.0);
  CHECK(f429.error.message.find("slow down") != std::string::npos);
  auto f529 = classify_failure(status(529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"),
                               anthropic, "anthropic:m", "u");
  CHECK(f529.error.kind == ErrorKind::rate_limited);
  CHECK(f529.retryable);
  CHECK(classify_failure(status(500), openai, "p", "u").retryable);
  CHECK(classify_failure(status(503), openai, "p", "u").error.kind == ErrorKind::remote);
  CHECK(classify_failure(status(408), openai, "p", "u").error.kind == ErrorKind::timeout);
  auto bad = classify_failure(status(400, R"({"error": {"message": "max_tokens is too large"}})"), openai, "p", "u");
  CHECK(bad.error.kind == ErrorKind::invalid_input);
  CHECK_FALSE(bad.retryable);
  CHECK(bad.error.message.find("max_tokens is too large") != std::string::npos);
  auto auth = classify_failure(status(401, R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})"),
                               anthropic, "p", "u");
  CHECK(auth.error.kind == ErrorKind::unauthorized);  // the run pauses on it (not an idea's failure)
  CHECK_FALSE(auth.retryable);
  CHECK(auth.error.message.find("invalid x-api-key") != std::string::npos);
}

TEST_CASE("network failures are classified, and all but cancellation are retried") {
  OpenAiProvider p;
  auto connect = classify_failure(net(NetError::connect), p, "openai:m", "http://127.0.0.1:9/v1/chat/completions");
  CHECK(connect.error.kind == ErrorKind::remote);
  CHECK(connect.retryable);
  CHECK(connect.error.message.find("--llm-base-url") != std::string::npos);
  CHECK(classify_failure(net(NetError::timeout), p, "p", "u").error.kind == ErrorKind::timeout);
  CHECK(classify_failure(net(NetError::connection_lost), p, "p", "u").retryable);
  CHECK_FALSE(classify_failure(net(NetError::cancelled), p, "p", "u").retryable);
  CHECK(classify_failure(net(NetError::cancelled), p, "p", "u").error.kind == ErrorKind::cancelled);
}

TEST_CASE("retry delays grow exponentially with jitter, are capped, and honour Retry-After") {
  RetryPolicy policy{.max_retries = 10, .base_delay_ms = 100, .max_delay_ms = 1000, .max_retry_after_ms = 5000};
  std::mt19937_64 rng(42);
  for (int i = 0; i < 50; ++i) {
    auto d0 = retry_delay(policy, 0, std::nullopt, rng).count();
    CHECK(d0 >= 50);
    CHECK(d0 <= 100);
    auto d3 = retry_delay(policy, 3, std::nullopt, rng).count();
    CHECK(d3 >= 400);
    CHECK(d3 <= 800);
    auto d20 = retry_delay(policy, 20, std::nullopt, rng).count();
    CHECK(d20 <= 1000);
    CHECK(d20 >= 500);
  }
  CHECK(retry_delay(policy, 0, 2.0, rng).count() == 2000);
  CHECK(retry_delay(policy, 0, 3600.0, rng).count() == 5000);
}
