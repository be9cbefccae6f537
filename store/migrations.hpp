// The list of schema migrations; the schema version is its length.
#pragma once

#include <string_view>
#include <vector>

namespace shoal::store {

// migrations()[i] takes user_version i to i + 1.
const std::vector<std::string_view>& migrations();

}  // namespace shoal::store
