// Calls from an Asio-based orchestrator: async_complete() is an Asio asynchronous operation
// (any completion token: a callback, use_future, or use_awaitable in a C++20 coroutine)
// whose handler runs on the handler's associated executor, never on the client's loop thread.
#pragma once

// Boost 1.74's Asio needs <utility> before it for C++20 coroutines (DESIGN.md).
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "llm/client.hpp"

namespace shoal::llm {

// Completes with Expected<Response>: void(Expected<Response>).
template <class Executor, class Token>
auto async_complete(Client& client, Request request, CallOptions options, const Executor& executor, Token&& token) {
  return boost::asio::async_initiate<Token, void(Expected<Response>)>(
      [&client, executor](auto handler, Request req, CallOptions opts) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto ex = boost::asio::get_associated_executor(*shared, executor);
        // Outstanding work, as for any Asio operation: io_context::run() waits for the call.
        auto work = std::make_shared<boost::asio::executor_work_guard<decltype(ex)>>(ex);
        client.submit(std::move(req), std::move(opts), [shared, ex, work](Expected<Response> result) {
          boost::asio::post(ex, [shared, result = std::move(result)]() mutable { (*shared)(std::move(result)); });
          work->reset();
        });
      },
      token, std::move(request), std::move(options));
}

}  // namespace shoal::llm
