// Request targets: percent-decoding, the path and query of a target, path patterns with
// {name} segments, and cookies. Everything a request says is untrusted: bad encodings are
// errors, never guesses.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace shoal::web {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`); nullopt on a malformed
// escape or a decoded NUL byte.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

struct Target {
  std::string path;                          // decoded, without the query
  std::map<std::string, std::string> query;  // decoded; a repeated key keeps its last value
};

// Splits and decodes "/path?a=1&b=two". invalid_input for a target that is not an absolute
// path or holds a malformed escape.
Expected<Target> parse_target(std::string_view target);

// Matches `path` against `pattern` ("/api/v1/papers/{id}"): each {name} takes one non-empty
// segment. The captured segments by name, or nullopt when the path does not match.
std::optional<std::map<std::string, std::string>> match_path(std::string_view pattern, std::string_view path);

// The value of cookie `name` in a Cookie header ("" when absent).
std::string cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace shoal::web
