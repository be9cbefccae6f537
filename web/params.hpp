// Query parameters read into typed values at the edge: a malformed number is an
// invalid_input error naming the parameter, never a silent default.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "store/catalog.hpp"
#include "web/url.hpp"

namespace shoal::web {

// The whole of `text` as an integer / a finite number; invalid_input naming `what` otherwise.
Expected<int64_t> parse_int(const std::string& text, const std::string& what);
Expected<double> parse_number(const std::string& text, const std::string& what);

// The integer query parameter `name` within [min, max], or `fallback` when absent.
Expected<int64_t> int_param(const Target& target, const std::string& name, int64_t fallback, int64_t min, int64_t max);

// Every min_NAME / max_NAME parameter as a range over score NAME.
Expected<std::vector<store::ScoreRange>> score_ranges(const Target& target);

// order=asc|desc (absent: `descending_by_default`).
Expected<bool> descending_param(const Target& target, bool descending_by_default);

}  // namespace shoal::web
