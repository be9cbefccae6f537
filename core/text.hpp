// Small text helpers used across the libraries: trimming, case, joining, splitting and
// clipping. Byte-oriented (ASCII case and white space) except clip, which never cuts a UTF-8
// character in two.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace shoal {

// `s` without the leading and trailing characters in `chars`.
std::string trim(std::string_view s, std::string_view chars = " \t\r\n");

// `s` with ASCII letters in lower case.
std::string lower(std::string_view s);

// The items with `sep` between them.
std::string join(const std::vector<std::string>& items, std::string_view sep);

// The lines of `text` without their line ends ("\n" or "\r\n"); no empty last line for a
// text that ends with a line end.
std::vector<std::string> split_lines(std::string_view text);

// The items of a `sep`-separated list, spaces and tabs trimmed, empty ones dropped
// ("a, b,,c" -> a, b, c).
std::vector<std::string> split_items(std::string_view text, char sep = ',');

// `text` cut to at most `max_bytes` bytes (never inside a UTF-8 character), with `marker`
// appended when it was cut.
std::string clip(std::string_view text, size_t max_bytes, std::string_view marker = "...");

}  // namespace shoal
