#include "llm/provider.hpp"

#include "llm/protocol_anthropic.hpp"
#include "llm/protocol_openai.hpp"

namespace shoal::llm {

std::unique_ptr<Provider> make_provider(Protocol protocol) {
  if (protocol == Protocol::anthropic) return std::make_unique<AnthropicProvider>();
  return std::make_unique<OpenAiProvider>();
}

Expected<nlohmann::json> parse_json_body(const std::string& body, std::string_view provider) {
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    std::string start = body.substr(0, 120);
    return fail(ErrorKind::remote, std::string(provider) + " sent a response that is not a JSON object (" +
                                       std::to_string(body.size()) + " bytes, starting '" + start +
                                       "'): the connection may have been cut; it is retried");
  }
  return doc;
}

std::string error_body_message(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return "";
  const nlohmann::json err = doc.value("error", nlohmann::json());
  if (err.is_object() && err.value("message", nlohmann::json()).is_string()) return err["message"].get<std::string>();
  if (err.is_string()) return err.get<std::string>();
  return "";
}

std::string join_url(const std::string& base, std::string_view path) {
  std::string out = base;
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out + std::string(path);
}

}  // namespace shoal::llm
