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
};

enum class Protocol { openai, anthropic };

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
  // The JSON body asking `model` for `n` samples of `request`.
  virtual nlohmann::json request_body(const Request& request, const std::string& model, int n) const = 0;
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
