#include "web/http.hpp"

namespace shoal::web {

const std::string& Request::header(const std::string& name) const {
  static const std::string none;
  auto it = headers.find(name);
  return it == headers.end() ? none : it->second;
}

std::string Response::header(const std::string& name) const {
  for (const auto& [key, value] : headers)
    if (key == name) return value;
  return "";
}

}  // namespace shoal::web
