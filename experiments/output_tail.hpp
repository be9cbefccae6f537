// The last N bytes of a stream (a job's stdout or stderr) and the count of all bytes seen.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shoal::experiments {

class OutputTail {
 public:
  explicit OutputTail(int64_t keep) : keep_(keep > 0 ? static_cast<size_t>(keep) : 0) {}
  // Adds bytes; memory stays under twice the kept size.
  void add(std::string_view data);
  // The kept tail as valid UTF-8 (broken or binary bytes become U+FFFD).
  std::string text() const;
  int64_t total() const { return total_; }

 private:
  size_t keep_;
  std::string buf_;
  int64_t total_ = 0;
};

// `bytes` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view bytes);

}  // namespace shoal::experiments
