#include "llm/protocol_openai.hpp"

#include <map>

#include "llm/sse.hpp"

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
  Wire wire;
  wire.model = model;
  return openai_request_body(r, wire, n);
}

nlohmann::json openai_request_body(const Request& r, const Wire& wire, int n) {
  json messages = json::array();
  if (!r.system.empty()) messages.push_back({{"role", "system"}, {"content", r.system}});
  for (const auto& m : r.messages) messages.push_back({{"role", m.role}, {"content", openai_content(m)}});
  json body = {{"model", wire.model}, {"messages", messages}};
  // Reasoning models take only the default temperature (1) and top_p: leave them out.
  if (wire.temperature) body["temperature"] = r.temperature;
  if (r.max_tokens > 0) body[wire.token_param] = r.max_tokens;
  if (!r.stop.empty() && wire.stop) body["stop"] = r.stop;
  if (n > 1) body["n"] = n;
  if (wire.reasoning == Reasoning::effort && !wire.effort.empty()) body["reasoning_effort"] = wire.effort;
  if (!wire.cache_key.empty()) body["prompt_cache_key"] = wire.cache_key;
  if (!r.schema.is_null() && wire.structured == StructuredOutput::json_schema)
    body["response_format"] = {{"type", "json_schema"},
                               {"json_schema", {{"name", r.schema_name}, {"schema", r.schema}, {"strict", schema_is_strict(r.schema)}}}};
  if (wire.stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  return body;
}

// Strict mode needs every object to list all its properties as required and forbid others.
bool schema_is_strict(const nlohmann::json& schema) {
  if (!schema.is_object()) return true;
  if (schema.value("type", json()) == "object") {
    if (schema.value("additionalProperties", json(true)) != json(false)) return false;
    const json props = schema.value("properties", json::object());
    const json required = schema.value("required", json::array());
    if (!props.is_object() || !required.is_array() || props.size() != required.size()) return false;
    for (const auto& [k, v] : props.items())
      if (!schema_is_strict(v)) return false;
  }
  if (schema.value("type", json()) == "array") return schema.contains("items") && schema_is_strict(schema["items"]);
  return schema.contains("type");
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
    // A reasoning model that spent its whole limit on reasoning answers no content, cut.
    if (content.is_null() && c.value("finish_reason", json()) == "length") {
      reply.texts.push_back("");
      reply.truncated = true;
      continue;
    }
    if (!content.is_string())
      return fail(ErrorKind::remote, "the OpenAI-protocol server's response has a choice without text content");
    reply.texts.push_back(content.get<std::string>());
    if (c.value("finish_reason", json()) == "length") reply.truncated = true;
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

namespace shoal::llm {

Expected<std::string> openai_assemble_stream(const std::string& events) {
  using nlohmann::json;
  json out = {{"object", "chat.completion"}};
  std::map<int, json> choices;  // by index
  bool done = false;
  for (const auto& ev : parse_sse(events)) {
    if (ev.data == "[DONE]") {
      done = true;
      break;
    }
    auto chunk = json::parse(ev.data, nullptr, false);
    if (chunk.is_discarded() || !chunk.is_object()) continue;
    if (chunk.contains("error")) {
      const json err = chunk["error"].is_object() ? chunk["error"] : json::object();
      return stream_error("the OpenAI-protocol server", err.value("type", err.value("code", "")),
                          err.value("message", chunk["error"].dump()));
    }
    for (const char* key : {"id", "created", "model", "system_fingerprint"})
      if (chunk.contains(key) && !out.contains(key)) out[key] = chunk[key];
    if (chunk.contains("usage") && chunk["usage"].is_object()) out["usage"] = chunk["usage"];
    for (const auto& c : chunk.value("choices", json::array())) {
      int index = c.value("index", 0);
      json& choice = choices[index];
      if (choice.is_null()) choice = {{"index", index}, {"message", {{"role", "assistant"}, {"content", ""}}}, {"finish_reason", nullptr}};
      const json delta = c.value("delta", json::object());
      if (delta.is_object() && delta.value("content", json()).is_string())
        choice["message"]["content"] = choice["message"]["content"].get<std::string>() + delta["content"].get<std::string>();
      if (delta.is_object() && delta.value("refusal", json()).is_string()) choice["message"]["refusal"] = delta["refusal"];
      if (c.value("finish_reason", json()).is_string()) choice["finish_reason"] = c["finish_reason"];
    }
  }
  if (choices.empty())
    return fail(ErrorKind::remote, "the OpenAI-protocol server's stream held no reply (" + std::to_string(events.size()) +
                                       " bytes): the connection may have been cut; it is retried");
  bool finished = done;
  for (const auto& [i, c] : choices) finished = finished || c["finish_reason"].is_string();
  if (!finished)
    return fail(ErrorKind::remote, "the OpenAI-protocol server's stream ended before the reply did: the connection was cut; it is retried");
  out["choices"] = json::array();
  for (auto& [i, c] : choices) out["choices"].push_back(std::move(c));
  return out.dump();
}

}  // namespace shoal::llm
