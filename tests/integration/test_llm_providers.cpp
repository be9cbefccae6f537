// The provider zoo over real HTTP (tests/fake_llm/server.py follows the providers'
// documentation): reasoning models' parameter rules, cut replies, outages waited out with
// backoff, revoked keys, streaming with slow chunks, rejected replies, structured output.
#include <doctest/doctest.h>

#include <fstream>

#include "core/time.hpp"
#include "llm/image.hpp"
#include "llm/structured.hpp"
#include "llm_fixture.hpp"

using namespace shoal;
using namespace shoal::test;
using nlohmann::json;

namespace {
// The body of the last provider request the server saw.
json last_body(const FakeLlmServer& server) { return json::parse(server.recent_requests().back()["body"].get<std::string>()); }
}  // namespace

TEST_CASE("reasoning models get max_completion_tokens and no temperature, and answer") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "OK"}}}}});
  for (std::string model : {"openai:o3", "openai:gpt-5-mini"}) {
    CAPTURE(model);
    auto o = f.options(model);
    o.reasoning_effort = "low";
    auto r = f.client(o)->complete(ask("hi"), {.fresh = true});
    REQUIRE(r.ok());
    CHECK(r->text() == "OK");
    CHECK_FALSE(r->truncated);
    json body = last_body(f.server);
    CHECK_FALSE(body.contains("max_tokens"));
    CHECK_FALSE(body.contains("temperature"));
    CHECK(body["max_completion_tokens"].get<int>() > 200);  // the reply's 200 plus room to reason
    CHECK(body["reasoning_effort"] == "low");
    CHECK(body["stream"] == true);
  }
}

TEST_CASE("the zoo refuses what the documentation says reasoning models refuse, naming the param") {
  LlmFixture f;
  f.server.set_rules({{"rules", json::array()}});
  // A user table that wrongly says o3 takes max_tokens and temperature: the server refuses.
  std::ofstream(f.dir / "models.json") << R"({"models": {"openai:o3": {"params": ["temperature"], "token_param": "max_tokens", "input": 2, "output": 8}}})";
  auto wrong = f.options("openai:o3");
  wrong.prices_file = f.dir / "models.json";
  auto refused = f.client(wrong)->complete(ask("x"), {.fresh = true});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind == ErrorKind::invalid_input);
  CHECK(refused.error().message.find("max_tokens") != std::string::npos);
  CHECK(f.server.requests() == 1);  // a 400 is not retried
}

TEST_CASE("a cut reply is extended to the model's limit and reported cut only when still cut") {
  LlmFixture f;
  std::string long_reply(400, 'a');  // 100 tokens at the fake's 4 characters a token
  f.server.set_rules({{"rules", {{{"reply", long_reply}}}}});
  auto client = f.client("anthropic:claude-sonnet-4-5");
  auto r = ask("long");
  r.max_tokens = 10;
  auto whole = client->complete(r).value();
  CHECK(whole.text() == long_reply);  // 10 -> 40 (cut) -> 160 tokens
  CHECK_FALSE(whole.truncated);
  CHECK(f.server.requests() == 3);

  // A model whose output limit is below the reply: raised to the limit, then asked to go on.
  std::ofstream(f.dir / "models.json") << R"({"models": {"openai:tiny": {"max_output": 30, "input": 0, "output": 0}}})";
  auto o = f.options("openai:tiny");
  o.prices_file = f.dir / "models.json";
  auto tiny = f.client(o);
  f.server.set_rules({{"rules", {{{"reply", long_reply}}}}});
  auto cut = tiny->complete(r).value();
  CHECK(cut.truncated);  // 10 -> 30 (the maximum) -> continued 3 times in all, still cut
  CHECK(cut.text().size() > 120);
  CHECK(f.server.requests() == 4);
  auto rows = f.calls();
  CHECK(rows.back().truncated);
  auto report = tiny->complete(r, {.fresh = true, .on_cut = llm::OnCut::report}).value();
  CHECK(report.truncated);
  CHECK(report.finish_reason == "length");
}

