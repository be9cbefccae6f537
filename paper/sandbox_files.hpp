// Files that sandboxed tools (pdflatex, pdftoppm) wrote: after a run the work folder belongs
// to the sandbox and may hold links planted by what ran there, so these helpers read only
// regular files and never follow a link.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace shoal::paper {

// The bytes of `path` if it is a regular file (not a link) of at most `max_bytes`;
// not_found when missing, invalid_input when a link, not a regular file or too large.
Expected<std::string> read_sandbox_file(const std::filesystem::path& path, int64_t max_bytes = 256LL << 20);

// Names of the regular files directly in `dir` (no links, no folders), sorted.
std::vector<std::string> list_sandbox_files(const std::filesystem::path& dir);

// Creates `dir` fresh (removing what was there), searchable by others as the sandbox's user
// needs (the folders above it must be searchable too; the sandbox names them if not).
Status make_work_dir(const std::filesystem::path& dir);

}  // namespace shoal::paper
