// Server-sent events (the streaming form of both providers' APIs): a body of "event:" and
// "data:" lines, events separated by a blank line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace shoal::llm {

struct SseEvent {
  std::string event;  // the "event:" field ("" when the server sent none)
  std::string data;   // the "data:" lines joined by newlines
};

// The events of a whole SSE body, in order; comment lines (":") and unknown fields are skipped,
// and a last event without its blank line still counts.
std::vector<SseEvent> parse_sse(std::string_view body);

// Whether `body` is an event stream rather than one JSON document (a server that ignored
// "stream": true answers plain JSON).
bool looks_like_sse(std::string_view body);

// The Error of an error a provider reported inside a stream (Anthropic's `error` event,
// OpenAI's {"error": ...} chunk): overload and rate limits are rate_limited, server errors
// remote, both transient; anything else is remote and final.
Error stream_error(const std::string& provider, const std::string& type, const std::string& message);

}  // namespace shoal::llm
