// Wall-clock time, monotonic timing and identifiers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace shoal {

// Milliseconds since the Unix epoch (wall clock).
int64_t now_ms();

// "2026-11-24T08:00:00.123Z" for a time in ms since the epoch (UTC).
std::string iso8601(int64_t ms);

// A new identifier: prefix, UTC time to the second and 6 random hex digits,
// e.g. "run-20261124-080000-3fa9c1". Sortable by creation time, unique in practice.
std::string new_id(std::string_view prefix);

// Measures elapsed time on the monotonic clock.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace shoal
