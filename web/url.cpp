#include "web/url.hpp"

#include <vector>

namespace shoal::web {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits `text` at each `sep` (empty pieces kept).
std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      if (c == '\0') return std::nullopt;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    out += c;
  }
  return out;
}

Expected<Target> parse_target(std::string_view target) {
  if (target.empty() || target[0] != '/')
    return fail(ErrorKind::invalid_input, "the request target must be an absolute path");
  size_t q = target.find('?');
  Target out;
  auto path = percent_decode(target.substr(0, q), false);
  if (!path) return fail(ErrorKind::invalid_input, "malformed percent-encoding in the request path");
  out.path = *path;
  if (q == std::string_view::npos) return out;
  for (auto pair : split(target.substr(q + 1), '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value) return fail(ErrorKind::invalid_input, "malformed percent-encoding in the query string");
    out.query[*key] = *value;
  }
  return out;
}

std::optional<std::map<std::string, std::string>> match_path(std::string_view pattern, std::string_view path) {
  auto want = split(pattern, '/');
  auto got = split(path, '/');
  if (want.size() != got.size()) return std::nullopt;
  std::map<std::string, std::string> params;
  for (size_t i = 0; i < want.size(); ++i) {
    auto w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      if (got[i].empty()) return std::nullopt;
      params[std::string(w.substr(1, w.size() - 2))] = std::string(got[i]);
    } else if (w != got[i]) {
      return std::nullopt;
    }
  }
  return params;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  for (auto part : split(header, ';')) {
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
  }
  return "";
}

}  // namespace shoal::web
