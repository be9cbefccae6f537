#include <doctest/doctest.h>

#include "llm/protocol_openai.hpp"

using namespace shoal;
using namespace shoal::llm;

TEST_CASE("openai request bodies put the system prompt first and images as data URLs") {
  Request r;
  r.system = "You are a reviewer.";
  r.messages = {Message{"user", {ContentPart::from_text("Look:"), ContentPart::png("iVBORw0KGgo=")}},
                Message::assistant("ok"), Message::user("and?")};
  r.temperature = 0.2;
  r.max_tokens = 50;
  r.stop = {"END"};
  auto body = openai_request_body(r, "gpt-4o", 3);
  CHECK(body["model"] == "gpt-4o");
  REQUIRE(body["messages"].size() == 4);
  CHECK(body["messages"][0] == nlohmann::json{{"role", "system"}, {"content", "You are a reviewer."}});
  auto parts = body["messages"][1]["content"];
  CHECK(parts[0] == nlohmann::json{{"type", "text"}, {"text", "Look:"}});
  CHECK(parts[1]["type"] == "image_url");
  CHECK(parts[1]["image_url"]["url"] == "data:image/png;base64,iVBORw0KGgo=");
  CHECK(body["messages"][3]["content"] == "and?");  // a lone text part stays a string
  CHECK(body["n"] == 3);
  CHECK(body["stop"] == nlohmann::json{"END"});
  CHECK(body["max_tokens"] == 50);
  CHECK(body["temperature"] == doctest::Approx(0.2));
  CHECK_FALSE(openai_request_body(r, "gpt-4o", 1).contains("n"));
}

TEST_CASE("openai replies give every choice's text and the usage with cached tokens") {
  std::string body = R"({"choices": [{"index": 0, "message": {"content": "a"}, "finish_reason": "stop"},
                                     {"index": 1, "message": {"content": "b"}, "finish_reason": "length"}],
                         "usage": {"prompt_tokens": 2000, "completion_tokens": 30,
                                   "prompt_tokens_details": {"cached_tokens": 1536}}})";
  auto reply = openai_parse_reply(body).value();
  CHECK(reply.texts == std::vector<std::string>{"a", "b"});
  CHECK(reply.usage.input == 2000);
  CHECK(reply.usage.output == 30);
  CHECK(reply.usage.cached_read == 1536);
  CHECK(reply.finish_reason == "stop");
}

TEST_CASE("openai bodies that are not usable are remote errors; error bodies give their message") {
  CHECK(openai_parse_reply("{\"choices\": [").error().kind == ErrorKind::remote);
  CHECK(openai_parse_reply("{\"choices\": []}").error().kind == ErrorKind::remote);
  CHECK(openai_parse_reply("[1,2]").error().kind == ErrorKind::remote);
  CHECK(openai_parse_reply(R"({"choices": [{"message": {"content": null}}]})").error().kind == ErrorKind::remote);
  CHECK(openai_parse_reply(R"({"choices": [7]})").error().kind == ErrorKind::remote);
  CHECK(openai_error_message(R"({"error": {"message": "Rate limit reached", "type": "requests"}})") ==
        "Rate limit reached");
  CHECK(openai_error_message(R"({"error": "model not found"})") == "model not found");
  CHECK(openai_error_message("<html>bad gateway</html>").empty());
  OpenAiProvider p;
  CHECK(p.endpoint("http://localhost:11434/v1/") == "http://localhost:11434/v1/chat/completions");
  auto headers = p.headers("sk-x");
  CHECK(std::find(headers.begin(), headers.end(), "Authorization: Bearer sk-x") != headers.end());
  CHECK(p.headers("").size() == 1);
}
