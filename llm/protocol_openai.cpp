#include "llm/protocol_openai.hpp"

namespace shoal::llm {
namespace {

using nlohmann::json;

// A message's content: a plain string when it is one text part, else a list of parts.
json openai_content(const Message& m) {
  if (m.parts.size() == 1 && m.parts[0].kind == ContentPart::Kind::text) return m.parts[0].text;
  json parts = json::array();
  for (const auto& p : m.parts) {
    if (p.kind == ContentPart::Kind::text)
      parts.push_back({{"type", "text"}, {"text", p.text}});
    else
      parts.push_back({{"type", "image_url"},
                       {"image_url", {{"url", "data:" + p.media_type + ";base64," + p.data_base64}}}});
  }
  return parts;
}

}  // namespace

nlohmann::json openai_request_body(const Request& r, const std::string& model, int n) {
  json messages = json::array();
  if (!r.system.empty()) messages.push_back({{"role", "system"}, {"content", r.system}});
  for (const auto& m : r.messages) messages.push_back({{"role", m.role}, {"content", openai_content(m)}});
  json body = {{"model", model}, {"messages", messages}, {"temperature", r.temperature}};
  if (r.max_tokens > 0) body["max_tokens"] = r.max_tokens;
  if (!r.stop.empty()) body["stop"] = r.stop;
  if (n > 1) body["n"] = n;
  return body;
}

Expected<Reply> openai_parse_reply(const std::string& body) {
  SHOAL_TRY(doc, parse_json_body(body, "the OpenAI-protocol server"));
  if (doc.contains("error") && doc["error"].is_object())
    return fail(ErrorKind::remote, "the OpenAI-protocol server answered an error: " + openai_error_message(body));
  const auto& choices = doc.value("choices", json::array());
  if (!choices.is_array() || choices.empty())
    return fail(ErrorKind::remote, "the OpenAI-protocol server's response has no choices");
  Reply reply;
  for (const auto& c : choices) {
    if (!c.is_object()) return fail(ErrorKind::remote, "the OpenAI-protocol server's response has a malformed choice");
    const json message = c.value("message", json::object());
    const json content = message.is_object() ? message.value("content", json()) : json();
    if (!content.is_string())
      return fail(ErrorKind::remote, "the OpenAI-protocol server's response has a choice without text content");
    reply.texts.push_back(content.get<std::string>());
  }
  const json first_reason = choices[0].value("finish_reason", json());
  if (first_reason.is_string()) reply.finish_reason = first_reason.get<std::string>();
  const json usage = doc.value("usage", json::object());
  if (usage.is_object()) {
    reply.usage.input = usage.value("prompt_tokens", int64_t{0});
    reply.usage.output = usage.value("completion_tokens", int64_t{0});
    const json details = usage.value("prompt_tokens_details", json::object());
    if (details.is_object()) reply.usage.cached_read = details.value("cached_tokens", int64_t{0});
  }
  return reply;
}

std::string openai_error_message(const std::string& body) { return error_body_message(body); }

std::string OpenAiProvider::endpoint(const std::string& base_url) const {
  return join_url(base_url, "/chat/completions");
}

std::vector<std::string> OpenAiProvider::headers(const std::string& api_key) const {
  std::vector<std::string> h = {"Content-Type: application/json"};
  if (!api_key.empty()) h.push_back("Authorization: Bearer " + api_key);
  return h;
}

}  // namespace shoal::llm
