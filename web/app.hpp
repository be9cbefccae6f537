// The reviewer web application: one route table (routes.cpp) mapping methods and paths to
// API handlers and pages, with rate limits, sign-in and CSRF checks in front of them.
// App::handle is what the HTTP server calls; it never throws.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>

#include "core/expected.hpp"

#include "web/access.hpp"
#include "web/http.hpp"
#include "web/response_cache.hpp"
#include "store/pool.hpp"

namespace shoal::web {

struct AppOptions {
  std::filesystem::path db_path;      // <home>/shoal.db; must exist
  std::string token;                  // writes need it (empty: nothing can be written)
  double requests_per_s = 100;        // per client address; 0: no limit
  double request_burst = 400;
  double writes_per_min = 30;         // sign-ins and reviews per client address; 0: no limit
  int64_t session_ms = 12 * 3600 * 1000;
  size_t cache_bytes = 64 << 20;      // answers of read routes kept until the database changes; 0: none
  // Renders a PDF's first page as a PNG (`shoal serve` runs pdftoppm in the sandbox); a
  // paper without a stored page image gets its preview this way once, then it is stored.
  // Unset: such papers have no preview.
  std::function<Expected<std::string>(const std::string& pdf)> render_first_page;
};

class App {
 public:
  explicit App(AppOptions options);

  // Answers one request (errors become JSON error responses; never throws).
  Response handle(const Request& request);

  const AppOptions& options() const { return options_; }
  Sessions& sessions() { return sessions_; }
  // Held while a preview is rendered and stored, so two requests never make it twice.
  std::mutex& preview_mutex() { return preview_mutex_; }

 private:
  Response dispatch(const Request& request);

  AppOptions options_;
  store::StorePool stores_;
  Sessions sessions_;
  RateLimiter reads_, writes_;
  ResponseCache cache_;
  std::mutex preview_mutex_;
};

}  // namespace shoal::web
