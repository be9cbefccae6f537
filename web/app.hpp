// The reviewer web application: one route table (routes.cpp) mapping methods and paths to
// API handlers and pages, with rate limits, sign-in and CSRF checks in front of them.
// App::handle is what the HTTP server calls; it never throws.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "web/access.hpp"
#include "web/http.hpp"
#include "web/response_cache.hpp"
#include "web/store_pool.hpp"

namespace shoal::web {

struct AppOptions {
  std::filesystem::path db_path;      // <home>/shoal.db; must exist
  std::string token;                  // writes need it (empty: nothing can be written)
  double requests_per_s = 100;        // per client address; 0: no limit
  double request_burst = 400;
  double writes_per_min = 30;         // sign-ins and reviews per client address; 0: no limit
  int64_t session_ms = 12 * 3600 * 1000;
  size_t cache_bytes = 64 << 20;      // answers of read routes kept until the database changes; 0: none
};

class App {
 public:
  explicit App(AppOptions options);

  // Answers one request (errors become JSON error responses; never throws).
  Response handle(const Request& request);

  const AppOptions& options() const { return options_; }
  Sessions& sessions() { return sessions_; }

 private:
  Response dispatch(const Request& request);

  AppOptions options_;
  StorePool stores_;
  Sessions sessions_;
  RateLimiter reads_, writes_;
  ResponseCache cache_;
};

}  // namespace shoal::web