TEST_CASE("a 20 s overload is waited out with backoff, not hammered") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "back"}}}}, {"outage_s", 20}, {"outage_status", 529}});
  auto o = f.options("anthropic:claude-sonnet-4-5");
  o.retry = llm::RetryPolicy{};  // the real policy: 1 s doubling to 60 s, patience 900 s
  Stopwatch clock;
  auto r = f.client(o)->complete(ask("are you there"));
  REQUIRE(r.ok());
  CHECK(r->text() == "back");
  CHECK(clock.seconds() >= 20);
  CHECK(clock.seconds() < 60);
  CHECK(f.server.requests() <= 8);
  CHECK(f.server.requests() >= 3);
}

TEST_CASE("past the patience an outage is a transient error that says so") {
  LlmFixture f;
  f.server.set_rules({{"rules", json::array()}, {"outage_s", 60}, {"outage_status", 503}});
  auto o = f.options("openai:gpt-4o");
  o.retry = {.max_retries = 50, .base_delay_ms = 200, .max_delay_ms = 400, .patience_s = 1.5};
  Stopwatch clock;
  auto r = f.client(o)->complete(ask("x"));
  REQUIRE_FALSE(r.ok());
  CHECK(llm::is_transient(r.error()));
  CHECK(r.error().message.find("llm_patience_s") != std::string::npos);
  CHECK(clock.seconds() < 3);
}

TEST_CASE("a revoked key ends the call within seconds, naming the variable") {
  LlmFixture f;
  f.env["OPENAI_API_KEY"] = "sk-revoked";
  f.env["ANTHROPIC_API_KEY"] = "sk-ant-revoked";
  for (auto [model, var] : {std::pair{"openai:gpt-5-mini", "OPENAI_API_KEY"}, {"anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY"}}) {
    CAPTURE(model);
    auto o = f.options(model);
    o.retry = llm::RetryPolicy{};
    Stopwatch clock;
    auto r = f.client(o)->complete(ask("x"));
    REQUIRE_FALSE(r.ok());
    CHECK(clock.seconds() < 3);
    CHECK_FALSE(llm::is_transient(r.error()));
    CHECK(r.error().kind == ErrorKind::unauthorized);
    CHECK(r.error().message.find(var) != std::string::npos);
    CHECK(r.error().message.find("revoked") == std::string::npos);
  }
  CHECK(f.server.requests() == 2);
}

TEST_CASE("a stream slower than the old total timeout but never idle completes; stored as a plain response") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "one two three four five six seven eight"}, {"chunk_delay_ms", 400}}}}});
  for (std::string model : {"openai:gpt-4o", "anthropic:claude-sonnet-4-5"}) {
    CAPTURE(model);
    auto streamed = f.options(model);
    streamed.timeout_s = 0;  // no whole-transfer limit (the old one of 1 s would end this ~2.5 s stream)
    streamed.idle_timeout_s = 1.0;
    Stopwatch clock;
    auto r = f.client(streamed)->complete(ask("count"), {.fresh = true});
    REQUIRE(r.ok());
    CHECK(clock.seconds() > 1.0);
    CHECK(r->text() == "one two three four five six seven eight");
    CHECK(r->tokens_out > 0);
    CHECK(f.server.recent_requests().back()["body"].get<std::string>().find("\"stream\":true") != std::string::npos);

    auto plain = f.options(model);
    plain.stream = false;
    f.server.set_rules({{"rules", {{{"reply", "one two three four five six seven eight"}}}}});
    REQUIRE(f.client(plain)->complete(ask("count"), {.fresh = true}).ok());
    auto rows = f.calls();
    REQUIRE(rows.size() >= 2);
    json a = json::parse(rows[rows.size() - 2].response_json), b = json::parse(rows.back().response_json);
    for (const auto& [key, value] : b.items()) CHECK_MESSAGE(a.contains(key), key);
    CHECK(rows[rows.size() - 2].request_json.find("stream") == std::string::npos);
    CHECK(rows[rows.size() - 2].request_json == rows.back().request_json);
    f.server.set_rules({{"rules", {{{"reply", "one two three four five six seven eight"}, {"chunk_delay_ms", 400}}}}});
  }
  // A stream that goes quiet for longer than the idle timeout is ended and retried.
  f.server.set_rules({{"rules", {{{"reply", "slow"}, {"delay_ms", 3000}}}}});
  auto o = f.options("openai:gpt-4o");
  o.idle_timeout_s = 0.5;
  o.retry.max_retries = 1;
  auto idle = f.client(o)->complete(ask("x"), {.fresh = true});
  CHECK(idle.error().kind == ErrorKind::timeout);
  CHECK(idle.error().message.find("llm_idle_timeout_s") != std::string::npos);
}

