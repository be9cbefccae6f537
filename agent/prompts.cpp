#include "agent/prompts.hpp"

#include <stdexcept>

namespace shoal::agent {

const std::map<std::string_view, std::string_view>& embedded_prompts();  // generated

std::string_view prompt(std::string_view name) {
  const auto& all = embedded_prompts();
  auto it = all.find(name);
  if (it == all.end()) throw std::out_of_range("no prompt agent/prompts/" + std::string(name) + ".md");
  return it->second;
}

std::string fill(std::string_view tmpl, const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(tmpl.size());
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) break;
    size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(tmpl.substr(pos, open - pos));
    auto it = vars.find(std::string(tmpl.substr(open + 2, close - open - 2)));
    if (it != vars.end()) out += it->second;
    else out.append(tmpl.substr(open, close + 2 - open));
    pos = close + 2;
  }
  out.append(tmpl.substr(pos));
  return out;
}

std::string render(std::string_view name, const std::map<std::string, std::string>& vars) {
  return fill(prompt(name), vars);
}

}  // namespace shoal::agent
