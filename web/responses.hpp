// Building responses: JSON bodies, errors as JSON with the right status, stored bytes under
// a content type that cannot turn into a page, and the security headers of every response.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "web/http.hpp"

namespace shoal::web {

// The HTTP status of an error kind (invalid_input 400, not_found 404, timeout 503, ...).
int http_status(ErrorKind kind);

// `body` as JSON (invalid UTF-8 in stored text is replaced, never an exception).
Response json_response(const nlohmann::json& body, int status = 200);
// {"error": {"kind": ..., "message": ...}} with the status of the kind.
Response error_response(const Error& error);
Response error_response(int status, ErrorKind kind, const std::string& message);

// The content type stored bytes are served as: PDF and raster images as stored, SVG as an
// image under a sandboxing policy, text of any kind as text/plain, anything else as a download.
struct ServedType {
  std::string content_type;
  bool attachment = false;  // must be downloaded, never shown inline
};
ServedType served_type(std::string_view stored_mime);

// A file name safe inside Content-Disposition (letters, digits, '.', '-', '_'; others become '_').
std::string safe_file_name(std::string_view name);

// Stored bytes (an artifact or a paper's PDF) with a safe type, nosniff and a strict policy;
// `download` asks for Content-Disposition: attachment.
Response blob_response(std::string data, std::string_view stored_mime, std::string_view name, bool download);

// Adds what every response carries (nosniff, a content security policy fitting its type,
// no referrer, framing by the same origin only, no caching of API answers).
void add_security_headers(Response& response);

}  // namespace shoal::web
