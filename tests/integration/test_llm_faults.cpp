// Every fault kind over real HTTP: classified, retried with backoff where it makes sense,
// surfaced with the provider's own message when retries run out.
#include <doctest/doctest.h>

#include "core/time.hpp"
#include "llm_fixture.hpp"

using namespace shoal;
using namespace shoal::test;

namespace {
nlohmann::json fault(const std::string& kind, int times, nlohmann::json extra = nlohmann::json::object()) {
  nlohmann::json rule = {{"fault", kind}, {"times", times}, {"reply", "recovered"}};
  rule.update(extra);
  return {{"rules", {rule}}};
}
}  // namespace

TEST_CASE("transient faults are retried until the call succeeds") {
  LlmFixture f;
  struct Case {
    std::string model;
    nlohmann::json rules;
    int requests;
  };
  std::vector<Case> cases = {
      {"openai:gpt-4o", fault("status", 2, {{"status", 429}}), 3},
      {"anthropic:claude-sonnet-4-5", fault("status", 2, {{"status", 529}, {"message", "Overloaded"}}), 3},
      {"openai:gpt-4o", fault("status", 1, {{"status", 500}}), 2},
      {"anthropic:claude-sonnet-4-5", fault("status", 1, {{"status", 503}}), 2},
      {"openai:gpt-4o", fault("reset", 2), 3},
      {"anthropic:claude-sonnet-4-5", fault("reset", 1), 2},
      {"openai:gpt-4o", fault("truncate", 1), 2},
      {"anthropic:claude-sonnet-4-5", fault("malformed", 1), 2},
      {"openai:gpt-4o", fault("malformed", 3), 4},
  };
  for (const auto& c : cases) {
    CAPTURE(c.rules.dump());
    f.server.set_rules(c.rules);
    auto client = f.client(c.model);
    auto r = client->complete(ask("hello"), {.no_cache = true});
    REQUIRE(r.ok());
    CHECK(r->text() == "recovered");
    CHECK(f.server.requests() == c.requests);
  }
}

TEST_CASE("Retry-After is honoured") {
  LlmFixture f;
  f.server.set_rules(fault("status", 1, {{"status", 429}, {"retry_after", "1"}}));
  auto client = f.client("openai:gpt-4o");  // its own backoff is 10-50 ms
  Stopwatch clock;
  REQUIRE(client->complete(ask("hello")).ok());
  CHECK(clock.seconds() >= 0.95);
  CHECK(f.server.requests() == 2);
}

TEST_CASE("when retries run out the error keeps its kind and the provider's own message") {
  LlmFixture f;
  auto o = f.options("openai:gpt-4o");
  o.retry.max_retries = 2;
  auto client = f.client(o);

  f.server.set_rules(fault("status", 100, {{"status", 500}, {"message", "the GPUs are on fire"}}));
  auto remote = client->complete(ask("a"));
  CHECK(remote.error().kind == ErrorKind::remote);
  CHECK(remote.error().message.find("the GPUs are on fire") != std::string::npos);
  CHECK(remote.error().message.find("3 attempts") != std::string::npos);
  CHECK(f.server.requests() == 3);

  f.server.set_rules(fault("status", 100, {{"status", 429}, {"message", "Rate limit reached for gpt-4o"}}));
  auto limited = client->complete(ask("b"));
  CHECK(limited.error().kind == ErrorKind::rate_limited);
  CHECK(limited.error().message.find("Rate limit reached for gpt-4o") != std::string::npos);
  CHECK(f.server.requests() == 3);

  f.server.set_rules(fault("reset", 100));
  CHECK(client->complete(ask("c")).error().kind == ErrorKind::remote);
  // 3 attempts; libcurl itself resends once when a reused keep-alive connection dies unanswered.
  CHECK(f.server.requests() >= 3);
  CHECK(f.server.requests() <= 4);

  auto errors = f.calls();
  REQUIRE(errors.size() == 3);  // one row per call, not per attempt
  for (const auto& e : errors) {
    CHECK(e.status == "error");
    CHECK(e.cost_usd == 0);
  }
  CHECK(errors[0].error.find("the GPUs are on fire") != std::string::npos);
}

TEST_CASE("a server slower than the timeout is a timeout error after bounded attempts") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "late"}, {"delay_ms", 3000}}}}});
  auto o = f.options("anthropic:claude-sonnet-4-5");
  o.timeout_s = 0.3;
  o.retry.max_retries = 1;
  auto client = f.client(o);
  auto r = client->complete(ask("slow"));
  CHECK(r.error().kind == ErrorKind::timeout);
  CHECK(r.error().message.find("llm_timeout_s") != std::string::npos);
  CHECK(f.server.requests() == 2);
}

TEST_CASE("bad requests and bad keys are not retried and carry the provider's message") {
  LlmFixture f;
  f.server.set_rules(fault("status", 100, {{"status", 400}, {"message", "max_tokens: 99999 > 8192"}}));
  auto client = f.client("anthropic:claude-sonnet-4-5");
  auto bad = client->complete(ask("x"));
  CHECK(bad.error().kind == ErrorKind::invalid_input);
  CHECK(bad.error().message.find("max_tokens: 99999 > 8192") != std::string::npos);
  CHECK(f.server.requests() == 1);

  f.server.set_rules({{"rules", nlohmann::json::array()}});
  f.env["OPENAI_API_KEY"] = "sk-wrong";
  auto wrong = f.client("openai:gpt-4o")->complete(ask("y"));
  CHECK(wrong.error().kind == ErrorKind::unauthorized);  // a run pauses on it instead of failing an idea
  CHECK(wrong.error().message.find("Incorrect API key provided") != std::string::npos);
  CHECK(wrong.error().message.find("sk-wrong") == std::string::npos);
  f.env["ANTHROPIC_API_KEY"] = "sk-ant-wrong";
  auto wrong_anthropic = f.client("anthropic:claude-sonnet-4-5")->complete(ask("z"));
  CHECK(wrong_anthropic.error().message.find("invalid x-api-key") != std::string::npos);
  CHECK(f.server.requests() == 2);
}

TEST_CASE("a base URL that refuses connections is a clear error with nothing spent") {
  LlmFixture f;
  auto o = f.options("openai:gpt-4o");
  o.base_url = "http://127.0.0.1:9/v1";
  o.retry.max_retries = 1;
  auto run = f.new_run();
  o.run_id = run;
  auto r = f.client(o)->complete(ask("anyone?"));
  CHECK(r.error().kind == ErrorKind::remote);
  CHECK(r.error().message.find("cannot connect") != std::string::npos);
  CHECK(r.error().message.find("127.0.0.1:9") != std::string::npos);
  CHECK(store::get_run(f.store, run).value().cost_usd == 0);
}
