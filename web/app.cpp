#include "web/app.hpp"

#include <cmath>

#include "core/log.hpp"
#include "core/time.hpp"
#include "web/responses.hpp"
#include "web/routes.hpp"
#include "web/static_files.hpp"

namespace shoal::web {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

Response too_many(RateLimiter& limiter, const std::string& client, const std::string& what) {
  auto r = error_response(429, ErrorKind::rate_limited, "too many " + what + " from " + client + "; slow down");
  r.set_header("Retry-After", std::to_string(static_cast<int>(std::ceil(limiter.retry_after_s(client, now_ms())))));
  return r;
}

// The page shell loading `script` (a name from the route table, never from the request).
Response page_response(std::string_view script) {
  Response r;
  r.content_type = "text/html; charset=utf-8";
  std::string_view shell = static_files().at("page.html").data;
  size_t at = shell.find("PAGE_SCRIPT");
  r.body = std::string(shell.substr(0, at)) + std::string(script) + std::string(shell.substr(at + 11));
  return r;
}

// A static file, or a plain-text 404 when the name is unknown.
Response static_response(std::string_view name) {
  const auto& files = static_files();
  auto it = files.find(name);
  Response r;
  if (it == files.end()) {
    r.status = 404;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "not found\n";
    return r;
  }
  r.content_type = std::string(it->second.content_type);
  r.body = std::string(it->second.data);
  return r;
}

// A write must come from this site: its Origin (when the browser sends one) must name the
// host the request was sent to.
bool same_origin(const Request& req) {
  const auto& origin = req.header("origin");
  if (origin.empty()) return true;
  const auto& host = req.header("host");
  return !host.empty() && (origin == "http://" + host || origin == "https://" + host);
}

// Checks what a write or sign-in needs besides the handler's own checks; nullopt when allowed.
std::optional<Response> refuse_write(const Request& req, Access access, Sessions& sessions) {
  if (!starts_with(req.header("content-type"), "application/json"))
    return error_response(415, ErrorKind::invalid_input, "send the body as JSON (Content-Type: application/json)");
  if (!same_origin(req))
    return error_response(403, ErrorKind::invalid_input, "cross-origin writes are refused");
  if (access == Access::sign_in) return std::nullopt;
  const auto& auth = req.header("authorization");
  if (starts_with(auth, "Bearer ")) {
    if (sessions.token_matches(std::string_view(auth).substr(7))) return std::nullopt;
    return error_response(401, ErrorKind::invalid_input, "wrong token");
  }
  auto session = sessions.find(cookie_value(req.header("cookie"), "shoal_session"), now_ms());
  if (!session)
    return error_response(401, ErrorKind::invalid_input,
                          "writing needs the token that `shoal serve` printed: sign in with it first");
  if (!constant_time_equal(req.header("x-csrf-token"), session->csrf))
    return error_response(403, ErrorKind::invalid_input, "missing or wrong CSRF token; reload the page");
  return std::nullopt;
}

}  // namespace

std::string Call::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

std::string Call::query(const std::string& name, const std::string& fallback) const {
  auto it = target.query.find(name);
  return it == target.query.end() ? fallback : it->second;
}

App::App(AppOptions options)
    : options_(std::move(options)),
      stores_(options_.db_path),
      sessions_(options_.token, options_.session_ms),
      reads_(options_.requests_per_s, options_.request_burst),
      writes_(options_.writes_per_min / 60.0, std::max(1.0, options_.writes_per_min)),
      cache_(options_.db_path, options_.cache_bytes) {}

Response App::handle(const Request& request) {
  Response r;
  try {
    r = dispatch(request);
  } catch (const std::exception& e) {  // a bug; the handlers return their errors
    log::error("web", request.method + " " + request.target + " failed: " + e.what());
    r = error_response(500, ErrorKind::internal, "internal error (see the server log)");
  }
  add_security_headers(r);
  return r;
}

Response App::dispatch(const Request& req) {
  if (!reads_.allow(req.client, now_ms())) return too_many(reads_, req.client, "requests");
  auto target = parse_target(req.target);
  if (!target.ok()) return error_response(target.error());
  bool get = req.method == "GET" || req.method == "HEAD";
  if (!get && req.method != "POST") {
    auto r = error_response(405, ErrorKind::invalid_input, "method " + req.method + " is not allowed");
    r.set_header("Allow", "GET, HEAD, POST");
    return r;
  }
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  bool path_known = false;
  for (const auto& r : routes()) {
    auto p = match_path(r.pattern, target->path);
    if (!p) continue;
    path_known = true;
    if ((r.method == std::string_view("GET")) == get) {
      route = &r;
      params = std::move(*p);
      break;
    }
  }
  if (!route) {
    if (path_known) return error_response(405, ErrorKind::invalid_input, "method " + req.method + " is not allowed here");
    if (starts_with(target->path, "/api/"))
      return error_response(404, ErrorKind::not_found, "no API route " + target->path + " (see GET /api/v1)");
    return static_response("");
  }
  if (route->access != Access::read) {
    if (!writes_.allow(req.client, now_ms())) return too_many(writes_, req.client, "writes");
    if (auto refusal = refuse_write(req, route->access, sessions_)) return *refusal;
  }
  if (route->file) {
    std::string_view file = route->file;
    return file.ends_with(".js") ? page_response(file) : static_response(file);
  }
  if (!route->api) return static_response(params["name"]);

  // The version is read before the answer is computed, so an entry is never older than it.
  std::optional<int64_t> version = route->cached ? cache_.version() : std::nullopt;
  if (version)
    if (auto hit = cache_.get(req.target, *version)) return *hit;
  auto lease = stores_.acquire();
  if (!lease.ok()) return error_response(lease.error());
  Call call{req, *target, params, **lease, *this};
  Response r = route->api(call);
  if (version && r.status == 200) cache_.put(req.target, *version, r);
  return r;
}

}  // namespace shoal::web
