#include "llm/cache_key.hpp"

#include "core/hash.hpp"

namespace shoal::llm {

nlohmann::json canonical_request(const std::string& provider, const std::string& model, const Request& r, int n,
                                 int sample_index, const nlohmann::json& settings) {
  using nlohmann::json;
  json messages = json::array();
  for (const auto& m : r.messages) {
    json parts = json::array();
    for (const auto& p : m.parts) {
      if (p.kind == ContentPart::Kind::text) parts.push_back({{"text", p.text}});
      else parts.push_back({{"image", {{"media_type", p.media_type}, {"data", p.data_base64}}}});
    }
    messages.push_back({{"role", m.role}, {"parts", parts}});
  }
  json canonical = {{"provider", provider},
                    {"model", model},
                    {"system", r.system},
                    {"messages", messages},
                    {"params", {{"temperature", r.temperature}, {"max_tokens", r.max_tokens}, {"stop", r.stop}, {"n", n}}},
                    {"sample", sample_index}};
  // Added only when used, so that the keys of plain requests stay what they were.
  if (!r.schema.is_null()) canonical["params"]["schema"] = {{"name", r.schema_name}, {"schema", r.schema}};
  if (settings.is_object() && !settings.empty()) canonical["settings"] = settings;
  return canonical;
}

std::string request_hash(const std::string& provider, const std::string& model, const Request& r, int n,
                         int sample_index, const nlohmann::json& settings) {
  return sha256_hex(canonical_request(provider, model, r, n, sample_index, settings).dump());
}

}  // namespace shoal::llm
