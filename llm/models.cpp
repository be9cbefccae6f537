#include "llm/models.hpp"

#include <nlohmann/json.hpp>

#include "core/file.hpp"

namespace shoal::llm {
namespace {

using nlohmann::json;

// The table's text as one JSON document: the built-in file with the user file's entries merged
// over it field by field.
Expected<json> merged_document(const std::filesystem::path& override_file) {
  json doc = json::parse(builtin_prices_json(), nullptr, false);
  if (doc.is_discarded() || !doc.contains("models")) return fail(ErrorKind::internal, "the built-in model table does not parse");
  if (override_file.empty()) return doc;
  auto text = read_file(override_file);
  if (!text.ok())
    return fail(ErrorKind::invalid_input, "cannot read the model table " + override_file.string() +
                                              " named by llm_prices_file: " + text.error().message);
  json user = json::parse(*text, nullptr, false);
  if (user.is_discarded() || !user.is_object() || !user.value("models", json()).is_object())
    return fail(ErrorKind::invalid_input, "model table " + override_file.string() + ": no \"models\" object");
  for (const auto& [key, entry] : user["models"].items()) {
    if (!entry.is_object()) continue;  // PriceTable::load reports it
    json& mine = doc["models"][key];
    if (!mine.is_object()) mine = json::object();
    mine.update(entry);
  }
  return doc;
}

// A protocol from its table name; `fallback` when absent.
Expected<Protocol> protocol_field(const json& entry, const std::string& key, Protocol fallback) {
  std::string name = entry.value("protocol", "");
  if (name.empty()) return fallback;
  if (name == "openai") return Protocol::openai;
  if (name == "anthropic") return Protocol::anthropic;
  return fail(ErrorKind::invalid_input, "model table entry '" + key + "': protocol '" + name + "' is not openai or anthropic");
}

// One entry's capabilities over the defaults of an unknown model of its provider's protocol.
Expected<ModelInfo> parse_entry(const std::string& key, const json& entry) {
  auto bad = [&](const std::string& what) {
    return fail(ErrorKind::invalid_input, "model table entry '" + key + "': " + what);
  };
  Protocol by_provider = key.rfind("anthropic:", 0) == 0 ? Protocol::anthropic : Protocol::openai;
  SHOAL_TRY(protocol, protocol_field(entry, key, by_provider));
  ModelInfo info = unknown_model(protocol);
  info.key = key;
  info.known = key.back() != '*';
  if (entry.contains("context")) {
    if (!entry["context"].is_number_integer()) return bad("context is not a whole number of tokens");
    info.context = entry["context"].get<int64_t>();
  }
  if (entry.contains("max_output")) {
    if (!entry["max_output"].is_number_integer()) return bad("max_output is not a whole number of tokens");
    info.max_output = entry["max_output"].get<int>();
  }
  if (entry.contains("params")) {
    if (!entry["params"].is_array()) return bad("params is not a list");
    info.wire.temperature = info.wire.top_p = info.wire.stop = false;
    for (const auto& p : entry["params"]) {
      std::string name = p.is_string() ? p.get<std::string>() : "";
      if (name == "temperature") info.wire.temperature = true;
      else if (name == "top_p") info.wire.top_p = true;
      else if (name == "stop") info.wire.stop = true;
      else return bad("params holds '" + p.dump() + "' (known: temperature, top_p, stop)");
    }
  }
  std::string token_param = entry.value("token_param", info.wire.token_param);
  if (token_param != "max_tokens" && token_param != "max_completion_tokens")
    return bad("token_param '" + token_param + "' is not max_tokens or max_completion_tokens");
  info.wire.token_param = token_param;
  if (entry.contains("images")) {
    if (!entry["images"].is_boolean()) return bad("images is not true or false");
    info.images = entry["images"].get<bool>();
  }
  std::string structured = entry.value("structured", "none");
  if (structured == "json_schema") info.wire.structured = StructuredOutput::json_schema;
  else if (structured == "tool") info.wire.structured = StructuredOutput::tool;
  else if (structured != "none") return bad("structured '" + structured + "' is not json_schema, tool or none");
  std::string reasoning = entry.value("reasoning", "none");
  if (reasoning == "effort") info.wire.reasoning = Reasoning::effort;
  else if (reasoning == "thinking") info.wire.reasoning = Reasoning::thinking;
  else if (reasoning != "none") return bad("reasoning '" + reasoning + "' is not effort, thinking or none");
  for (const auto& e : entry.value("efforts", json::array()))
    if (e.is_string()) info.efforts.push_back(e.get<std::string>());
  return info;
}

}  // namespace

ModelInfo unknown_model(Protocol protocol) {
  ModelInfo info;
  info.protocol = protocol;
  return info;
}

Expected<ModelTable> ModelTable::load(const std::filesystem::path& override_file) {
  SHOAL_TRY(prices, PriceTable::load(override_file));
  SHOAL_TRY(doc, merged_document(override_file));
  ModelTable table;
  for (const auto& [key, entry] : doc["models"].items()) {
    SHOAL_TRY(info, parse_entry(key, entry));
    auto colon = key.find(':');
    SHOAL_TRY(price, prices.find(key.substr(0, colon), key.substr(colon + 1)));
    info.price = price;
    table.entries_[key] = std::move(info);
  }
  return table;
}

ModelInfo ModelTable::find(const std::string& provider, const std::string& model, Protocol protocol) const {
  const ModelInfo* hit = match_model_key(entries_, provider, model);
  ModelInfo info = hit ? *hit : unknown_model(protocol);
  info.wire.model = model;
  return info;
}

std::string assumed_about(const std::string& id, const ModelInfo& info) {
  if (info.known) return "";
  std::string what = info.key.empty() ? "is not in the model table" : "matches only '" + info.key + "' in the model table";
  return "model " + id + " " + what + ": assuming the " +
         (info.protocol == Protocol::anthropic ? "Anthropic" : "OpenAI") + " protocol with " + info.wire.token_param +
         (info.wire.temperature ? " and temperature" : "") + ", images " + (info.images ? "sent" : "left out") +
         ", JSON read from the text (no structured output), no reasoning setting, no output limit, and a cost of $" +
         (info.price.input == 0 && info.price.output == 0 ? std::string("0") : std::string("as priced")) +
         " (describe it in a file named by llm_prices_file, shape of llm/prices.json)";
}

std::string_view to_string(StructuredOutput s) {
  switch (s) {
    case StructuredOutput::json_schema: return "json_schema";
    case StructuredOutput::tool: return "tool";
    case StructuredOutput::none: break;
  }
  return "none";
}

std::string_view to_string(Reasoning r) {
  switch (r) {
    case Reasoning::effort: return "effort";
    case Reasoning::thinking: return "thinking";
    case Reasoning::none: break;
  }
  return "none";
}

}  // namespace shoal::llm
