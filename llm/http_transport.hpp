// One HTTP transport for every provider: libcurl's multi interface driven by one loop
// thread, so hundreds of requests are in flight at once without a thread each. The loop
// thread also runs timed tasks (retry backoff, rate-limit waits), so callers never sleep.
// Callbacks and tasks run on the loop thread: they must not block.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shoal::llm {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // POSTed as is
  int64_t connect_timeout_ms = 10000;
  int64_t timeout_ms = 300000;       // the whole transfer (0 = no limit)
  int64_t idle_timeout_ms = 0;       // no byte received for this long ends the transfer (0 = no limit)
};

// What went wrong on the wire, if anything (a response with any HTTP status is `none`).
// `idle` is the idle timeout; `not_http` a server that did not answer in HTTP.
enum class NetError { none, connect, timeout, idle, connection_lost, not_http, cancelled, other };

struct HttpResult {
  NetError net_error = NetError::none;
  std::string net_message;  // libcurl's description of the failure
  long status = 0;          // HTTP status when a response arrived
  std::string body;
  std::optional<double> retry_after_s;  // Retry-After (seconds or an HTTP date) or retry-after-ms, if sent
  int64_t elapsed_ms = 0;
};

class HttpTransport {
 public:
  using Callback = std::function<void(HttpResult)>;
  using Task = std::function<void(bool cancelled)>;
  using Clock = std::chrono::steady_clock;

  HttpTransport();   // starts the loop thread
  ~HttpTransport();  // stop()s it
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Starts `request` (from any thread); `done` runs on the loop thread with the result.
  void send(HttpRequest request, Callback done);

  // Runs `task(false)` on the loop thread at `when` (or `task(true)` if the transport stops first).
  void post_at(Clock::time_point when, Task task);
  void post(Task task) { post_at(Clock::now(), std::move(task)); }

  // Stops the loop thread: transfers and tasks still pending are called back as cancelled, and
  // later send()/post_at() calls are answered as cancelled at once. Idempotent; not from a callback.
  void stop();

  // Transfers running right now, and the most that ever ran at once.
  int64_t in_flight() const;
  int64_t peak_in_flight() const;

  struct Impl;  // the implementation (named here so that libcurl's C callbacks can reach it)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoal::llm
