// Anthropic Messages: POST {base}/v1/messages with x-api-key and anthropic-version headers;
// the system prompt is a top-level content block list, images are base64 source blocks.
#pragma once

#include "llm/provider.hpp"

namespace shoal::llm {

// The anthropic-version header value sent with every request.
inline constexpr const char* kAnthropicVersion = "2023-06-01";

// {"model", "system": [{"type":"text","text",cache_control}], "messages", "max_tokens",
//  "temperature", "stop_sequences"}. cache_control (ephemeral) marks the system prompt and the
// last block of the request's stable prefix of messages. Anthropic has no `n`: n must be 1.
nlohmann::json anthropic_request_body(const Request& request, const std::string& model);
// The same by the model's rules in `wire`: extended thinking (budget added to max_tokens,
// temperature left out), a forced tool call with the request's schema as input_schema, stream.
nlohmann::json anthropic_request_body(const Request& request, const Wire& wire);

// The message body an SSE stream (message_start, content_block_*, message_delta,
// message_stop, ping, error) adds up to.
Expected<std::string> anthropic_assemble_stream(const std::string& events);

// content[] text blocks joined (a tool_use block's input as JSON text instead, when there is one), usage.input_tokens + cache_read_input_tokens +
// cache_creation_input_tokens as input, stop_reason.
Expected<Reply> anthropic_parse_reply(const std::string& body);

// error.message of {"type": "error", "error": {"type", "message"}}, "" when absent.
std::string anthropic_error_message(const std::string& body);

class AnthropicProvider : public Provider {
 public:
  Protocol protocol() const override { return Protocol::anthropic; }
  bool supports_n() const override { return false; }
  std::string endpoint(const std::string& base_url) const override;
  std::vector<std::string> headers(const std::string& api_key) const override;
  nlohmann::json request_body(const Request& r, const Wire& wire, int) const override {
    return anthropic_request_body(r, wire);
  }
  Expected<std::string> assemble_stream(const std::string& events) const override {
    return anthropic_assemble_stream(events);
  }
  Expected<Reply> parse_reply(const std::string& body) const override { return anthropic_parse_reply(body); }
  std::string error_message(const std::string& body) const override { return anthropic_error_message(body); }
};

}  // namespace shoal::llm
