// The one Beast translation unit. Classic callback style: a Listener accepts, a Session per
// connection reads a request, calls the handler and writes the response, then reads again
// while the client keeps the connection alive.
#include <utility>  // before Asio (see DESIGN.md)

#include "web/http_server.hpp"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>
#include <vector>

#include "core/log.hpp"
#include "core/text.hpp"

namespace shoal::web {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// What every connection of one server shares.
struct Shared {
  ServerLimits limits;
  Handler handler;
  std::atomic<int> connections{0};
};

// Lower-cases a header name (Beast hands out Boost string views).
std::string lower(boost::beast::string_view s) { return shoal::lower(std::string_view(s.data(), s.size())); }

// A JSON error body, built by hand: this file does not parse or build JSON otherwise.
Response error_response(int status, const std::string& kind, const std::string& message) {
  Response r;
  r.status = status;
  r.body = "{\"error\":{\"kind\":\"" + kind + "\",\"message\":\"" + message + "\"}}";
  r.set_header("X-Content-Type-Options", "nosniff");
  return r;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {
    ++shared_.connections;
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ = peer.address().to_string();
  }
  ~Session() { --shared_.connections; }

  void start() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this())); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(shared_.limits.max_body);
    parser_->header_limit(static_cast<uint32_t>(shared_.limits.max_header));
    stream_.expires_after(std::chrono::seconds(shared_.limits.idle_timeout_s));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted)
      return close();
    keep_alive_ = false;
    if (ec == http::error::body_limit)
      return write(error_response(413, "invalid_input", "request body over the limit of " +
                                                            std::to_string(shared_.limits.max_body) + " bytes"),
                   false);
    if (ec == http::error::header_limit)
      return write(error_response(431, "invalid_input", "request headers over the limit of " +
                                                            std::to_string(shared_.limits.max_header) + " bytes"),
                   false);
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category())
        return write(error_response(400, "invalid_input", "malformed HTTP request"), false);
      return close();
    }
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& field : msg) {
      auto& value = req.headers[lower(field.name_string())];
      value += (value.empty() ? "" : ", ") + std::string(field.value());
    }
    req.body = std::move(msg.body());
    req.client = client_;
    keep_alive_ = msg.keep_alive();
    Response res;
    try {
      res = shared_.handler(req);
    } catch (const std::exception& e) {
      log::error("web", std::string("handler failed: ") + e.what());
      res = error_response(500, "internal", "internal error (see the server log)");
    } catch (...) {
      res = error_response(500, "internal", "internal error (see the server log)");
    }
    write(std::move(res), req.method == "HEAD");
  }

  void write(Response r, bool head_only) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "shoal");
    res->set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res->insert(name, value);
    res->keep_alive(keep_alive_);
    size_t size = r.body.size();
    if (!head_only) res->body() = std::move(r.body);
    res->prepare_payload();
    if (head_only) res->content_length(size);
    res_ = res;
    http::async_write(stream_, *res_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    res_.reset();
    if (ec || !keep_alive_) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> res_;
  std::string client_;
  bool keep_alive_ = false;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::acceptor acceptor, Shared& shared)
      : ioc_(ioc), acceptor_(std::move(acceptor)), shared_(shared) {}

  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }
  void close() {
    beast::error_code ec;
    acceptor_.close(ec);
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) {
      if (shared_.connections.load() >= shared_.limits.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), shared_)->start();
      }
    } else {
      log::warn("web", "accept failed: " + ec.message());
    }
    if (acceptor_.is_open()) accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  Shared& shared_;
};

}  // namespace

struct HttpServer::Impl {
  Shared shared;
  net::io_context ioc;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool stopped = false;
};

Expected<std::unique_ptr<HttpServer>> HttpServer::start(const std::string& host, uint16_t port, int threads,
                                                        const ServerLimits& limits, Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->shared.limits = limits;
  impl->shared.handler = std::move(handler);
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return fail(ErrorKind::invalid_input, "'" + host + "' is not an IP address (use 127.0.0.1, 0.0.0.0 or ::1)");
  tcp::endpoint endpoint(address, port);
  tcp::acceptor acceptor(impl->ioc);
  std::string where = host + ":" + std::to_string(port);
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail(ErrorKind::io, "cannot open a socket: " + ec.message());
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (acceptor.bind(endpoint, ec); ec)
    return fail(ErrorKind::io, "cannot listen on " + where + ": " + ec.message() + " (choose another --port)");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec)
    return fail(ErrorKind::io, "cannot listen on " + where + ": " + ec.message());
  impl->port = acceptor.local_endpoint().port();
  impl->listener = std::make_shared<Listener>(impl->ioc, std::move(acceptor), impl->shared);
  impl->listener->accept();
  for (int i = 0; i < std::max(threads, 1); ++i) impl->threads.emplace_back([io = &impl->ioc] { io->run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  net::post(impl_->ioc, [listener = impl_->listener] { listener->close(); });
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
}

}  // namespace shoal::web
