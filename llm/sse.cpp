#include "llm/sse.hpp"

namespace shoal::llm {

std::vector<SseEvent> parse_sse(std::string_view body) {
  std::vector<SseEvent> out;
  SseEvent current;
  bool has_data = false;
  auto flush = [&] {
    if (has_data || !current.event.empty()) out.push_back(current);
    current = {};
    has_data = false;
  };
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t end = body.find('\n', pos);
    std::string_view line = body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (end == std::string_view::npos) break;
      flush();
    } else if (line[0] != ':') {
      auto colon = line.find(':');
      std::string_view field = line.substr(0, colon);
      std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
      if (field == "event") current.event = std::string(value);
      else if (field == "data") {
        if (has_data) current.data += '\n';
        current.data += value;
        has_data = true;
      }
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  flush();
  return out;
}

bool looks_like_sse(std::string_view body) {
  size_t i = body.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return false;
  return body.compare(i, 5, "data:") == 0 || body.compare(i, 6, "event:") == 0 || body[i] == ':';
}

Error stream_error(const std::string& provider, const std::string& type, const std::string& message) {
  std::string said = provider + " reported an error in the middle of its reply (" + type + "): " + message;
  if (type == "overloaded_error" || type == "rate_limit_error" || type == "rate_limit_exceeded") {
    Error e = fail(ErrorKind::rate_limited, said);
    e.transient = true;
    return e;
  }
  Error e = fail(ErrorKind::remote, said);
  e.transient = type == "api_error" || type == "server_error" || type.empty();
  return e;
}

}  // namespace shoal::llm
