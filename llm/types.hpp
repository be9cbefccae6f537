// The provider-neutral shapes of an LLM call: messages with text and PNG images,
// a request (system prompt, messages, sampling parameters) and a response (one text
// per sample, tokens, cost, latency, whether it came from the response cache).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace shoal::llm {

// One piece of a message: text, or a PNG image held as base64.
struct ContentPart {
  enum class Kind { text, image };
  Kind kind = Kind::text;
  std::string text;          // for text
  std::string media_type;    // for image: "image/png"
  std::string data_base64;   // for image

  static ContentPart from_text(std::string t) { return {Kind::text, std::move(t), "", ""}; }
  static ContentPart png(std::string base64) { return {Kind::image, "", "image/png", std::move(base64)}; }
};

struct Message {
  std::string role;  // "user" or "assistant"
  std::vector<ContentPart> parts;

  static Message user(std::string text) { return {"user", {ContentPart::from_text(std::move(text))}}; }
  static Message assistant(std::string text) { return {"assistant", {ContentPart::from_text(std::move(text))}}; }
};

struct Request {
  std::string system;  // the stable part of the prompt: it goes first and is marked cacheable
  std::vector<Message> messages;
  double temperature = 0.7;
  int max_tokens = 4096;
  std::vector<std::string> stop;
  int n = 1;  // samples; OpenAI answers them in one call, others in n calls
  // Leading messages that stay the same across calls of a stage (after the system prompt);
  // Anthropic gets a cache_control mark at the end of them.
  int stable_prefix = 0;
  // When not null: a JSON schema (an object schema) the reply must follow. Sent as the provider's
  // structured output where the model table says it has it (OpenAI response_format json_schema,
  // Anthropic a forced tool call); the reply's text is then the JSON.
  nlohmann::json schema;
  std::string schema_name = "reply";  // the schema's (or tool's) name: letters, digits, _ and -
};

struct Response {
  std::vector<std::string> texts;  // one per sample
  int64_t tokens_in = 0;           // all input tokens, cached ones included
  int64_t tokens_out = 0;
  int64_t tokens_cached_read = 0;  // input tokens read from the provider's prompt cache
  int64_t tokens_cache_write = 0;  // input tokens written to it (Anthropic)
  double cost_usd = 0;
  int64_t latency_ms = 0;
  bool from_cache = false;  // every sample came from Shoal's response cache
  std::string finish_reason;
  // A reply stopped at the token limit (finish_reason length / stop_reason max_tokens) even
  // after the client raised the limit or asked the model to go on: the text is incomplete.
  bool truncated = false;
  // The llm_calls rows the texts came from (one per provider call; empty without a store):
  // pass them to Client::reject when the reply cannot be used.
  std::vector<int64_t> call_ids;

  const std::string& text() const { return texts.at(0); }
};

// Usage as a provider reports it, mapped to one shape.
struct Usage {
  int64_t input = 0;        // all input tokens, cached ones included
  int64_t output = 0;
  int64_t cached_read = 0;
  int64_t cache_write = 0;
};

}  // namespace shoal::llm
