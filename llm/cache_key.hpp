// The response cache's key: SHA-256 of the canonical JSON of everything that decides an
// answer (provider, model, system prompt, messages, sampling parameters, sample index).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "llm/types.hpp"

namespace shoal::llm {

// Provider-neutral JSON of a request (keys sorted, so equal requests dump equal text).
// `n` is the samples one provider call asks for (OpenAI's n; 1 elsewhere).
nlohmann::json canonical_request(const std::string& provider, const std::string& model, const Request& request,
                                 int n, int sample_index);

// Lower-case hex SHA-256 of canonical_request(...).dump().
std::string request_hash(const std::string& provider, const std::string& model, const Request& request, int n,
                         int sample_index);

}  // namespace shoal::llm
