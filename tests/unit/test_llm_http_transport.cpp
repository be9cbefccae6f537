#include <doctest/doctest.h>

#include <future>
#include <mutex>
#include <vector>

#include "llm/http_transport.hpp"

using namespace shoal::llm;
using namespace std::chrono;

TEST_CASE("timed tasks run on the loop thread in time order") {
  HttpTransport transport;
  std::mutex m;
  std::vector<int> order;
  std::promise<void> done;
  auto now = HttpTransport::Clock::now();
  transport.post_at(now + milliseconds(60), [&](bool) {
    std::lock_guard lock(m);
    order.push_back(3);
    done.set_value();
  });
  transport.post_at(now + milliseconds(30), [&](bool) {
    std::lock_guard lock(m);
    order.push_back(2);
  });
  transport.post([&](bool) {
    std::lock_guard lock(m);
    order.push_back(1);
  });
  done.get_future().wait();
  std::lock_guard lock(m);
  CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("stopping cancels pending tasks and refuses later work") {
  HttpTransport transport;
  bool cancelled = false;
  transport.post_at(HttpTransport::Clock::now() + hours(1), [&](bool c) { cancelled = c; });
  transport.stop();
  CHECK(cancelled);
  HttpResult late;
  transport.send(HttpRequest{.url = "http://127.0.0.1:9/"}, [&](HttpResult r) { late = r; });
  CHECK(late.net_error == NetError::cancelled);
}

TEST_CASE("a refused connection is reported as a connect error") {
  HttpTransport transport;
  std::promise<HttpResult> result;
  // Port 9 (discard) is closed on test machines: the connection is refused at once.
  transport.send(HttpRequest{.url = "http://127.0.0.1:9/v1/chat/completions", .body = "{}"},
                 [&](HttpResult r) { result.set_value(std::move(r)); });
  auto r = result.get_future().get();
  CHECK(r.net_error == NetError::connect);
  CHECK_FALSE(r.net_message.empty());
}
