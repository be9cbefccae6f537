#include "llm/faults.hpp"

#include <algorithm>
#include <cmath>

namespace shoal::llm {

namespace {

// The advice of a refused key: the variable to set, or where keys come from.
std::string key_advice(const std::string& key_env, const Provider& provider) {
  std::string var = !key_env.empty() ? key_env
                                     : (provider.protocol() == Protocol::anthropic ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY");
  return "; set " + var + " to a valid key (export " + var + "=...) and run again";
}

// The classification of `r` before the transient mark.
Fault classify(const HttpResult& r, const Provider& provider, const std::string& name, const std::string& url,
               const std::string& key_env) {
  Fault f;
  switch (r.net_error) {
    case NetError::none: break;
    case NetError::connect:
      f.error = fail(ErrorKind::remote, "cannot connect to " + name + " at " + url + " (" + r.net_message +
                                            "): check the base URL (--llm-base-url, llm_base_url) and that the "
                                            "server is running");
      f.retryable = true;
      return f;
    case NetError::timeout:
      f.error = fail(ErrorKind::timeout, name + " did not answer in time at " + url + " (" + r.net_message +
                                             "); raise llm_timeout_s if the model is slow");
      f.retryable = true;
      return f;
    case NetError::idle:
      f.error = fail(ErrorKind::timeout, name + " at " + url + " sent nothing for a while (" + r.net_message +
                                             "); raise llm_idle_timeout_s if the model is slow to start");
      f.retryable = true;
      return f;
    case NetError::not_http:
      f.error = fail(ErrorKind::invalid_input, "the LLM base URL " + url + " is not an HTTP server (" + r.net_message +
                                                   "): check --llm-base-url / llm_base_url");
      return f;
    case NetError::connection_lost:
      f.error = fail(ErrorKind::remote, "the connection to " + name + " at " + url + " was lost (" + r.net_message + ")");
      f.retryable = true;
      return f;
    case NetError::cancelled:
      f.error = fail(ErrorKind::cancelled, "the call to " + name + " was cancelled: " + r.net_message);
      return f;
    case NetError::other:
      f.error = fail(ErrorKind::remote, "the call to " + name + " at " + url + " failed: " + r.net_message);
      return f;
  }
  std::string own = provider.error_message(r.body);
  std::string said = own.empty() ? (r.body.empty() ? std::string("no message") : "'" + r.body.substr(0, 200) + "'")
                                 : "'" + own + "'";
  std::string status = "HTTP " + std::to_string(r.status);
  f.retry_after_s = r.retry_after_s;
  if (r.status == 429 || r.status == 529) {
    f.error = fail(ErrorKind::rate_limited, name + " is rate-limiting or overloaded (" + status + "): " + said +
                                                "; lower llm_concurrency, llm_rpm or llm_tpm, or try later");
    f.retryable = true;
  } else if (r.status == 408) {
    f.error = fail(ErrorKind::timeout, name + " timed out (" + status + "): " + said);
    f.retryable = true;
  } else if (r.status >= 500) {
    f.error = fail(ErrorKind::remote, name + " failed (" + status + "): " + said);
    f.retryable = true;
  } else if (r.status == 401 || r.status == 403) {
    f.error = fail(ErrorKind::unauthorized, name + " refused the API key (" + status + "): " + said +
                                                 key_advice(key_env, provider));
  } else if (r.status == 404) {
    f.error = fail(ErrorKind::invalid_input, name + " has no such endpoint or model (" + status + " at " + url + "): " +
                                                 said + "; check the model name and --llm-base-url / llm_base_url");
  } else if (r.status >= 400) {
    f.error = fail(ErrorKind::invalid_input, name + " rejected the request (" + status + "): " + said);
  } else {
    f.error = fail(ErrorKind::remote, name + " answered an unexpected " + status + ": " + said);
  }
  return f;
}

}  // namespace

Fault classify_failure(const HttpResult& r, const Provider& provider, const std::string& name, const std::string& url,
                       const std::string& key_env) {
  Fault f = classify(r, provider, name, url, key_env);
  f.error.transient = f.retryable;
  return f;
}

std::chrono::milliseconds retry_delay(const RetryPolicy& p, int retry, std::optional<double> retry_after_s,
                                      std::mt19937_64& rng) {
  if (retry_after_s) {
    double ms = std::min(*retry_after_s * 1000.0, static_cast<double>(p.max_retry_after_ms));
    return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(ms)));
  }
  double whole = std::min(static_cast<double>(p.max_delay_ms), p.base_delay_ms * std::pow(2.0, std::min(retry, 30)));
  std::uniform_real_distribution<double> jitter(whole / 2, whole);
  return std::chrono::milliseconds(static_cast<int64_t>(jitter(rng)));
}

}  // namespace shoal::llm
