#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

namespace shoal::test {

std::string HttpReply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

HttpClient::~HttpClient() { close(); }

void HttpClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Status HttpClient::connect() {
  close();
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return fail(ErrorKind::io, std::string("socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval timeout{30, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    auto message = std::string("connect to ") + host_ + ":" + std::to_string(port_) + ": " + std::strerror(errno);
    close();
    return fail(ErrorKind::io, message);
  }
  return {};
}

Expected<HttpReply> HttpClient::read_reply(bool head) {
  char chunk[65536];
  auto fill = [&]() -> bool {
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
    if (!fill()) return fail(ErrorKind::io, "connection closed before the reply's headers");
  HttpReply reply;
  std::string head_text = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  size_t line_end = head_text.find("\r\n");
  std::string status_line = head_text.substr(0, line_end);
  if (status_line.size() < 12) return fail(ErrorKind::io, "bad status line: " + status_line);
  reply.status = std::stoi(status_line.substr(9, 3));
  size_t pos = line_end == std::string::npos ? head_text.size() : line_end + 2;
  while (pos < head_text.size()) {
    size_t next = head_text.find("\r\n", pos);
    if (next == std::string::npos) next = head_text.size();
    std::string line = head_text.substr(pos, next - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      reply.headers[name] = value;
    }
    pos = next + 2;
  }
  size_t length = head ? 0 : std::stoul(reply.header("content-length").empty() ? "0" : reply.header("content-length"));
  while (buffer_.size() < length)
    if (!fill()) return fail(ErrorKind::io, "connection closed in the middle of the reply's body");
  reply.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  if (reply.header("connection") == "close") close();
  return reply;
}

Expected<HttpReply> HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                                        const std::map<std::string, std::string>& headers) {
  std::string text = method + " " + target + " HTTP/1.1\r\nHost: " + host_ + ":" + std::to_string(port_) + "\r\n";
  for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST") text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  text += "\r\n" + body;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0) SHOAL_CHECK(connect());
    bool sent = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
    if (sent) {
      auto reply = read_reply(method == "HEAD");
      if (reply.ok() || attempt == 1) return reply;
    }
    close();  // the server closed an idle keep-alive connection: reconnect once
  }
  return fail(ErrorKind::io, "cannot send the request");
}

Expected<HttpReply> HttpClient::raw(const std::string& bytes, bool head) {
  SHOAL_CHECK(connect());
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may stop reading once it has refused the request
    sent += static_cast<size_t>(n);
  }
  return read_reply(head);
}

}  // namespace shoal::test
