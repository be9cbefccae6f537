// OpenAI Chat Completions (also Ollama, vLLM, llama.cpp's server, OpenRouter, DeepSeek and
// Gemini's OpenAI-compatible endpoint): POST {base}/chat/completions, Authorization: Bearer.
#pragma once

#include "llm/provider.hpp"

namespace shoal::llm {

// {"model", "messages": [system, user/assistant with text and image_url parts], "temperature",
//  "max_tokens", "stop", "n"}. The system prompt goes first so prefix caching applies.
nlohmann::json openai_request_body(const Request& request, const std::string& model, int n);
// The same by the model's rules in `wire`: max_completion_tokens and no temperature/top_p/stop
// for reasoning models, reasoning_effort, prompt_cache_key, response_format json_schema for a
// request with a schema, stream with usage.
nlohmann::json openai_request_body(const Request& request, const Wire& wire, int n);

// Whether `schema` meets OpenAI's strict mode (every object closed with all properties required).
bool schema_is_strict(const nlohmann::json& schema);

// The chat.completion body an SSE stream of chat.completion.chunk events adds up to.
Expected<std::string> openai_assemble_stream(const std::string& events);

// choices[].message.content, usage.prompt_tokens / completion_tokens /
// prompt_tokens_details.cached_tokens, choices[0].finish_reason.
Expected<Reply> openai_parse_reply(const std::string& body);

// error.message of {"error": {"message", "type", "code"}}, "" when absent.
std::string openai_error_message(const std::string& body);

class OpenAiProvider : public Provider {
 public:
  Protocol protocol() const override { return Protocol::openai; }
  bool supports_n() const override { return true; }
  std::string endpoint(const std::string& base_url) const override;
  std::vector<std::string> headers(const std::string& api_key) const override;
  nlohmann::json request_body(const Request& r, const Wire& wire, int n) const override {
    return openai_request_body(r, wire, n);
  }
  Expected<std::string> assemble_stream(const std::string& events) const override { return openai_assemble_stream(events); }
  Expected<Reply> parse_reply(const std::string& body) const override { return openai_parse_reply(body); }
  std::string error_message(const std::string& body) const override { return openai_error_message(body); }
};

}  // namespace shoal::llm
