#include "llm/model_spec.hpp"

#include <cstdlib>

#include "core/log.hpp"

namespace shoal::llm {
namespace {

const char* kForms = "openai:MODEL, anthropic:MODEL, ollama:MODEL, replay[:PROVIDER:MODEL] or function[:NAME]";

struct ProviderInfo {
  const char* name;
  Protocol protocol;
  const char* default_url;
  const char* url_env;  // "" = none
  const char* key_env;  // "" = no key needed
};

const ProviderInfo kProviders[] = {
    {"openai", Protocol::openai, "https://api.openai.com/v1", "OPENAI_BASE_URL", "OPENAI_API_KEY"},
    {"anthropic", Protocol::anthropic, "https://api.anthropic.com", "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY"},
    {"ollama", Protocol::openai, "http://localhost:11434/v1", "", ""},
};

const ProviderInfo* find_provider(std::string_view name) {
  for (const auto& p : kProviders)
    if (name == p.name) return &p;
  return nullptr;
}

// Splits "provider:model" and checks both halves; `whole` is the text the user gave.
Expected<std::pair<const ProviderInfo*, std::string>> split_provider(std::string_view text, std::string_view whole) {
  auto colon = text.find(':');
  std::string_view name = text.substr(0, colon);
  const ProviderInfo* info = find_provider(name);
  if (!info)
    return fail(ErrorKind::invalid_input, "unknown model '" + std::string(whole) + "': use one of " + kForms);
  std::string model = colon == std::string_view::npos ? "" : std::string(text.substr(colon + 1));
  if (model.empty())
    return fail(ErrorKind::invalid_input, "model '" + std::string(whole) + "' names no model after '" +
                                              std::string(name) + ":' (e.g. " + std::string(name) + ":" +
                                              (info->protocol == Protocol::anthropic ? "claude-sonnet-4-5" : "gpt-4o") + ")");
  return std::pair{info, model};
}

}  // namespace

Expected<ModelSpec> parse_model(std::string_view text, const std::string& base_url_setting, const EnvLookup& env_in) {
  EnvLookup env = env_in ? env_in : [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v && *v ? std::optional<std::string>(v) : std::nullopt;
  };
  ModelSpec spec;
  if (text == "offline")
    return fail(ErrorKind::invalid_input,
                "'offline' is not an LLM: it runs the baseline agent without LLM calls; to call a model use " +
                    std::string(kForms));
  if (text == "function" || text.rfind("function:", 0) == 0) {
    spec.backend = Backend::function;
    spec.provider = "function";
    spec.model = text == "function" ? "function" : std::string(text.substr(9));
    return spec;
  }
  if (text == "replay") {
    spec.backend = Backend::replay;
    return spec;
  }
  bool replay = text.rfind("replay:", 0) == 0;
  SHOAL_TRY(split, split_provider(replay ? text.substr(7) : text, text));
  auto [info, model] = split;
  spec.backend = replay ? Backend::replay : Backend::http;
  spec.provider = info->name;
  spec.protocol = info->protocol;
  spec.model = model;
  if (replay) return spec;  // answers come from the store: no URL, no key

  spec.base_url = info->default_url;
  if (*info->url_env)
    if (auto v = env(info->url_env); v && !v->empty()) spec.base_url = *v;
  if (!base_url_setting.empty()) spec.base_url = base_url_setting;
  if (spec.base_url.rfind("http://", 0) != 0 && spec.base_url.rfind("https://", 0) != 0)
    return fail(ErrorKind::invalid_input, "LLM base URL '" + spec.base_url +
                                              "' must start with http:// or https:// (check --llm-base-url, "
                                              "llm_base_url or " + std::string(*info->url_env ? info->url_env : "the default") + ")");
  if (*info->key_env) {
    auto key = env(info->key_env);
    if (!key || key->empty())
      return fail(ErrorKind::invalid_input, std::string(info->key_env) + " is not set: export it with your " +
                                                info->name + " API key to use model '" + std::string(text) + "'");
    spec.key_env = info->key_env;
    spec.api_key = *key;
    log::register_secret(spec.api_key);
  }
  return spec;
}

}  // namespace shoal::llm
