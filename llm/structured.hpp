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

// Asks `client` and returns the reply's JSON object of `shape`. When the first reply has no
// usable JSON, the conversation is sent again with the reply and the parse error appended,
// once; a second failure is ErrorKind::remote with both errors. Blocking (see Client::complete).
Expected<nlohmann::json> complete_json(Client& client, Request request, const Shape& shape, CallOptions options = {});

// The asynchronous form: `done` runs on the client's loop thread.
void submit_json(Client& client, Request request, const Shape& shape, CallOptions options,
                 std::function<void(Expected<nlohmann::json>)> done);

}  // namespace shoal::llm
