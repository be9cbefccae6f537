// The price table: USD per million tokens for each provider:model, kept as a data file
// (llm/prices.json, built in) and overridable by a user JSON file of the same shape.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "llm/types.hpp"
#include "core/expected.hpp"

namespace shoal::llm {

struct Price {
  double input = 0;         // uncached input
  double cached_input = 0;  // input read from the provider's prompt cache
  double cache_write = 0;   // input written to the prompt cache
  double output = 0;
};

class PriceTable {
 public:
  // The built-in table, then the entries of `override_file` replacing or adding models
  // (no file when empty). A file that is missing or unparseable is ErrorKind::invalid_input.
  static Expected<PriceTable> load(const std::filesystem::path& override_file = {});

  // Parses {"models": {"provider:model": {"input", "output", "cached_input"?, "cache_write"?}}};
  // `origin` names the text's source in errors.
  static Expected<PriceTable> parse(std::string_view json_text, std::string_view origin);

  // The price of `provider:model`: an exact key, else the longest key that prefixes it
  // (dated versions), else provider:*. ErrorKind::invalid_input when none matches.
  Expected<Price> find(const std::string& provider, const std::string& model) const;

  // Entries of `other` replace or add to this table's.
  void merge(const PriceTable& other);

 private:
  std::map<std::string, Price> prices_;
};

// The entry of provider:model in a table keyed "provider:model": the exact key, else the
// longest key that prefixes it (dated versions), else "provider:*"; nullptr when none matches.
template <class T>
const T* match_model_key(const std::map<std::string, T>& table, const std::string& provider, const std::string& model) {
  std::string id = provider + ":" + model;
  if (auto it = table.find(id); it != table.end()) return &it->second;
  const T* best = nullptr;
  size_t best_len = 0;
  for (const auto& [key, value] : table) {
    if (key.size() > best_len && id.compare(0, key.size(), key) == 0 && key.back() != '*') {
      best = &value;
      best_len = key.size();
    }
  }
  if (best) return best;
  if (auto it = table.find(provider + ":*"); it != table.end()) return &it->second;
  return nullptr;
}

// Dollars for `usage` at `price`.
double cost_usd(const Price& price, const Usage& usage);

// The built-in prices.json text (generated into the build from llm/prices.json).
std::string_view builtin_prices_json();

}  // namespace shoal::llm
