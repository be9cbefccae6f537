// The response cache, replay, budgets and the concurrency cap over real HTTP.
#include <doctest/doctest.h>

#include <future>

#include "llm_fixture.hpp"

using namespace shoal;
using namespace shoal::test;

TEST_CASE("a second identical call is answered from the store without an HTTP request") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "fresh answer"}, {"usage", {{"input", 100}, {"output", 10}}}}}}});
  auto run = f.new_run();
  auto o = f.options("openai:gpt-4o");
  o.run_id = run;
  auto client = f.client(o);
  auto first = client->complete(ask("same question"), {.stage = "review"}).value();
  CHECK(f.server.requests() == 1);
  auto second = client->complete(ask("same question"), {.stage = "review"}).value();
  CHECK(f.server.requests() == 1);
  CHECK(second.from_cache);
  CHECK(second.text() == "fresh answer");
  CHECK(second.cost_usd == 0);
  // A new client (a resumed run) pays nothing either.
  auto resumed = f.client(o)->complete(ask("same question")).value();
  CHECK(resumed.from_cache);
  CHECK(f.server.requests() == 1);
  // --no-cache goes to the provider.
  auto fresh = client->complete(ask("same question"), {.no_cache = true}).value();
  CHECK_FALSE(fresh.from_cache);
  CHECK(f.server.requests() == 2);
  // Another question, temperature or model is another entry.
  auto other = ask("same question");
  other.temperature = 0;
  CHECK_FALSE(client->complete(other).value().from_cache);
  CHECK(f.server.requests() == 3);

  auto calls = f.calls(run);
  REQUIRE(calls.size() == 5);
  CHECK(calls[1].status == "cached");
  CHECK(calls[1].cost_usd == 0);
  CHECK(calls[1].request_hash == calls[0].request_hash);
  CHECK(store::get_run(f.store, run).value().cost_usd == doctest::Approx(3 * first.cost_usd));
}

TEST_CASE("replay answers from the cache only; a miss names the stage and calls nobody") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "recorded"}}}}});
  REQUIRE(f.client("anthropic:claude-sonnet-4-5")->complete(ask("known")).ok());
  CHECK(f.server.requests() == 1);
  f.env.clear();  // replay needs no key
  auto replay = f.client("replay:anthropic:claude-sonnet-4-5");
  auto hit = replay->complete(ask("known"), {.stage = "ideas"}).value();
  CHECK(hit.text() == "recorded");
  CHECK(hit.from_cache);
  auto miss = replay->complete(ask("unknown"), {.stage = "novelty"});
  CHECK(miss.error().kind == ErrorKind::not_found);
  CHECK(miss.error().message.find("stage 'novelty'") != std::string::npos);
  auto bare = f.options("replay");
  bare.replay_of = "anthropic:claude-sonnet-4-5";
  CHECK(f.client(bare)->complete(ask("known")).value().text() == "recorded");
  CHECK(f.client("replay:openai:gpt-4o")->complete(ask("known")).error().kind == ErrorKind::not_found);
  CHECK(f.server.requests() == 1);
}

TEST_CASE("the budget refuses calls once spend reaches the cap, across clients of one run") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "costly"}, {"usage", {{"input", 1000}, {"output", 500}}}}}}});
  auto run = f.new_run();
  auto o = f.options("openai:gpt-4o");  // each call: $0.0075
  o.run_id = run;
  o.budget_usd = 0.01;
  auto client = f.client(o);
  auto q = ask("q1");
  q.max_tokens = 100;
  REQUIRE(client->complete(q).ok());
  q.messages[0].parts[0].text = "q2";
  REQUIRE(client->complete(q).ok());  // $0.0075 < $0.01: it may start
  q.messages[0].parts[0].text = "q3";
  auto refused = client->complete(q, {.stage = "writeup"});
  CHECK(refused.error().kind == ErrorKind::budget_exceeded);
  CHECK(refused.error().message.find("stage 'writeup'") != std::string::npos);
  CHECK(f.server.requests() == 2);
  CHECK(client->spent().usd == doctest::Approx(0.015));
  // A resumed run counts what it spent before.
  auto again = f.client(o)->complete(q);
  CHECK(again.error().kind == ErrorKind::budget_exceeded);
  CHECK(f.server.requests() == 2);
  CHECK(store::get_run(f.store, run).value().cost_usd == doctest::Approx(0.015));
  // Cached answers cost nothing and are still served.
  q.messages[0].parts[0].text = "q1";
  CHECK(f.client(o)->complete(q).value().from_cache);
}

TEST_CASE("concurrent calls near the cap: spend exceeds it by no more than the calls in flight") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "x"}, {"delay_ms", 200}, {"usage", {{"input", 1000}, {"output", 500}}}}}}});
  auto o = f.options("openai:gpt-4o");
  o.budget_usd = 0.02;
  o.concurrency = 64;
  auto client = f.client(o);
  std::vector<std::future<Expected<llm::Response>>> futures;
  for (int i = 0; i < 20; ++i) {
    auto q = ask("parallel " + std::to_string(i));
    q.max_tokens = 500;  // worst case: ~$0.005 + input
    futures.push_back(client->submit(q));
  }
  int ok = 0, refused = 0;
  for (auto& fu : futures) {
    auto r = fu.get();
    if (r.ok()) ++ok;
    else if (r.error().kind == ErrorKind::budget_exceeded) ++refused;
  }
  // Each call reserves its worst case (~$0.005 for 500 output tokens) before it starts: the
  // first 4 reach the $0.02 cap, the other 16 are refused without a request.
  CHECK(ok == 4);
  CHECK(refused == 16);
  CHECK(f.server.requests() == 4);
  // They really cost $0.0075 each (input the estimate could not see): spend passes the cap
  // by no more than the calls that were in flight when it was reached.
  CHECK(client->spent().usd == doctest::Approx(4 * 0.0075));
  CHECK(client->spent().usd - 0.02 <= 4 * 0.0075);
  CHECK(client->reserved().usd == 0);
}

TEST_CASE("the token budget refuses calls too") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "x"}, {"usage", {{"input", 1000}, {"output", 500}}}}}}});
  auto o = f.options("anthropic:claude-sonnet-4-5");
  o.budget_tokens = 1000;
  auto client = f.client(o);
  auto q = ask("a");
  q.max_tokens = 10;
  REQUIRE(client->complete(q).ok());
  q.messages[0].parts[0].text = "b";
  CHECK(client->complete(q).error().kind == ErrorKind::budget_exceeded);
  CHECK(f.server.requests() == 1);
}

TEST_CASE("the concurrency cap bounds the requests in flight") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "x"}, {"delay_ms", 150}}}}});
  auto o = f.options("openai:gpt-4o");
  o.concurrency = 4;
  auto client = f.client(o);
  std::vector<std::future<Expected<llm::Response>>> futures;
  for (int i = 0; i < 12; ++i) futures.push_back(client->submit(ask("c" + std::to_string(i))));
  for (auto& fu : futures) CHECK(fu.get().ok());
  CHECK(f.server.stats()["max_in_flight"] == 4);
  CHECK(client->peak_in_flight() == 4);
}
