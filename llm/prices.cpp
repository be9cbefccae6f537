#include "llm/prices.hpp"

#include <nlohmann/json.hpp>

#include "core/file.hpp"

namespace shoal::llm {

Expected<PriceTable> PriceTable::parse(std::string_view text, std::string_view origin) {
  auto bad = [&](const std::string& what) {
    return fail(ErrorKind::invalid_input, "price table " + std::string(origin) + ": " + what +
                                              " (expected {\"models\": {\"provider:model\": {\"input\": USD, "
                                              "\"output\": USD, \"cached_input\": USD}}}, USD per million tokens)");
  };
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return bad("not valid JSON");
  if (!doc.is_object() || !doc.contains("models") || !doc["models"].is_object()) return bad("no \"models\" object");
  PriceTable table;
  for (const auto& [key, entry] : doc["models"].items()) {
    if (key.find(':') == std::string::npos) return bad("key '" + key + "' is not provider:model");
    if (!entry.is_object()) return bad("entry '" + key + "' is not an object");
    auto number = [&](const char* field, std::optional<double> fallback) -> Expected<double> {
      if (!entry.contains(field)) {
        if (fallback) return *fallback;
        return bad("entry '" + key + "' has no \"" + field + "\"");
      }
      if (!entry[field].is_number() || entry[field].get<double>() < 0)
        return bad("entry '" + key + "' field \"" + field + "\" is not a non-negative number");
      return entry[field].get<double>();
    };
    Price p;
    SHOAL_TRY(input, number("input", std::nullopt));
    SHOAL_TRY(output, number("output", std::nullopt));
    SHOAL_TRY(cached, number("cached_input", input));
    SHOAL_TRY(write, number("cache_write", input));
    p.input = input;
    p.output = output;
    p.cached_input = cached;
    p.cache_write = write;
    table.prices_[key] = p;
  }
  return table;
}

Expected<PriceTable> PriceTable::load(const std::filesystem::path& override_file) {
  SHOAL_TRY(table, parse(builtin_prices_json(), "built in (llm/prices.json)"));
  if (override_file.empty()) return table;
  auto text = read_file(override_file);
  if (!text.ok())
    return fail(ErrorKind::invalid_input, "cannot read the price table " + override_file.string() +
                                              " named by llm_prices_file: " + text.error().message);
  SHOAL_TRY(user, parse(*text, override_file.string()));
  table.merge(user);
  return table;
}

Expected<Price> PriceTable::find(const std::string& provider, const std::string& model) const {
  if (const Price* hit = match_model_key(prices_, provider, model)) return *hit;
  return fail(ErrorKind::invalid_input, "no price for model '" + provider + ":" + model +
                                            "': add it to a JSON price file named by the llm_prices_file setting "
                                            "(shape of llm/prices.json; USD per million tokens)");
}

void PriceTable::merge(const PriceTable& other) {
  for (const auto& [key, price] : other.prices_) prices_[key] = price;
}

double cost_usd(const Price& p, const Usage& u) {
  int64_t uncached = u.input - u.cached_read - u.cache_write;
  if (uncached < 0) uncached = 0;
  return (uncached * p.input + u.cached_read * p.cached_input + u.cache_write * p.cache_write + u.output * p.output) /
         1e6;
}

}  // namespace shoal::llm
