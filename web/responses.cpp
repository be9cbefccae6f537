#include "web/responses.hpp"

#include <cctype>

namespace shoal::web {
namespace {

// Pages load their scripts, styles and images from this server only; no inline script runs.
constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-src 'self'; object-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";
// Stored bytes shown by the browser itself: nothing in them may run (PDFs keep their viewer).
constexpr const char* kBlobPolicy = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";
constexpr const char* kPdfPolicy = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'";
constexpr const char* kApiPolicy = "default-src 'none'; frame-ancestors 'none'";

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_input: return 400;
    case ErrorKind::not_found: return 404;
    case ErrorKind::timeout: return 503;
    case ErrorKind::rate_limited: return 429;
    default: return 500;
  }
}

Response json_response(const nlohmann::json& body, int status) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response error_response(int status, ErrorKind kind, const std::string& message) {
  return json_response({{"error", {{"kind", std::string(to_string(kind))}, {"message", message}}}}, status);
}

Response error_response(const Error& error) { return error_response(http_status(error.kind), error.kind, error.message); }

ServedType served_type(std::string_view mime) {
  std::string m(mime.substr(0, mime.find(';')));
  for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (m == "application/pdf" || m == "image/png" || m == "image/jpeg" || m == "image/gif" || m == "image/webp" ||
      m == "image/svg+xml")
    return {m, false};
  if (starts_with(m, "text/") || m == "application/json" || m == "application/x-tex" || m == "application/x-bibtex" ||
      m == "application/x-python" || m == "application/x-sh")
    return {"text/plain; charset=utf-8", false};
  return {"application/octet-stream", true};
}

std::string safe_file_name(std::string_view name) {
  auto slash = name.find_last_of('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (char c : name.substr(0, 120)) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || out.front() == '.') out = "file" + out;
  return out;
}

Response blob_response(std::string data, std::string_view stored_mime, std::string_view name, bool download) {
  Response r;
  auto type = served_type(stored_mime);
  r.content_type = type.content_type;
  r.body = std::move(data);
  std::string disposition = (download || type.attachment) ? "attachment" : "inline";
  r.set_header("Content-Disposition", disposition + "; filename=\"" + safe_file_name(name) + "\"");
  r.set_header("Content-Security-Policy", type.content_type == "application/pdf" ? kPdfPolicy : kBlobPolicy);
  r.set_header("Cache-Control", "private, max-age=300");
  return r;
}

void add_security_headers(Response& r) {
  r.set_header("X-Content-Type-Options", "nosniff");
  r.set_header("Referrer-Policy", "no-referrer");
  r.set_header("X-Frame-Options", "SAMEORIGIN");
  r.set_header("Cross-Origin-Opener-Policy", "same-origin");
  if (r.header("Content-Security-Policy").empty())
    r.set_header("Content-Security-Policy", starts_with(r.content_type, "text/html") ? kPagePolicy : kApiPolicy);
  // API data may not be embedded by other sites (images and PDFs stay loadable by the
  // browser's own viewers, which fetch from an opaque origin).
  if (starts_with(r.content_type, "application/json")) r.set_header("Cross-Origin-Resource-Policy", "same-origin");
  if (r.header("Cache-Control").empty())
    r.set_header("Cache-Control", starts_with(r.content_type, "application/json") ? "no-store" : "no-cache");
}

}  // namespace shoal::web
