// Structured output: getting a JSON object out of a model's reply and checking it has the
// shape a stage expects; on failure the model is asked once more, told what was wrong.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "llm/client.hpp"

namespace shoal::llm {

// The JSON in `text`: the first ```json (or plain ```) fenced block that parses, else the
// first balanced {...} or [...] that parses. ErrorKind::invalid_input saying what was found.
Expected<nlohmann::json> extract_json(std::string_view text);

enum class JsonType { string, number, integer, boolean, array, object, any };

struct Field {
  std::string key;
  JsonType type = JsonType::any;
};

// The keys an object must have, with their types.
using Shape = std::vector<Field>;

// ok when `value` is an object holding every field of `shape` with its type; else
// ErrorKind::invalid_input naming each missing or mistyped key.
Status validate_shape(const nlohmann::json& value, const Shape& shape);

// The JSON schema of an object of `shape`: every field required, no others.
nlohmann::json json_schema_of(const Shape& shape);

// Asks `client` and returns the reply's JSON object of `shape`. Where the model table gives the
// model structured output, the request carries json_schema_of(shape) (unless it has a schema
// already) and the provider returns the JSON; else, and as the fallback, the JSON is read from
// the text (fenced, bare, or after prose). When the first reply has no usable JSON, or was cut
// at the token limit, it is rejected (Client::reject: never served from the cache again) and
// the conversation sent again with the reply and the reason appended (llm/prompts/json_reask.md),
// once; a second failure is ErrorKind::remote with both reasons. Blocking (see Client::complete).
Expected<nlohmann::json> complete_json(Client& client, Request request, const Shape& shape, CallOptions options = {});

// The JSON and the reply's text it came from (what a conversation carries on with).
struct JsonAnswer {
  nlohmann::json value;
  std::string text;
};

// complete_json with the reply's text too.
Expected<JsonAnswer> complete_json_answer(Client& client, Request request, const Shape& shape, CallOptions options = {});

// The asynchronous form: `done` runs on the client's loop thread.
void submit_json(Client& client, Request request, const Shape& shape, CallOptions options,
                 std::function<void(Expected<JsonAnswer>)> done);

}  // namespace shoal::llm
