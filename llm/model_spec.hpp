// Model strings: which backend answers, over which protocol, at which URL, with which key.
//   openai:gpt-4o                 OpenAI protocol, key OPENAI_API_KEY
//   anthropic:claude-sonnet-4-5   Anthropic protocol, key ANTHROPIC_API_KEY
//   ollama:llama3.1               OpenAI protocol at http://localhost:11434/v1, no key
//   replay:openai:gpt-4o          answers only from the response cache of that model
//   replay                        the same, for the model named by the caller (ClientOptions::replay_of)
//   function[:NAME]               a caller-supplied function (the Python bindings plug in here)
// `offline` is not an LLM (the baseline agent runs without one) and is refused here.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "llm/provider.hpp"
#include "core/expected.hpp"

namespace shoal::llm {

enum class Backend { http, replay, function };

struct ModelSpec {
  Backend backend = Backend::http;
  std::string provider;  // openai, anthropic, ollama; function for Backend::function; "" for bare replay
  Protocol protocol = Protocol::openai;
  std::string model;     // the provider's model name
  std::string base_url;  // for Backend::http
  std::string key_env;   // the environment variable the key came from ("" = no key)
  std::string api_key;   // from the environment only; never stored, registered as a log secret

  // "provider:model" (the form prices and the response cache use).
  std::string id() const { return provider + ":" + model; }
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Parses `text`. Base URL precedence: `base_url_setting` (--llm-base-url or llm_base_url) >
// OPENAI_BASE_URL / ANTHROPIC_BASE_URL > the official default. A missing key, an unknown
// provider, an empty model and `offline` are ErrorKind::invalid_input naming what to do.
// `env` defaults to getenv.
Expected<ModelSpec> parse_model(std::string_view text, const std::string& base_url_setting = "",
                                const EnvLookup& env = {});

}  // namespace shoal::llm
