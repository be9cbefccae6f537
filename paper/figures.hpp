// The figure check: figures a paper includes that do not exist, and figures the idea produced
// that the paper never shows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace shoal::paper {

struct FigureCheck {
  std::vector<std::string> referenced;    // \includegraphics targets, in order
  std::vector<std::string> missing;       // referenced but not among the available files
  std::vector<std::string> unreferenced;  // available but never included

  bool ok() const { return missing.empty() && unreferenced.empty(); }
  nlohmann::json to_json() const;
};

// Compares the \includegraphics targets of `tex` (outside comments) with the figure files
// that exist. A target without an extension matches name.png, name.pdf, name.jpg or name.jpeg.
FigureCheck check_figures(std::string_view tex, const std::vector<std::string>& available);

}  // namespace shoal::paper
