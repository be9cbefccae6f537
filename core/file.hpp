// Small file helpers that return Expected instead of throwing.
#pragma once

#include <filesystem>
#include <string>

#include "core/expected.hpp"

namespace shoal {

// Whole file as bytes; not_found if missing, io on other failures.
Expected<std::string> read_file(const std::filesystem::path& path);

// Writes `data` to a temp file beside `path`, fsyncs it and renames it over `path`,
// so readers see either the old or the new content, never a part.
Status write_file_atomic(const std::filesystem::path& path, std::string_view data);

// The same without the fsync: for scratch files that the store can make again (a work
// folder's code and outputs). Readers still never see a part, but after a power loss the file
// may be empty or old. A symbolic link at `path` is replaced, never followed.
Status write_scratch_file(const std::filesystem::path& path, std::string_view data);

// Creates `dir` (and parents) if missing and checks it is a writable folder.
Status ensure_writable_dir(const std::filesystem::path& dir);

}  // namespace shoal