TEST_CASE("a rejected reply is never served from the cache again; fresh bypasses the cache") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "answer {sample}"}}}}});
  auto client = f.client("openai:gpt-4o");
  auto first = client->complete(ask("q")).value();
  REQUIRE(first.call_ids.size() == 1);
  CHECK(client->complete(ask("q")).value().from_cache);
  auto cached = client->complete(ask("q")).value();
  REQUIRE(client->reject(cached, "no JSON in it").ok());
  auto again = client->complete(ask("q")).value();
  CHECK_FALSE(again.from_cache);
  CHECK(f.server.requests() == 2);
  auto fresh = client->complete(ask("q"), {.fresh = true}).value();
  CHECK_FALSE(fresh.from_cache);
  CHECK(f.server.requests() == 3);
  CHECK(client->complete(ask("q")).value().from_cache);  // the newer answer is served
  auto rows = f.calls();
  CHECK(rows[0].rejected == "no JSON in it");
}

TEST_CASE("structured output goes through the provider; prose-wrapped JSON is the fallback") {
  LlmFixture f;
  llm::Shape shape = {{"title", llm::JsonType::string}, {"score", llm::JsonType::integer}};
  f.server.set_rules({{"rules", {{{"reply", R"({"title": "t", "score": 3})"}}}}});
  auto claude = f.client("anthropic:claude-sonnet-4-5");
  auto v = llm::complete_json(*claude, ask("rate"), shape, {.fresh = true}).value();
  CHECK(v["score"] == 3);
  json body = last_body(f.server);
  CHECK(body["tool_choice"]["type"] == "tool");
  CHECK(body["tools"][0]["input_schema"]["required"].size() == 2);

  auto gpt = f.client("openai:gpt-4o");
  CHECK(llm::complete_json(*gpt, ask("rate"), shape, {.fresh = true}).value()["title"] == "t");
  CHECK(last_body(f.server)["response_format"]["type"] == "json_schema");

  // A model without structured output: JSON after prose, unfenced, is still read.
  f.server.set_rules({{"rules", {{{"reply", R"(Sure! Here it is: {"title": "p", "score": 5} Hope that helps.)"}}}}});
  auto old = f.client("openai:gpt-3.5-turbo");
  CHECK(llm::complete_json(*old, ask("rate"), shape, {.fresh = true}).value()["score"] == 5);
  CHECK_FALSE(last_body(f.server).contains("response_format"));

  // A reply without JSON is rejected, and the re-ask carries the reason.
  f.server.set_rules({{"rules", {{{"match", "could not be used"}, {"reply", R"({"title": "x", "score": 1})"}},
                                 {{"reply", "no json here"}}}}});
  CHECK(llm::complete_json(*old, ask("rate again"), shape).value()["score"] == 1);
  auto rows = f.calls();
  bool rejected = false;
  for (const auto& row : rows) rejected = rejected || !row.rejected.empty();
  CHECK(rejected);
}

TEST_CASE("an unknown model works with no cost; a text-only model gets no images") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "saw {images}"}}}}});
  auto local = f.client("openai:my-local-llama");
  CHECK_FALSE(local->model_info().known);
  auto r = local->complete(ask("hi")).value();
  CHECK(r.cost_usd == 0);
  auto old = f.client("openai:gpt-3.5-turbo");
  auto req = ask("look");
  req.messages[0].parts.push_back(llm::png_part(png_bytes(2, 3)).value());
  CHECK(old->complete(req).value().text() == "saw 0 png image(s)");
}
