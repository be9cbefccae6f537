#include "tools/http_get.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "core/time.hpp"

namespace shoal::tools {
namespace {

// What the callbacks collect while the transfer runs.
struct Transfer {
  std::string body;
  std::optional<std::string> retry_after;  // raw header value of the last response
};

// libcurl's global set-up, once per process.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<Transfer*>(user)->body.append(data, size * count);
  return size * count;
}

// Keeps the Retry-After of the final response: a new status line (after a redirect) resets it.
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.substr(0, 5) == "HTTP/") t->retry_after.reset();
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name == "retry-after") {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
      t->retry_after = std::string(value);
    }
  }
  return size * count;
}

// Owns an easy handle and its header list.
struct EasyHandle {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  ~EasyHandle() {
    curl_slist_free_all(headers);
    if (curl) curl_easy_cleanup(curl);
  }
};

}  // namespace

Expected<HttpResponse> http_get(const std::string& url, const HttpGetOptions& options) {
  init_curl_once();
  EasyHandle h;
  if (!h.curl) return fail(ErrorKind::internal, "libcurl could not create a handle (out of memory?)");
  Transfer t;
  auto ms = [](double s) { return static_cast<long>(std::max(1.0, std::ceil(s * 1000))); };
  for (const auto& line : options.headers) h.headers = curl_slist_append(h.headers, line.c_str());
  curl_easy_setopt(h.curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(h.curl, CURLOPT_HTTPHEADER, h.headers);
  curl_easy_setopt(h.curl, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(h.curl, CURLOPT_TIMEOUT_MS, ms(options.timeout_s));
  curl_easy_setopt(h.curl, CURLOPT_CONNECTTIMEOUT_MS, ms(std::min(options.connect_timeout_s, options.timeout_s)));
  curl_easy_setopt(h.curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h.curl, CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt(h.curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h.curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h.curl, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  curl_easy_setopt(h.curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h.curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h.curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h.curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h.curl, CURLOPT_HEADERDATA, &t);

  CURLcode rc = curl_easy_perform(h.curl);
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%.3g", options.timeout_s);
    return fail(ErrorKind::timeout, "GET " + url + " timed out after " + limit + " s");
  }
  if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
    return fail(ErrorKind::invalid_input, "'" + url + "' is not a usable http(s) URL: " + curl_easy_strerror(rc));
  if (rc != CURLE_OK) return fail(ErrorKind::remote, "GET " + url + " failed: " + curl_easy_strerror(rc));

  HttpResponse response;
  curl_easy_getinfo(h.curl, CURLINFO_RESPONSE_CODE, &response.status);
  char* type = nullptr;
  if (curl_easy_getinfo(h.curl, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) response.content_type = type;
  response.body = std::move(t.body);
  if (t.retry_after) response.retry_after_s = parse_retry_after(*t.retry_after, now_ms());
  return response;
}

std::string url_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::optional<double> parse_retry_after(std::string_view value, int64_t now) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }))
    return value.size() > 9 ? 1e9 : static_cast<double>(std::stol(std::string(value)));
  time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return std::max(0.0, static_cast<double>(when) - static_cast<double>(now) / 1000.0);
}

}  // namespace shoal::tools
