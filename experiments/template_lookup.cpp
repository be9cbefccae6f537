#include "experiments/template_lookup.hpp"

namespace shoal::experiments {
namespace fs = std::filesystem;

Expected<fs::path> find_template(const std::string& arg, const std::vector<fs::path>& roots) {
  if (fs::is_directory(arg)) return fs::path(arg);
  for (const auto& root : roots)
    if (!root.empty() && fs::is_directory(root / arg)) return root / arg;
  return fail(ErrorKind::not_found, "no template folder '" + arg +
                                        "'; give a folder path or a bundled template name (grokking, diffusion2d, "
                                        "charlm)");
}

}  // namespace shoal::experiments
