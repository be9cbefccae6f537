// The LLM client every stage talks to. It owns the model string's backend (an HTTP provider,
// replay from the store, or a caller-supplied function), the model's row of the model table
// (requests are shaped by it), the keys (from the environment only, never stored), a
// per-provider concurrency cap, token buckets for requests and tokens per minute, retries of
// transient faults with backoff for up to llm_patience_s, streaming with an idle timeout, the
// handling of replies cut at the token limit, the response cache (rejected replies excluded),
// the budget, and the llm_calls record of every call.
//
// Calls are asynchronous: submit() returns at once and calls back on the client's loop
// thread (do not block there; post to your own executor, see asio_call.hpp). complete() is
// the blocking form for the CLI and tests; never call it from a callback.
#pragma once

#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "llm/budget.hpp"
#include "llm/faults.hpp"
#include "llm/model_spec.hpp"
#include "llm/models.hpp"
#include "llm/types.hpp"
#include "core/config.hpp"
#include "core/expected.hpp"

namespace shoal::llm {

// A caller-supplied model (model string "function[:NAME]"): gets one sample's request (n = 1),
// returns texts[0] and, if it knows them, tokens and cost.
using FunctionModel = std::function<Expected<Response>(const Request&)>;

struct ClientOptions {
  std::string model;                     // a model string (model_spec.hpp)
  std::string base_url;                  // --llm-base-url / llm_base_url; "" = env or official default
  std::filesystem::path db_path;         // the store (must exist); "" = no record, no response cache
  std::string run_id;                    // calls are recorded against this run; its earlier spend counts
  std::optional<double> budget_usd;      // per-run dollar cap (none = no cap)
  std::optional<int64_t> budget_tokens;  // per-run token cap (none = no cap)
  std::filesystem::path prices_file;     // user price table merged over the built-in one; "" = none
  int concurrency = 16;                  // calls in flight at once
  double requests_per_minute = 0;        // 0 = no limit
  double tokens_per_minute = 0;          // 0 = no limit
  double timeout_s = 3600;               // one whole HTTP attempt (0 = no limit); the idle timeout usually ends it first
  double idle_timeout_s = 120;           // no byte from the provider for this long ends an attempt (0 = no limit)
  double connect_timeout_s = 10;
  RetryPolicy retry;                     // retry.patience_s: how long one call keeps retrying transient faults
  bool stream = true;                    // server-sent events for HTTP providers
  std::string reasoning_effort;          // reasoning_effort for models that take one ("" = provider default)
  int thinking_budget = 0;               // Anthropic extended thinking budget_tokens (0 = off)
  std::string replay_of;                 // for the bare model string "replay": whose answers, e.g. openai:gpt-4o
  FunctionModel function;                // for "function" models
  EnvLookup env;                         // environment lookup for keys and base URLs; default getenv
  bool fresh = false;                    // every call bypasses the response cache (--fresh); answers are still recorded
  // A budget shared with other clients (several models of one run spend one budget): when set,
  // budget_usd, budget_tokens and the run's earlier spend are its own, not read again here.
  std::shared_ptr<Budget> shared_budget;
};

// The options the config table gives: model, llm_base_url, budget_usd, budget_tokens,
// llm_concurrency, llm_rpm, llm_tpm, llm_timeout_s, llm_idle_timeout_s, llm_max_retries,
// llm_patience_s, llm_reasoning_effort, llm_thinking_budget and llm_prices_file (relative to
// the home; default <home>/prices.json when that file exists).
ClientOptions client_options(const Config& config);

// The user's model/price table file the config names (llm_prices_file relative to the home, or
// <home>/prices.json when it exists); "" for none.
std::filesystem::path client_prices_file(const Config& config);

// What the client does with a reply cut at the token limit.
enum class OnCut {
  extend,  // ask again with a larger limit (up to the model's output maximum), then ask the
           // model to go on and join the parts; only a reply still cut is reported truncated
  report,  // hand it back as it is, flagged truncated
};

struct CallOptions {
  std::string stage;    // recorded, and named in replay misses
  std::string idea_id;  // recorded
  bool fresh = false;     // bypass the response cache for this call (stored answers stay; this one is recorded)
  bool no_cache = false;  // the older name of `fresh`
  OnCut on_cut = OnCut::extend;
  std::optional<double> patience_s;  // how long this call retries transient faults (none: llm_patience_s)
};

class Client {
 public:
  using Callback = std::function<void(Expected<Response>)>;

  // Checks everything that can be checked before any spend: the model string, the key, the
  // base URL's form, the price table and the model's price, the store. Starts the loop thread.
  static Expected<std::unique_ptr<Client>> create(ClientOptions options);
  ~Client();  // calls still running are called back as cancelled

  // Starts a call for request.n samples; `done` runs once, on the loop thread.
  void submit(Request request, CallOptions options, Callback done);
  std::future<Expected<Response>> submit(Request request, CallOptions options = {});
  Expected<Response> complete(Request request, CallOptions options = {});

  // Marks the reply of llm_calls row `call_id` as unusable for `reason`: the response cache
  // never serves it again (a new call is made). No-op without a store.
  Status reject(int64_t call_id, const std::string& reason);
  // The same for every row a response came from (Response::call_ids).
  Status reject(const Response& response, const std::string& reason);

  const ModelSpec& model() const;
  const ModelInfo& model_info() const;  // the model's row of the model table (or what was assumed)
  // The client's budget, to share with another client (ClientOptions::shared_budget).
  std::shared_ptr<Budget> budget() const;
  Spend spent() const;     // recorded: the run's earlier calls plus this client's (and those sharing its budget)
  Spend reserved() const;  // worst cases of calls in flight
  int64_t peak_in_flight() const;  // most HTTP transfers at once

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoal::llm
