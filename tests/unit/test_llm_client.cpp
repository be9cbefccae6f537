#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "llm/asio_call.hpp"
#include "llm/client.hpp"
#include "llm/structured.hpp"
#include "store/llm_calls.hpp"
#include "store/runs.hpp"
#include "temp_dir.hpp"

#include <boost/asio/io_context.hpp>

using namespace shoal;
using namespace shoal::llm;

namespace {

EnvLookup no_env() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

// A function model that echoes the last user text and counts its calls.
struct EchoModel {
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  FunctionModel function() const {
    auto c = calls;
    return [c](const Request& r) -> Expected<Response> {
      ++*c;
      Response out;
      out.texts = {"echo: " + r.messages.back().parts[0].text};
      out.tokens_in = 10;
      out.tokens_out = 5;
      return out;
    };
  }
};

}  // namespace

TEST_CASE("clients refuse bad set-ups before any call") {
  test::TempDir dir;
  auto create = [&](ClientOptions o) {
    o.env = no_env();
    return Client::create(std::move(o));
  };
  CHECK(create({.model = "offline"}).error().kind == ErrorKind::invalid_input);
  CHECK(create({.model = "nonsense:x"}).error().kind == ErrorKind::invalid_input);
  CHECK(create({.model = "openai:gpt-4o"}).error().message.find("OPENAI_API_KEY") != std::string::npos);
  CHECK(create({.model = "function:f"}).error().message.find("needs a function") != std::string::npos);
  CHECK(create({.model = "replay", .db_path = dir / "shoal.db"}).error().message.find("replay:PROVIDER:MODEL") !=
        std::string::npos);
  std::ofstream(dir / "prices.json") << "not json";
  auto bad_prices = create({.model = "ollama:llama3.1", .prices_file = dir / "prices.json"});
  CHECK(bad_prices.error().kind == ErrorKind::invalid_input);
  CHECK(bad_prices.error().message.find("prices.json") != std::string::npos);
  auto no_db = create({.model = "ollama:llama3.1", .db_path = dir / "missing" / "shoal.db"});
  CHECK_FALSE(no_db.ok());
  CHECK(create({.model = "ollama:llama3.1"}).ok());
}

TEST_CASE("a function model answers, is recorded and cached, and n means separate samples") {
  test::TempDir dir;
  auto store = store::Store::open(dir / "shoal.db", store::OpenMode::create).value();
  auto run = store::create_run(store, store::Run{.template_name = "t", .model = "function:echo"}).value();
  EchoModel echo;
  auto client = Client::create({.model = "function:echo", .db_path = dir / "shoal.db", .run_id = run.id,
                                .function = echo.function(), .env = no_env()})
                    .value();
  Request r;
  r.messages = {Message::user("hi")};
  auto first = client->complete(r, {.stage = "ideas"}).value();
  CHECK(first.text() == "echo: hi");
  CHECK(first.tokens_in == 10);
  CHECK_FALSE(first.from_cache);
  auto second = client->complete(r, {.stage = "ideas"}).value();
  CHECK(second.from_cache);
  CHECK(second.text() == "echo: hi");
  CHECK(*echo.calls == 1);
  CHECK(client->complete(r, {.no_cache = true}).value().text() == "echo: hi");
  CHECK(*echo.calls == 2);

  r.n = 3;  // sample 0 is cached already; samples 1 and 2 are new calls
  auto three = client->complete(r).value();
  CHECK(three.texts.size() == 3);
  CHECK(*echo.calls == 4);

  auto calls = store::list_llm_calls(store, run.id).value();
  REQUIRE(calls.size() == 6);
  CHECK(calls[0].status == "ok");
  CHECK(calls[0].stage == "ideas");
  CHECK(calls[1].status == "cached");
  CHECK(calls[1].cost_usd == 0);
  CHECK(calls[1].request_hash == calls[0].request_hash);
}

