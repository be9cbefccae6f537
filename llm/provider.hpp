// A provider protocol: how a Request becomes an HTTP request body and headers, and how
// the provider's response or error body becomes a reply. Pure mapping, no I/O, so each
// protocol is unit-testable without HTTP. OpenAI Chat Completions and Anthropic Messages.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llm/types.hpp"
#include "core/expected.hpp"

namespace shoal::llm {

// What a provider's successful response holds, in one shape.
struct Reply {
  std::vector<std::string> texts;
  Usage usage;
  std::string finish_reason;
  bool truncated = false;  // the reply stopped at the token limit (length / max_tokens)
};

enum class Protocol { openai, anthropic };

// How a model gives structured output: OpenAI response_format with a JSON schema, Anthropic
// tool use with an input schema, or none (the JSON is parsed out of the text).
enum class StructuredOutput { none, json_schema, tool };

// How a model reasons before answering: OpenAI reasoning_effort, Anthropic extended thinking, or not at all.
enum class Reasoning { none, effort, thinking };

// Everything besides the Request that shapes a request body: the model's parameter rules
// (from the model table) and the call's reasoning and caching settings.
struct Wire {
  std::string model;                       // the provider's model name
  std::string token_param = "max_tokens";  // or max_completion_tokens (OpenAI reasoning models)
  bool temperature = true;                 // sampling parameters the model accepts
  bool top_p = true;
  bool stop = true;
  StructuredOutput structured = StructuredOutput::none;
  Reasoning reasoning = Reasoning::none;
  std::string effort;       // reasoning_effort to send ("" = the provider's default)
  int thinking_budget = 0;  // Anthropic extended thinking budget_tokens (0 = off)
  std::string cache_key;    // OpenAI prompt_cache_key ("" = none)
  bool stream = false;      // ask for server-sent events
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual Protocol protocol() const = 0;
  // Whether one request can ask for several samples (OpenAI's `n`).
  virtual bool supports_n() const = 0;
  // Full URL of the endpoint under `base_url`.
  virtual std::string endpoint(const std::string& base_url) const = 0;
  // HTTP headers ("Name: value") for a call with `api_key` ("" = no key header).
  virtual std::vector<std::string> headers(const std::string& api_key) const = 0;
  // The JSON body asking `wire.model` for `n` samples of `request`, by the model's rules in `wire`.
  virtual nlohmann::json request_body(const Request& request, const Wire& wire, int n) const = 0;
  // The non-streamed response body that a server-sent event stream adds up to (what a call
  // without "stream" would have answered); an error event in the stream is its error.
  virtual Expected<std::string> assemble_stream(const std::string& events) const = 0;
  // The reply in a successful (2xx) response body; ErrorKind::remote when it is not usable.
  virtual Expected<Reply> parse_reply(const std::string& body) const = 0;
  // The provider's own error message in an error body, "" when there is none.
  virtual std::string error_message(const std::string& body) const = 0;
};

std::unique_ptr<Provider> make_provider(Protocol protocol);

}  // namespace shoal::llm

namespace shoal::llm {

// Parses a response body as a JSON object; ErrorKind::remote naming `provider` when it is not one
// (a truncated or non-JSON body).
Expected<nlohmann::json> parse_json_body(const std::string& body, std::string_view provider);

// error.message of an error body ({"error": {"message": ...}}, both protocols' shape), or
// error itself when it is a string (Ollama); "" when the body holds neither.
std::string error_body_message(const std::string& body);

// `base` without trailing slashes, then `path`.
std::string join_url(const std::string& base, std::string_view path);

}  // namespace shoal::llm
