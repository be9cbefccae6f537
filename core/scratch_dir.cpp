#include "core/scratch_dir.hpp"

#include <stdlib.h>

namespace shoal {
namespace fs = std::filesystem;

Expected<std::unique_ptr<ScratchDir>> ScratchDir::create(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) return fail(ErrorKind::io, "cannot create a folder under " + pattern);
  std::error_code ec;
  fs::permissions(pattern, fs::perms::others_exec, fs::perm_options::add, ec);
  return std::unique_ptr<ScratchDir>(new ScratchDir(pattern));
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace shoal
