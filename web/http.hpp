// Plain HTTP request and response values: what the Beast server (http_server.hpp) hands to
// the application and gets back. Nothing here depends on Beast, so handlers and their tests
// compile fast.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace shoal::web {

struct Request {
  std::string method;                         // GET, HEAD, POST, ...
  std::string target;                         // as sent: "/api/v1/papers?sort=score"
  std::map<std::string, std::string> headers; // names in lower case
  std::string body;
  std::string client;                         // the peer's IP address

  // The header's value, "" when absent (`name` in lower case).
  const std::string& header(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type and Content-Length

  void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
  // The first value of header `name` (case-sensitive as set), "" when absent.
  std::string header(const std::string& name) const;
};

}  // namespace shoal::web
