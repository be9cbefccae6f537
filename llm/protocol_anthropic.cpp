#include "llm/protocol_anthropic.hpp"

#include <map>

#include "llm/sse.hpp"

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
  Wire wire;
  wire.model = model;
  return anthropic_request_body(r, wire);
}

nlohmann::json anthropic_request_body(const Request& r, const Wire& wire) {
  json messages = json::array();
  for (size_t i = 0; i < r.messages.size(); ++i) {
    json content = anthropic_content(r.messages[i]);
    // The end of the stable prefix gets a cache breakpoint (the system prompt has its own).
    if (r.stable_prefix > 0 && i + 1 == static_cast<size_t>(r.stable_prefix) && !content.empty())
      content.back()["cache_control"] = kEphemeral;
    messages.push_back({{"role", r.messages[i].role}, {"content", content}});
  }
  int max_tokens = r.max_tokens > 0 ? r.max_tokens : 4096;
  json body = {{"model", wire.model}, {"messages", messages}, {"max_tokens", max_tokens}};
  bool thinking = wire.reasoning == Reasoning::thinking && wire.thinking_budget > 0;
  if (thinking) {
    // The budget counts within max_tokens, which must stay above it; temperature must be left unset.
    body["thinking"] = {{"type", "enabled"}, {"budget_tokens", wire.thinking_budget}};
    body["max_tokens"] = max_tokens + wire.thinking_budget;
  } else if (wire.temperature) {
    body["temperature"] = r.temperature;
  }
  if (!r.system.empty())
    body["system"] = json::array({{{"type", "text"}, {"text", r.system}, {"cache_control", kEphemeral}}});
  if (!r.stop.empty() && wire.stop) body["stop_sequences"] = r.stop;
  if (!r.schema.is_null() && wire.structured == StructuredOutput::tool) {
    body["tools"] = json::array({{{"name", r.schema_name},
                                  {"description", "Record the reply in this exact structure."},
                                  {"input_schema", r.schema}}});
    // A forced tool call is not allowed with extended thinking: then the model picks it itself.
    body["tool_choice"] = thinking ? json{{"type", "auto"}} : json{{"type", "tool"}, {"name", r.schema_name}};
  }
  if (wire.stream) body["stream"] = true;
  return body;
}

Expected<Reply> anthropic_parse_reply(const std::string& body) {
  SHOAL_TRY(doc, parse_json_body(body, "the Anthropic-protocol server"));
  if (doc.value("type", "") == "error")
    return fail(ErrorKind::remote, "the Anthropic-protocol server answered an error: " + anthropic_error_message(body));
  const json content = doc.value("content", json());
  if (!content.is_array())
    return fail(ErrorKind::remote, "the Anthropic-protocol server's response has no content list");
  std::string text, tool_input;
  for (const auto& block : content) {
    if (!block.is_object()) continue;
    if (block.value("type", "") == "text" && block.value("text", json()).is_string()) text += block["text"].get<std::string>();
    // Structured output comes as a tool call: its input is the reply's JSON.
    if (block.value("type", "") == "tool_use" && tool_input.empty()) tool_input = block.value("input", json::object()).dump();
  }
  Reply reply;
  reply.texts.push_back(tool_input.empty() ? text : tool_input);
  const json reason = doc.value("stop_reason", json());
  if (reason.is_string()) reply.finish_reason = reason.get<std::string>();
  reply.truncated = reply.finish_reason == "max_tokens";
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

namespace shoal::llm {
namespace {

// Applies one content_block_delta to the block it names.
void apply_delta(nlohmann::json& block, const nlohmann::json& delta, std::string& partial_json) {
  std::string type = delta.value("type", "");
  if (type == "text_delta") block["text"] = block.value("text", "") + delta.value("text", "");
  else if (type == "thinking_delta") block["thinking"] = block.value("thinking", "") + delta.value("thinking", "");
  else if (type == "signature_delta") block["signature"] = delta.value("signature", "");
  else if (type == "input_json_delta") partial_json += delta.value("partial_json", "");
}

}  // namespace

Expected<std::string> anthropic_assemble_stream(const std::string& events) {
  using nlohmann::json;
  json message;
  std::map<int, std::string> partial_json;  // tool_use input, by block index
  bool stopped = false;
  for (const auto& ev : parse_sse(events)) {
    auto data = json::parse(ev.data, nullptr, false);
    if (data.is_discarded() || !data.is_object()) continue;
    std::string type = data.value("type", ev.event);
    if (type == "error") {
      const json err = data.value("error", json::object());
      return stream_error("the Anthropic-protocol server", err.value("type", ""), err.value("message", ""));
    }
    if (type == "message_start") {
      message = data.value("message", json::object());
      if (!message.contains("content") || !message["content"].is_array()) message["content"] = json::array();
    } else if (message.is_null()) {
      continue;  // nothing before message_start counts
    } else if (type == "content_block_start") {
      size_t index = data.value("index", 0);
      while (message["content"].size() <= index) message["content"].push_back(json::object());
      message["content"][index] = data.value("content_block", json::object());
    } else if (type == "content_block_delta") {
      size_t index = data.value("index", 0);
      if (index < message["content"].size())
        apply_delta(message["content"][index], data.value("delta", json::object()), partial_json[static_cast<int>(index)]);
    } else if (type == "content_block_stop") {
      size_t index = data.value("index", 0);
      auto it = partial_json.find(static_cast<int>(index));
      if (index < message["content"].size() && it != partial_json.end() && !it->second.empty()) {
        auto input = json::parse(it->second, nullptr, false);
        message["content"][index]["input"] = input.is_discarded() ? json::object() : input;
      }
    } else if (type == "message_delta") {
      const json delta = data.value("delta", json::object());
      for (const char* key : {"stop_reason", "stop_sequence"})
        if (delta.contains(key)) message[key] = delta[key];
      const json usage = data.contains("usage") && data["usage"].is_object() ? data["usage"] : json::object();
      for (auto it = usage.begin(); it != usage.end(); ++it) message["usage"][it.key()] = it.value();
    } else if (type == "message_stop") {
      stopped = true;
    }
  }
  if (message.is_null())
    return fail(ErrorKind::remote, "the Anthropic-protocol server's stream held no message (" +
                                       std::to_string(events.size()) + " bytes): the connection may have been cut; it is retried");
  if (!stopped)
    return fail(ErrorKind::remote, "the Anthropic-protocol server's stream ended before message_stop: the connection was cut; it is retried");
  return message.dump();
}

}  // namespace shoal::llm
