// A small blocking HTTP GET over libcurl for the agent's tools (literature search):
// one request, a total timeout, the status code and the Retry-After header. Any HTTP
// status is a response; only transport failures (DNS, connect, TLS, timeout) are errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace shoal::tools {

struct HttpGetOptions {
  double timeout_s = 30;                // the whole request, connect included
  double connect_timeout_s = 10;        // capped by timeout_s
  std::vector<std::string> headers;     // "Name: value" lines (API keys go here, never in the URL)
  std::string user_agent = "shoal/0.1 (research agent; literature search)";
};

struct HttpResponse {
  long status = 0;                          // HTTP status code of the final response
  std::string body;
  std::string content_type;                 // "" when the server sent none
  std::optional<double> retry_after_s;      // the Retry-After header, in seconds from now
};

// GETs `url` (following up to 3 redirects). Errors: timeout when the time ran out, remote
// for every other transport failure (with curl's message), invalid_input for a malformed URL.
Expected<HttpResponse> http_get(const std::string& url, const HttpGetOptions& options);

// Percent-encodes `text` for a URL query parameter value (RFC 3986 unreserved kept).
std::string url_encode(std::string_view text);

// A Retry-After value in seconds: delta-seconds ("120") or an HTTP date, taken relative to
// `now_ms` (a date in the past gives 0); nullopt when it is neither.
std::optional<double> parse_retry_after(std::string_view value, int64_t now_ms);

}  // namespace shoal::tools
