#include "llm/structured.hpp"

#include <future>
#include <memory>

#include "llm/prompts.hpp"

namespace shoal::llm {
namespace {

using nlohmann::json;

// Parses `text` as JSON, nullopt when it is not.
std::optional<json> try_parse(std::string_view text) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  return doc;
}

// The contents of each ``` fenced block, in order.
std::vector<std::string_view> fenced_blocks(std::string_view text) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while ((pos = text.find("```", pos)) != std::string_view::npos) {
    size_t line_end = text.find('\n', pos);
    if (line_end == std::string_view::npos) break;
    size_t close = text.find("```", line_end);
    if (close == std::string_view::npos) break;
    out.push_back(text.substr(line_end + 1, close - line_end - 1));
    pos = close + 3;
  }
  return out;
}

// The end (one past) of the balanced {...} or [...] starting at `start`, honouring strings; npos if unbalanced.
size_t balanced_end(std::string_view text, size_t start) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = start; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') ++depth;
    else if ((c == '}' || c == ']') && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

bool has_type(const json& v, JsonType t) {
  switch (t) {
    case JsonType::string: return v.is_string();
    case JsonType::number: return v.is_number();
    case JsonType::integer: return v.is_number_integer();
    case JsonType::boolean: return v.is_boolean();
    case JsonType::array: return v.is_array();
    case JsonType::object: return v.is_object();
    case JsonType::any: return true;
  }
  return false;
}

const char* type_name(JsonType t) {
  switch (t) {
    case JsonType::string: return "a string";
    case JsonType::number: return "a number";
    case JsonType::integer: return "an integer";
    case JsonType::boolean: return "true or false";
    case JsonType::array: return "an array";
    case JsonType::object: return "an object";
    case JsonType::any: return "any value";
  }
  return "?";
}

// The JSON schema type of a field type (null for any).
json schema_type(JsonType t) {
  switch (t) {
    case JsonType::string: return "string";
    case JsonType::number: return "number";
    case JsonType::integer: return "integer";
    case JsonType::boolean: return "boolean";
    case JsonType::array: return "array";
    case JsonType::object: return "object";
    case JsonType::any: break;
  }
  return nullptr;
}

// The reply's first text as a shaped JSON object, or why not. A reply cut at the token limit
// is a failed attempt whatever it holds.
Expected<json> shaped_json(const Response& r, const Shape& shape) {
  if (r.truncated)
    return fail(ErrorKind::invalid_input, "the reply was cut off at the token limit (" + r.finish_reason +
                                              ") before it was complete; make it shorter");
  SHOAL_TRY(value, extract_json(r.text()));
  SHOAL_CHECK(validate_shape(value, shape));
  return value;
}

}  // namespace

Expected<json> extract_json(std::string_view text) {
  for (auto block : fenced_blocks(text))
    if (auto v = try_parse(block)) return *v;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{' && text[i] != '[') continue;
    size_t end = balanced_end(text, i);
    if (end == std::string_view::npos) continue;  // an unclosed brace: a later one may still open an object
    if (auto v = try_parse(text.substr(i, end - i))) return *v;
  }
  return fail(ErrorKind::invalid_input,
              "the reply holds no JSON: no ```json fenced block and no balanced {...} object that parses");
}

Status validate_shape(const json& value, const Shape& shape) {
  if (!value.is_object()) return fail(ErrorKind::invalid_input, "the JSON is " + std::string(value.type_name()) + ", not an object");
  std::string problems;
  for (const auto& f : shape) {
    if (!value.contains(f.key)) problems += (problems.empty() ? "" : "; ") + ("missing key \"" + f.key + "\"");
    else if (!has_type(value[f.key], f.type))
      problems += (problems.empty() ? "" : "; ") + ("key \"" + f.key + "\" must be " + type_name(f.type) + ", not " +
                                                    value[f.key].type_name());
  }
  if (!problems.empty()) return fail(ErrorKind::invalid_input, "the JSON does not have the expected shape: " + problems);
  return {};
}

json json_schema_of(const Shape& shape) {
  json properties = json::object();
  json required = json::array();
  for (const auto& f : shape) {
    json type = schema_type(f.type);
    properties[f.key] = type.is_null() ? json::object() : json{{"type", type}};
    required.push_back(f.key);
  }
  return {{"type", "object"}, {"properties", properties}, {"required", required}, {"additionalProperties", false}};
}

void submit_json(Client& client, Request request, const Shape& shape, CallOptions options,
                 std::function<void(Expected<JsonAnswer>)> done) {
  // Through the provider's structured output where the model has it; the text parser stays the fallback.
  if (request.schema.is_null() && client.model_info().wire.structured != StructuredOutput::none)
    request.schema = json_schema_of(shape);
  auto first_request = std::make_shared<Request>(std::move(request));
  Client* c = &client;
  client.submit(*first_request, options, [c, first_request, shape, options, done](Expected<Response> first) {
    if (!first.ok()) return done(first.error());
    auto parsed = shaped_json(*first, shape);
    if (parsed.ok()) return done(JsonAnswer{std::move(*parsed), first->text()});
    // The unusable reply is never served from the cache again; the re-ask says what was wrong.
    std::string first_error = parsed.error().message;
    (void)c->reject(*first, first_error);
    Request again = *first_request;
    again.n = 1;
    again.messages.push_back(Message::assistant(first->text()));
    again.messages.push_back(Message::user(json_reask_prompt(first_error)));
    c->submit(std::move(again), options, [c, shape, done, first_error](Expected<Response> second) {
      if (!second.ok()) return done(second.error());
      auto reparsed = shaped_json(*second, shape);
      if (reparsed.ok()) return done(JsonAnswer{std::move(*reparsed), second->text()});
      (void)c->reject(*second, reparsed.error().message);
      done(fail(ErrorKind::remote, "the model did not return usable JSON, twice: first " + first_error +
                                       "; then " + reparsed.error().message));
    });
  });
}

Expected<JsonAnswer> complete_json_answer(Client& client, Request request, const Shape& shape, CallOptions options) {
  auto promise = std::make_shared<std::promise<Expected<JsonAnswer>>>();
  auto future = promise->get_future();
  submit_json(client, std::move(request), shape, std::move(options),
              [promise](Expected<JsonAnswer> r) { promise->set_value(std::move(r)); });
  return future.get();
}

Expected<json> complete_json(Client& client, Request request, const Shape& shape, CallOptions options) {
  SHOAL_TRY(answer, complete_json_answer(client, std::move(request), shape, std::move(options)));
  return std::move(answer.value);
}

}  // namespace shoal::llm
