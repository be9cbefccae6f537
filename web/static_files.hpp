// The pages, scripts and styles of web/static/, compiled into the binary by
// web/embed_static.py (no front-end build step; nothing is read from disk at run time).
#pragma once

#include <map>
#include <string_view>

namespace shoal::web {

struct StaticFile {
  std::string_view content_type;
  std::string_view data;
};

// File name (no folder) -> file.
const std::map<std::string_view, StaticFile>& static_files();

}  // namespace shoal::web
