#include "paper/figures.hpp"

#include <algorithm>

#include "paper/tex_text.hpp"

namespace shoal::paper {

namespace {

// True when the \includegraphics target `ref` names the file `file`.
bool names_file(const std::string& ref, const std::string& file) {
  if (ref == file) return true;
  for (const char* ext : {".png", ".pdf", ".jpg", ".jpeg"})
    if (ref + ext == file) return true;
  return false;
}

}  // namespace

nlohmann::json FigureCheck::to_json() const {
  return {{"referenced", referenced}, {"missing", missing}, {"unreferenced", unreferenced}};
}

FigureCheck check_figures(std::string_view tex, const std::vector<std::string>& available) {
  FigureCheck out;
  for (const auto& ref : command_arguments(tex, "includegraphics"))
    if (std::find(out.referenced.begin(), out.referenced.end(), ref) == out.referenced.end())
      out.referenced.push_back(ref);
  for (const auto& ref : out.referenced)
    if (std::none_of(available.begin(), available.end(), [&](const std::string& f) { return names_file(ref, f); }))
      out.missing.push_back(ref);
  for (const auto& file : available)
    if (std::none_of(out.referenced.begin(), out.referenced.end(),
                     [&](const std::string& r) { return names_file(r, file); }))
      out.unreferenced.push_back(file);
  return out;
}

}  // namespace shoal::paper
