// LLM calls: one row per call to a model (or per answer served from the response cache),
// with the request (never an API key), the response, tokens, cost, latency and status.
// The response cache looks calls up by request hash; budgets sum cost per run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace shoal::store {

struct LlmCall {
  int64_t id = 0;
  std::string run_id, idea_id, stage;  // "" when the call belongs to no run / idea / stage
  std::string provider, model;
  std::string request_hash;
  std::string request_json;   // the provider's request body, without keys
  std::string response_json;  // the provider's response body ("" when none)
  std::string status = "ok";  // ok, error, cached
  std::string error;
  int64_t tokens_in = 0, tokens_out = 0, tokens_cached = 0;
  double cost_usd = 0;
  int64_t latency_ms = 0;
  int64_t created_ms = 0;
  bool truncated = false;  // the reply stopped at the token limit
  std::string rejected;    // why a stage could not use the reply ("" = not rejected)
};

// Inserts `call` and adds its cost to its run (when it has one) in one transaction;
// returns the new row's id. created_ms is set here when zero.
Expected<int64_t> record_llm_call(Store& store, const LlmCall& call);

// The newest successful call ('ok' or 'cached', with a response, not rejected) with this request hash.
Expected<std::optional<LlmCall>> find_cached_llm_call(Store& store, const std::string& request_hash);

// Sum of cost_usd and of tokens (in + out) over the run's calls.
struct LlmSpend {
  double cost_usd = 0;
  int64_t tokens = 0;
  int64_t calls = 0;
};
Expected<LlmSpend> llm_spend_of_run(Store& store, const std::string& run_id);

// The same sums over the calls one stage of one idea made ("" idea = a run-level stage).
Expected<LlmSpend> llm_spend_of_stage(Store& store, const std::string& run_id, const std::string& idea_id,
                                      const std::string& stage);

// Marks call `id`, and every row holding the same answer to the same request (the response
// cache's copies), as rejected for `reason`, so the cache never serves that answer again.
// ErrorKind::not_found when there is no such call.
Status reject_llm_call(Store& store, int64_t id, const std::string& reason);

// Input tokens of a run's paid calls ('ok') and how many of them the provider's prompt
// cache served.
struct PromptCacheShare {
  int64_t tokens_in = 0;
  int64_t tokens_cached = 0;
  double share() const { return tokens_in > 0 ? static_cast<double>(tokens_cached) / static_cast<double>(tokens_in) : 0; }
};
Expected<PromptCacheShare> prompt_cache_share(Store& store, const std::string& run_id);

// The run's calls, oldest first ("" = calls with no run).
Expected<std::vector<LlmCall>> list_llm_calls(Store& store, const std::string& run_id);

}  // namespace shoal::store