TEST_CASE("a function model's errors are returned as they are") {
  auto client = Client::create({.model = "function",
                                .function = [](const Request&) -> Expected<Response> {
                                  return fail(ErrorKind::rate_limited, "python says slow down");
                                },
                                .env = no_env()})
                    .value();
  Request r;
  r.messages = {Message::user("x")};
  auto failed = client->complete(r);
  CHECK(failed.error().kind == ErrorKind::rate_limited);
  CHECK(failed.error().message == "python says slow down");
  CHECK(client->complete(Request{}).error().kind == ErrorKind::invalid_input);  // no messages
}

TEST_CASE("async_complete hands the result to the caller's Asio executor") {
  EchoModel echo;
  auto client = Client::create({.model = "function:echo", .function = echo.function(), .env = no_env()}).value();
  boost::asio::io_context io;
  Request r;
  r.messages = {Message::user("asio")};
  std::string got;
  std::thread::id handler_thread;
  async_complete(*client, r, CallOptions{}, io.get_executor(), [&](Expected<Response> result) {
    got = result.value().text();
    handler_thread = std::this_thread::get_id();
  });
  io.run();  // returns once the handler has run here
  CHECK(got == "echo: asio");
  CHECK(handler_thread == std::this_thread::get_id());
}

TEST_CASE("complete_json re-asks once with the parse error, then gives up") {
  auto asked = std::make_shared<std::vector<std::string>>();
  auto client = Client::create({.model = "function:json",
                                .function = [asked](const Request& r) -> Expected<Response> {
                                  asked->push_back(r.messages.back().parts[0].text);
                                  Response out;
                                  bool second = r.messages.size() > 1;
                                  out.texts = {second && r.messages[0].parts[0].text == "fixable"
                                                   ? "```json\n{\"title\": \"ok\"}\n```"
                                                   : "I think {\"title\": 3}"};
                                  return out;
                                },
                                .env = no_env()})
                    .value();
  Shape shape = {{"title", JsonType::string}};
  Request r;
  r.messages = {Message::user("fixable")};
  auto fixed = complete_json(*client, r, shape).value();
  CHECK(fixed["title"] == "ok");
  REQUIRE(asked->size() == 2);
  CHECK(asked->at(1).find("\"title\" must be a string") != std::string::npos);
  r.messages = {Message::user("hopeless")};
  auto gave_up = complete_json(*client, r, shape);
  CHECK(gave_up.error().kind == ErrorKind::remote);
  CHECK(asked->size() == 4);
}

TEST_CASE("clients given one shared budget spend it together (the models of an evolution)") {
  auto priced = [](const Request&) -> Expected<Response> {
    Response out;
    out.texts = {"ok"};
    out.tokens_in = 10;
    out.tokens_out = 5;
    return out;
  };
  auto a = Client::create({.model = "function:a", .budget_tokens = 40, .function = priced, .env = no_env()}).value();
  auto b = Client::create({.model = "function:b", .budget_tokens = 40, .function = priced, .env = no_env(),
                           .shared_budget = a->budget()})
               .value();
  CHECK(a->budget() == b->budget());
  auto ask = [](Client& c, const std::string& text) {
    Request r;
    r.messages = {Message::user(text)};
    return c.complete(r);
  };
  CHECK(ask(*a, "one").ok());
  CHECK(ask(*b, "two").ok());
  CHECK(a->spent().tokens == 30);  // 15 tokens a call (the function models have no price: the token cap is the one hit)
  CHECK(b->spent().tokens == 30);
  CHECK(ask(*a, "three").ok());  // 30 spent is under the cap: the call may start
  auto refused = ask(*b, "four");
  REQUIRE(!refused.ok());
  CHECK(refused.error().kind == ErrorKind::budget_exceeded);
  // a client of its own budget is not affected
  auto c = Client::create({.model = "function:c", .budget_tokens = 40, .function = priced, .env = no_env()}).value();
  CHECK(ask(*c, "five").ok());
}
