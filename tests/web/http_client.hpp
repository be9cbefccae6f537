// A small blocking HTTP/1.1 client over one keep-alive TCP connection, for the web tests and
// the latency benchmark: real sockets, every byte of the request under the caller's control.
#pragma once

#include <map>
#include <string>

#include "core/expected.hpp"

namespace shoal::test {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::string header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  HttpClient(std::string host, int port) : host_(std::move(host)), port_(port) {}
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request (Host and Content-Length are added) and reads the reply; reconnects
  // when the server closed the connection.
  Expected<HttpReply> request(const std::string& method, const std::string& target, const std::string& body = "",
                              const std::map<std::string, std::string>& headers = {});
  Expected<HttpReply> get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
    return request("GET", target, "", headers);
  }
  // Sends `bytes` exactly as given on a fresh connection and reads one reply (`head`: the
  // request was a HEAD, so no body follows).
  Expected<HttpReply> raw(const std::string& bytes, bool head = false);

 private:
  Status connect();
  void close();
  Expected<HttpReply> read_reply(bool head);

  std::string host_;
  int port_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace shoal::test
