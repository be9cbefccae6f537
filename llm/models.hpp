// The model table: per provider:model, the protocol, context window, output limit, the
// sampling parameters it accepts, image input, structured output, reasoning, and prices. Kept
// as data (llm/prices.json, built in; a user file of the same shape merges over it field by
// field). Requests are built from it (see Wire in provider.hpp).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "llm/prices.hpp"
#include "llm/provider.hpp"
#include "core/expected.hpp"

namespace shoal::llm {

struct ModelInfo {
  std::string key;      // the table key that matched ("" = none: an unknown model)
  bool known = false;   // matched its exact key or a prefix of it (not provider:* nor nothing)
  Protocol protocol = Protocol::openai;
  int64_t context = 0;  // context window in tokens (0 = unknown)
  int max_output = 0;   // most output tokens of one reply (0 = unknown: not clamped)
  bool images = true;   // takes image input
  std::vector<std::string> efforts;  // accepted reasoning_effort values (Reasoning::effort)
  Wire wire;            // parameter rules (wire.model and the call settings are the client's)
  Price price;
};

class ModelTable {
 public:
  // The built-in table with `override_file`'s entries merged over it field by field (a key not
  // in the built-in table is added). Prices as PriceTable::load reads them.
  static Expected<ModelTable> load(const std::filesystem::path& override_file = {});

  // The entry of provider:model by PriceTable's matching (exact, longest prefix, provider:*);
  // a model no key matches gets an unknown model's defaults with a zero price.
  ModelInfo find(const std::string& provider, const std::string& model, Protocol protocol) const;

  // Every entry, by key.
  const std::map<std::string, ModelInfo>& entries() const { return entries_; }

 private:
  std::map<std::string, ModelInfo> entries_;
};

// The defaults of a model the table does not know, speaking `protocol`: max_tokens and every
// sampling parameter, images sent, no structured output, no reasoning, no output limit, no cost.
ModelInfo unknown_model(Protocol protocol);

// What is assumed for a model the table does not fully know, in words, for its one warning;
// "" for a model the table knows.
std::string assumed_about(const std::string& id, const ModelInfo& info);

// Names of the enums as the table spells them.
std::string_view to_string(StructuredOutput s);
std::string_view to_string(Reasoning r);

}  // namespace shoal::llm
