#include <doctest/doctest.h>

#include "llm/protocol_anthropic.hpp"

using namespace shoal;
using namespace shoal::llm;

TEST_CASE("anthropic request bodies: system blocks marked cacheable, image blocks, stop sequences") {
  Request r;
  r.system = "stable instructions";
  r.messages = {Message::user("template and task"), Message::assistant("noted"),
                Message{"user", {ContentPart::from_text("figure:"), ContentPart::png("AAAA")}}};
  r.stable_prefix = 2;
  r.stop = {"###"};
  r.max_tokens = 0;  // Anthropic requires max_tokens: a default is sent
  auto body = anthropic_request_body(r, "claude-sonnet-4-5");
  CHECK(body["model"] == "claude-sonnet-4-5");
  CHECK(body["max_tokens"] == 4096);
  REQUIRE(body["system"].is_array());
  CHECK(body["system"][0]["text"] == "stable instructions");
  CHECK(body["system"][0]["cache_control"]["type"] == "ephemeral");
  CHECK_FALSE(body["messages"][0]["content"][0].contains("cache_control"));
  CHECK(body["messages"][1]["content"][0]["cache_control"]["type"] == "ephemeral");  // end of the stable prefix
  auto image = body["messages"][2]["content"][1];
  CHECK(image["type"] == "image");
  CHECK(image["source"] == nlohmann::json{{"type", "base64"}, {"media_type", "image/png"}, {"data", "AAAA"}});
  CHECK(body["stop_sequences"] == nlohmann::json{"###"});
  CHECK_FALSE(body.contains("n"));
  Request plain;
  plain.messages = {Message::user("hi")};
  CHECK_FALSE(anthropic_request_body(plain, "m").contains("system"));
}

TEST_CASE("anthropic replies join text blocks and count cache reads and writes as input") {
  std::string body = R"({"type": "message", "content": [{"type": "text", "text": "Hel"}, {"type": "text", "text": "lo"}],
                         "stop_reason": "end_turn",
                         "usage": {"input_tokens": 10, "output_tokens": 7, "cache_read_input_tokens": 2000,
                                   "cache_creation_input_tokens": 300}})";
  auto reply = anthropic_parse_reply(body).value();
  CHECK(reply.texts == std::vector<std::string>{"Hello"});
  CHECK(reply.usage.input == 2310);
  CHECK(reply.usage.cached_read == 2000);
  CHECK(reply.usage.cache_write == 300);
  CHECK(reply.usage.output == 7);
  CHECK(reply.finish_reason == "end_turn");
}

TEST_CASE("anthropic errors and broken bodies") {
  std::string overloaded = R"({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})";
  CHECK(anthropic_error_message(overloaded) == "Overloaded");
  CHECK(anthropic_parse_reply(overloaded).error().kind == ErrorKind::remote);
  CHECK(anthropic_parse_reply(R"({"content": [{"type": "text", "text": "unterminated)").error().kind == ErrorKind::remote);
  CHECK(anthropic_parse_reply(R"({"type": "message"})").error().kind == ErrorKind::remote);
  AnthropicProvider p;
  CHECK(p.endpoint("https://api.anthropic.com") == "https://api.anthropic.com/v1/messages");
  CHECK(p.endpoint("http://127.0.0.1:8080/v1/") == "http://127.0.0.1:8080/v1/messages");
  auto h = p.headers("sk-ant");
  CHECK(std::find(h.begin(), h.end(), "x-api-key: sk-ant") != h.end());
  CHECK(std::find(h.begin(), h.end(), std::string("anthropic-version: ") + kAnthropicVersion) != h.end());
}

TEST_CASE("an Anthropic event stream adds up to the message; an error event mid-stream is a transient fault") {
  std::string ok =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m1\",\"type\":\"message\",\"role\":"
      "\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":5,\"output_tokens\":1}}}\n\n"
      "event: ping\ndata: {\"type\":\"ping\"}\n\n"
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}\n\n"
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"output_tokens\":7}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  auto whole = anthropic_assemble_stream(ok).value();
  auto reply = anthropic_parse_reply(whole).value();
  CHECK(reply.texts.at(0) == "Hello");
  CHECK(reply.usage.output == 7);
  CHECK(reply.usage.input == 15);
  CHECK(reply.truncated);

  std::string overloaded = ok.substr(0, ok.find("event: content_block_delta")) +
                           "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
  auto err = anthropic_assemble_stream(overloaded);
  REQUIRE_FALSE(err.ok());
  CHECK(err.error().kind == ErrorKind::rate_limited);
  CHECK(err.error().transient);
  CHECK(err.error().message.find("Overloaded") != std::string::npos);
  // A stream cut before message_stop is not a reply.
  CHECK_FALSE(anthropic_assemble_stream(ok.substr(0, ok.find("event: message_stop"))).ok());
}
