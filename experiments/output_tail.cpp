// Output tails (see output_tail.hpp).
#include "experiments/output_tail.hpp"

#include <cstdint>

namespace shoal::experiments {

void OutputTail::add(std::string_view data) {
  total_ += static_cast<int64_t>(data.size());
  if (keep_ == 0) return;
  if (data.size() >= keep_) {
    buf_.assign(data.substr(data.size() - keep_));
    return;
  }
  buf_.append(data);
  if (buf_.size() > 2 * keep_) buf_.erase(0, buf_.size() - keep_);
}

std::string OutputTail::text() const {
  std::string_view v = buf_;
  if (v.size() > keep_) v.remove_prefix(v.size() - keep_);
  return valid_utf8(v);
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (ok && len > 1) {
      // Reject overlong forms, surrogates and code points past U+10FFFF.
      uint32_t cp = c & (0xFF >> (len + 1));
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= min_cp[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace shoal::experiments
