// Both protocols over real HTTP against the fake server: text, usage, cost, keys, images,
// prompt caching, samples.
#include <doctest/doctest.h>

#include "llm/image.hpp"
#include "llm_fixture.hpp"

using namespace shoal;
using namespace shoal::test;

TEST_CASE("openai: reply, usage and cost are returned and recorded; the key is sent but never stored") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"match", "capital"}, {"reply", "Paris, you asked: {echo}"},
                                  {"usage", {{"input", 1000}, {"output", 500}}}}}}});
  auto run = f.new_run();
  auto o = f.options("openai:gpt-4o");
  o.run_id = run;
  auto client = f.client(o);
  auto r = client->complete(ask("the capital of France?", "Be brief."), {.stage = "ideas", .idea_id = "i1"}).value();
  CHECK(r.text() == "Paris, you asked: the capital of France?");
  CHECK(r.tokens_in == 1000);
  CHECK(r.tokens_out == 500);
  CHECK(r.cost_usd == doctest::Approx(1000 * 2.5e-6 + 500 * 10e-6));
  CHECK_FALSE(r.from_cache);

  auto sent = f.server.recent_requests().back();
  CHECK(sent["headers"]["authorization"] == std::string("Bearer ") + kOpenAiKey);
  auto calls = f.calls(run);
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].status == "ok");
  CHECK(calls[0].provider == "openai");
  CHECK(calls[0].model == "gpt-4o");
  CHECK(calls[0].stage == "ideas");
  CHECK(calls[0].idea_id == "i1");
  CHECK(calls[0].tokens_in == 1000);
  CHECK(calls[0].cost_usd == doctest::Approx(r.cost_usd));
  CHECK(calls[0].response_json.find("Paris") != std::string::npos);
  CHECK(calls[0].request_json.find("the capital of France?") != std::string::npos);
  CHECK(calls[0].request_json.find(kOpenAiKey) == std::string::npos);
  CHECK(calls[0].response_json.find(kOpenAiKey) == std::string::npos);
  CHECK(store::get_run(f.store, run).value().cost_usd == doctest::Approx(r.cost_usd));
}

TEST_CASE("anthropic: system prompt cached with cache_control; reads and writes priced on their own") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "noted"}}}}});
  auto client = f.client("anthropic:claude-sonnet-4-5");
  std::string system(2000, 's');  // 500 tokens: over the server's 100-token cache minimum
  auto first = client->complete(ask("first question", system)).value();
  CHECK(first.tokens_cache_write == 500);
  CHECK(first.tokens_cached_read == 0);
  auto second = client->complete(ask("second question", system)).value();
  CHECK(second.tokens_cached_read == 500);
  CHECK(second.tokens_cache_write == 0);
  CHECK(second.tokens_in == 500 + 3);  // "second question" is 15 characters: 3 tokens
  CHECK(second.cost_usd == doctest::Approx((3 * 3.0 + 500 * 0.30 + second.tokens_out * 15.0) / 1e6));
  CHECK(first.cost_usd == doctest::Approx((3 * 3.0 + 500 * 3.75 + first.tokens_out * 15.0) / 1e6));

  auto sent = f.server.recent_requests().back();
  CHECK(sent["headers"]["x-api-key"] == kAnthropicKey);
  CHECK(sent["headers"]["anthropic-version"] == "2023-06-01");
  CHECK_FALSE(sent["headers"].contains("authorization"));
  auto body = nlohmann::json::parse(sent["body"].get<std::string>());
  CHECK(body["system"][0]["cache_control"]["type"] == "ephemeral");
  CHECK(f.calls()[1].tokens_cached == 500);
}

TEST_CASE("openai: automatic prefix caching is accounted at the cached-input price") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "ok"}}}}});
  auto client = f.client("openai:gpt-4o-mini");
  std::string system(1200, 'p');  // 300 tokens; OpenAI caches in 128-token steps: 256
  REQUIRE(client->complete(ask("one", system)).ok());
  auto second = client->complete(ask("two", system)).value();
  CHECK(second.tokens_cached_read == 256);
  CHECK(second.cost_usd ==
        doctest::Approx(((second.tokens_in - 256) * 0.15 + 256 * 0.075 + second.tokens_out * 0.60) / 1e6));
}

TEST_CASE("images reach the model in both protocols") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "I see {images}"}}}}});
  auto image = llm::png_part(png_bytes(640, 480)).value();
  for (std::string model : {"openai:gpt-4o", "anthropic:claude-sonnet-4-5"}) {
    CAPTURE(model);
    auto client = f.client(model);
    llm::Request r = ask("");
    r.messages = {llm::Message{"user", {llm::ContentPart::from_text("What is in this figure?"), image}}};
    auto reply = client->complete(r).value();
    CHECK(reply.text() == "I see 1 png image(s) 640x480");
  }
  // Something that is not a PNG never leaves (the server would answer 400 in the provider's words).
  CHECK(llm::png_part("GIF89a").error().kind == ErrorKind::invalid_input);
}

TEST_CASE("several samples: one request with n for OpenAI, one request each for Anthropic") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "sample {sample}"}}}}});
  auto openai = f.client("openai:gpt-4o");
  auto r = ask("ideas please");
  r.n = 3;
  auto three = openai->complete(r).value();
  CHECK(three.texts == std::vector<std::string>{"sample 0", "sample 1", "sample 2"});
  CHECK(f.server.requests() == 1);
  auto anthropic = f.client("anthropic:claude-sonnet-4-5");
  r.n = 2;
  auto two = anthropic->complete(r).value();
  CHECK(two.texts.size() == 2);
  CHECK(f.server.requests() == 3);
  CHECK(f.calls().size() == 3);
}

TEST_CASE("stop sequences and max tokens are passed on") {
  LlmFixture f;
  f.server.set_rules({{"rules", {{{"reply", "alpha beta END gamma"}}}}});
  for (std::string model : {"openai:gpt-4o", "anthropic:claude-sonnet-4-5"}) {
    CAPTURE(model);
    auto client = f.client(model);
    auto r = ask("go");
    r.stop = {"END"};
    auto reply = client->complete(r).value();
    CHECK(reply.text() == "alpha beta ");
    r.stop = {};
    r.max_tokens = 2;
    auto cut = client->complete(r, {.on_cut = llm::OnCut::report}).value();
    CHECK(cut.text() == "alpha be");
    CHECK(cut.truncated);
    CHECK((cut.finish_reason == "length" || cut.finish_reason == "max_tokens"));
  }
}
