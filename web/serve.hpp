// `shoal serve`: the reviewer web UI over a home's store, until SIGINT or SIGTERM.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

#include "core/expected.hpp"

namespace shoal::web {

struct ServeOptions {
  std::filesystem::path db_path;
  std::string host = "127.0.0.1";
  int port = 8080;                // 0: any free port (the one bound is printed)
  std::string token;              // "" : a random one is made and printed
  int threads = 0;                // 0: twice the cores, at least 4
  double requests_per_s = 100;    // per client; 0: no limit
  // A PDF's first page as PNG, for papers with no stored page image (AppOptions has it).
  std::function<Expected<std::string>(const std::string& pdf)> render_first_page;
};

// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
bool is_loopback(const std::string& host);

// Opens (and migrates) the store, binds, prints the URL and the token to `out` and warns on
// `err` when the address is reachable from elsewhere; then serves until SIGINT/SIGTERM.
Status serve(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace shoal::web
