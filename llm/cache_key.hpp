// The response cache's key: SHA-256 of the canonical JSON of everything that decides an
// answer (provider, model, system prompt, messages, sampling parameters, sample index).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "llm/types.hpp"

namespace shoal::llm {

// Provider-neutral JSON of a request (keys sorted, so equal requests dump equal text).
// `n` is the samples one provider call asks for (OpenAI's n; 1 elsewhere). `settings` holds the
// client's settings that change answers (reasoning effort, thinking budget); empty = none.
nlohmann::json canonical_request(const std::string& provider, const std::string& model, const Request& request,
                                 int n, int sample_index, const nlohmann::json& settings = nlohmann::json::object());

// Lower-case hex SHA-256 of canonical_request(...).dump().
std::string request_hash(const std::string& provider, const std::string& model, const Request& request, int n,
                         int sample_index, const nlohmann::json& settings = nlohmann::json::object());

}  // namespace shoal::llm
