// The HTTP/1.1 server (Boost.Beast over Asio): accepts connections, reads requests within
// size limits, hands each to a handler as a plain Request and writes back its Response, with
// keep-alive and idle timeouts. This header does not include Beast; http_server.cpp is the
// only file that does (it is slow to compile), so it stays small and rarely changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/expected.hpp"
#include "web/http.hpp"

namespace shoal::web {

struct ServerLimits {
  size_t max_body = 64 * 1024;    // larger bodies get 413
  size_t max_header = 16 * 1024;  // larger header blocks get 431
  int idle_timeout_s = 30;        // a connection idle (or trickling) this long is closed
  int max_connections = 512;      // connections beyond this are closed at once
};

// Called on a server thread for each request; must not block for long. An exception that
// escapes it becomes a 500 (handlers are written not to throw).
using Handler = std::function<Response(const Request&)>;

class HttpServer {
 public:
  // Binds host:port (port 0: a free port) and serves `handler` on `threads` threads.
  // io names the address when it cannot be bound; invalid_input a malformed host.
  static Expected<std::unique_ptr<HttpServer>> start(const std::string& host, uint16_t port, int threads,
                                                     const ServerLimits& limits, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port bound (the one chosen when 0 was asked for).
  uint16_t port() const;
  // Stops accepting, closes connections and joins the threads (idempotent).
  void stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoal::web
