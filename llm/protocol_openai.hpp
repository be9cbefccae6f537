// OpenAI Chat Completions (also Ollama, vLLM, llama.cpp's server, OpenRouter, DeepSeek and
// Gemini's OpenAI-compatible endpoint): POST {base}/chat/completions, Authorization: Bearer.
#pragma once

#include "llm/provider.hpp"

namespace shoal::llm {

// {"model", "messages": [system, user/assistant with text and image_url parts], "temperature",
//  "max_tokens", "stop", "n"}. The system prompt goes first so prefix caching applies.
nlohmann::json openai_request_body(const Request& request, const std::string& model, int n);

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
  nlohmann::json request_body(const Request& r, const std::string& model, int n) const override {
    return openai_request_body(r, model, n);
  }
  Expected<Reply> parse_reply(const std::string& body) const override { return openai_parse_reply(body); }
  std::string error_message(const std::string& body) const override { return openai_error_message(body); }
};

}  // namespace shoal::llm
