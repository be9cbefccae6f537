#include "llm/protocol_anthropic.hpp"

namespace shoal::llm {
namespace {

using nlohmann::json;

const json kEphemeral = {{"type", "ephemeral"}};

// A message's content blocks: text blocks and base64 image blocks.
json anthropic_content(const Message& m) {
  json blocks = json::array();
  for (const auto& p : m.parts) {
    if (p.kind == ContentPart::Kind::text)
      blocks.push_back({{"type", "text"}, {"text", p.text}});
    else
      blocks.push_back({{"type", "image"},
                        {"source", {{"type", "base64"}, {"media_type", p.media_type}, {"data", p.data_base64}}}});
  }
  return blocks;
}

}  // namespace

nlohmann::json anthropic_request_body(const Request& r, const std::string& model) {
  json messages = json::array();
  for (size_t i = 0; i < r.messages.size(); ++i) {
    json content = anthropic_content(r.messages[i]);
    // The end of the stable prefix gets a cache breakpoint (the system prompt has its own).
    if (r.stable_prefix > 0 && i + 1 == static_cast<size_t>(r.stable_prefix) && !content.empty())
      content.back()["cache_control"] = kEphemeral;
    messages.push_back({{"role", r.messages[i].role}, {"content", content}});
  }
  json body = {{"model", model},
               {"messages", messages},
               {"max_tokens", r.max_tokens > 0 ? r.max_tokens : 4096},
               {"temperature", r.temperature}};
  if (!r.system.empty())
    body["system"] = json::array({{{"type", "text"}, {"text", r.system}, {"cache_control", kEphemeral}}});
  if (!r.stop.empty()) body["stop_sequences"] = r.stop;
  return body;
}

Expected<Reply> anthropic_parse_reply(const std::string& body) {
  SHOAL_TRY(doc, parse_json_body(body, "the Anthropic-protocol server"));
  if (doc.value("type", "") == "error")
    return fail(ErrorKind::remote, "the Anthropic-protocol server answered an error: " + anthropic_error_message(body));
  const json content = doc.value("content", json());
  if (!content.is_array())
    return fail(ErrorKind::remote, "the Anthropic-protocol server's response has no content list");
  std::string text;
  for (const auto& block : content)
    if (block.is_object() && block.value("type", "") == "text" && block.value("text", json()).is_string())
      text += block["text"].get<std::string>();
  Reply reply;
  reply.texts.push_back(text);
  const json reason = doc.value("stop_reason", json());
  if (reason.is_string()) reply.finish_reason = reason.get<std::string>();
  const json usage = doc.value("usage", json::object());
  if (usage.is_object()) {
    auto count = [&](const char* key) {
      const json v = usage.value(key, json());
      return v.is_number_integer() ? v.get<int64_t>() : int64_t{0};
    };
    reply.usage.cached_read = count("cache_read_input_tokens");
    reply.usage.cache_write = count("cache_creation_input_tokens");
    reply.usage.input = count("input_tokens") + reply.usage.cached_read + reply.usage.cache_write;
    reply.usage.output = count("output_tokens");
  }
  return reply;
}

std::string anthropic_error_message(const std::string& body) { return error_body_message(body); }

std::string AnthropicProvider::endpoint(const std::string& base_url) const {
  std::string base = join_url(base_url, "");
  // ANTHROPIC_BASE_URL is the host without /v1 (as in the official SDKs); accept it with /v1 too.
  if (base.size() >= 3 && base.compare(base.size() - 3, 3, "/v1") == 0) return base + "/messages";
  return base + "/v1/messages";
}

std::vector<std::string> AnthropicProvider::headers(const std::string& api_key) const {
  std::vector<std::string> h = {"Content-Type: application/json",
                                std::string("anthropic-version: ") + kAnthropicVersion};
  if (!api_key.empty()) h.push_back("x-api-key: " + api_key);
  return h;
}

}  // namespace shoal::llm
