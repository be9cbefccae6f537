// What a template argument names: a folder, or the name of a template under one of the given
// roots (the CLI and the Python module pass Shoal's bundled templates/).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace shoal::experiments {

// `arg` when it is a folder, else the first root/arg that is one; not_found naming what to give.
Expected<std::filesystem::path> find_template(const std::string& arg, const std::vector<std::filesystem::path>& roots);

}  // namespace shoal::experiments
