#include "web/params.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace shoal::web {

Expected<int64_t> parse_int(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    return fail(ErrorKind::invalid_input, what + " must be a whole number, not '" + text + "'");
  return static_cast<int64_t>(v);
}

Expected<double> parse_number(const std::string& text, const std::string& what) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v))
    return fail(ErrorKind::invalid_input, what + " must be a number, not '" + text + "'");
  return v;
}

Expected<int64_t> int_param(const Target& target, const std::string& name, int64_t fallback, int64_t min, int64_t max) {
  auto it = target.query.find(name);
  if (it == target.query.end()) return fallback;
  SHOAL_TRY(v, parse_int(it->second, name));
  if (v < min || v > max)
    return fail(ErrorKind::invalid_input,
                name + " must be from " + std::to_string(min) + " to " + std::to_string(max) + ", not " + it->second);
  return v;
}

Expected<std::vector<store::ScoreRange>> score_ranges(const Target& target) {
  std::vector<store::ScoreRange> out;
  for (const auto& [key, value] : target.query) {
    bool is_min = key.rfind("min_", 0) == 0, is_max = key.rfind("max_", 0) == 0;
    if ((!is_min && !is_max) || value.empty()) continue;
    SHOAL_TRY(v, parse_number(value, key));
    store::ScoreRange r{key.substr(4)};
    (is_min ? r.min : r.max) = v;
    out.push_back(r);
  }
  return out;
}

Expected<bool> descending_param(const Target& target, bool descending_by_default) {
  auto it = target.query.find("order");
  if (it == target.query.end() || it->second.empty()) return descending_by_default;
  if (it->second == "asc") return false;
  if (it->second == "desc") return true;
  return fail(ErrorKind::invalid_input, "order must be asc or desc, not '" + it->second + "'");
}



}  // namespace shoal::web
