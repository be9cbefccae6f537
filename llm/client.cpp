#include "llm/client.hpp"

#include <deque>
#include <mutex>
#include <random>
#include <set>

#include "llm/cache_key.hpp"
#include "llm/http_transport.hpp"
#include "llm/prices.hpp"
#include "llm/prompts.hpp"
#include "llm/rate_limit.hpp"
#include "llm/sse.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "store/llm_calls.hpp"

namespace shoal::llm {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// One submit(): request.n samples, answered by one or several provider calls.
struct Job {
  Request request;
  CallOptions options;
  Client::Callback done;
  std::vector<std::optional<Expected<Response>>> parts;
  size_t pending = 0;
};

// One provider call (or one answer from the response cache).
struct Call {
  std::shared_ptr<Job> job;
  size_t part = 0;    // index in job->parts
  int n = 1;          // samples this call asks for
  int sample = 0;     // sample index (part of the cache key)
  std::string hash;
  std::string body;   // request JSON as recorded: the non-streamed form (no keys: they go in headers)
  std::string wire;   // request JSON as sent (with the stream fields when streaming)
  Spend worst_case;   // reserved against the budget while it runs
  int64_t est_tokens = 0;
  int attempt = 0;
  Clock::time_point started;  // the first attempt (the patience counts from it)
};

// Logs `text` as a warning once per process (model assumptions, images left out).
void warn_once(const std::string& text) {
  static std::mutex mutex;
  static std::set<std::string> said;
  std::lock_guard lock(mutex);
  if (said.insert(text).second) log::warn("llm", text);
}

// Room a reasoning model gets for its hidden reasoning on top of the reply's own limit, by effort.
int reasoning_headroom(const std::string& effort) {
  if (effort == "minimal") return 1024;
  if (effort == "low") return 2048;
  if (effort == "high") return 8192;
  return 4096;  // medium, the providers' default
}

// `r` with its image parts left out (a text note in a message that had only images).
Request without_images(Request r) {
  for (auto& m : r.messages) {
    std::vector<ContentPart> kept;
    for (auto& p : m.parts)
      if (p.kind == ContentPart::Kind::text) kept.push_back(std::move(p));
    if (kept.empty()) kept.push_back(ContentPart::from_text("(an image was left out: this model takes no images)"));
    m.parts = std::move(kept);
  }
  return r;
}

bool has_images(const Request& r) {
  for (const auto& m : r.messages)
    for (const auto& p : m.parts)
      if (p.kind == ContentPart::Kind::image) return true;
  return false;
}

// `text` without trailing blanks (Anthropic refuses a final assistant message ending in one).
std::string rtrimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

// Rough token count of a request's input: 4 characters a token, 1000 tokens an image.
int64_t estimate_input_tokens(const Request& r) {
  size_t chars = r.system.size();
  int64_t images = 0;
  for (const auto& m : r.messages)
    for (const auto& p : m.parts) {
      chars += p.text.size();
      if (p.kind == ContentPart::Kind::image) ++images;
    }
  return static_cast<int64_t>(chars / 4) + 1000 * images + 1;
}

// The stored form of a function model's answer (what the cache reads back).
json function_reply_json(const Response& r) {
  return {{"texts", r.texts},
          {"usage", {{"input", r.tokens_in}, {"output", r.tokens_out}, {"cached_read", r.tokens_cached_read}}}};
}

Expected<Reply> function_reply_from_json(const std::string& text) {
  SHOAL_TRY(doc, parse_json_body(text, "the function model's stored answer"));
  Reply reply;
  if (!doc.contains("texts") || !doc["texts"].is_array()) return fail(ErrorKind::corrupt, "stored function answer has no texts");
  for (const auto& t : doc["texts"]) reply.texts.push_back(t.is_string() ? t.get<std::string>() : t.dump());
  json usage = doc.value("usage", json::object());
  reply.usage.input = usage.value("input", int64_t{0});
  reply.usage.output = usage.value("output", int64_t{0});
  reply.usage.cached_read = usage.value("cached_read", int64_t{0});
  return reply;
}

Status check_request(const Request& r) {
  if (r.messages.empty()) return fail(ErrorKind::invalid_input, "an LLM request needs at least one message");
  if (r.n < 1) return fail(ErrorKind::invalid_input, "an LLM request needs n >= 1 samples");
  for (const auto& m : r.messages) {
    if (m.role != "user" && m.role != "assistant")
      return fail(ErrorKind::invalid_input, "message role '" + m.role + "' must be user or assistant (the system prompt is separate)");
    if (m.parts.empty()) return fail(ErrorKind::invalid_input, "an LLM message has no content");
  }
  return {};
}

}  // namespace

struct Client::Impl {
  ClientOptions opts;
  ModelSpec spec;
  ModelInfo info;
  std::unique_ptr<Provider> provider;
  Price price;
  nlohmann::json settings = nlohmann::json::object();  // answer-changing settings, for the cache key
  bool reached = false;  // some HTTP answer came from the server (loop thread)
  std::optional<store::Store> store;
  std::shared_ptr<Budget> budget;
  RateLimiter limiter;
  std::mt19937_64 rng{std::random_device{}()};
  // Loop-thread state.
  int in_flight = 0;
  std::deque<std::shared_ptr<Call>> waiting;
  HttpTransport transport;  // last: its thread runs the code below

  Impl(ClientOptions o) : opts(std::move(o)), limiter(opts.requests_per_minute, opts.tokens_per_minute) {}

  std::string name() const { return spec.id(); }
  void submit_job(Request request, CallOptions options, Client::Callback done);
  Client::Callback extending(Request request, CallOptions options, Client::Callback done, int round, Response sofar);
  Request shaped(Request request) const;
  void start_job(const std::shared_ptr<Job>& job);
  void start_call(const std::shared_ptr<Call>& call);
  bool answer_from_cache(const std::shared_ptr<Call>& call);
  void admit();
  void begin(const std::shared_ptr<Call>& call);
  void attempt(const std::shared_ptr<Call>& call);
  void attempt_function(const std::shared_ptr<Call>& call);
  void on_result(const std::shared_ptr<Call>& call, HttpResult result);
  void retry_or_fail(const std::shared_ptr<Call>& call, Fault fault, const std::string& body);
  void succeed(const std::shared_ptr<Call>& call, const Reply& reply, const std::string& response_json, int64_t latency_ms);
  void release(const std::shared_ptr<Call>& call, const Spend& actual);
  int64_t record(const std::shared_ptr<Call>& call, store::LlmCall row);
  void finish(const std::shared_ptr<Call>& call, Expected<Response> result);
};

ClientOptions client_options(const Config& config) {
  ClientOptions o;
  o.model = config.get("model");
  o.base_url = config.get("llm_base_url");
  std::filesystem::path home = config.get("home");
  o.db_path = store::db_path(home);
  o.budget_usd = config.get_double("budget_usd");
  if (int64_t tokens = config.get_int("budget_tokens"); tokens > 0) o.budget_tokens = tokens;
  o.concurrency = static_cast<int>(config.get_int("llm_concurrency"));
  o.requests_per_minute = config.get_double("llm_rpm");
  o.tokens_per_minute = config.get_double("llm_tpm");
  o.timeout_s = config.get_double("llm_timeout_s");
  o.idle_timeout_s = config.get_double("llm_idle_timeout_s");
  o.retry.max_retries = static_cast<int>(config.get_int("llm_max_retries"));
  o.retry.patience_s = config.get_double("llm_patience_s");
  std::string effort = config.get("llm_reasoning_effort");
  o.reasoning_effort = effort == "default" ? "" : effort;
  o.thinking_budget = static_cast<int>(config.get_int("llm_thinking_budget"));
  o.prices_file = client_prices_file(config);
  return o;
}

std::filesystem::path client_prices_file(const Config& config) {
  std::filesystem::path home = config.get("home");
  std::string prices = config.get("llm_prices_file");
  std::error_code ec;
  if (!prices.empty()) return std::filesystem::path(prices).is_absolute() ? std::filesystem::path(prices) : home / prices;
  if (std::filesystem::exists(home / "prices.json", ec)) return home / "prices.json";
  return {};
}

Expected<std::unique_ptr<Client>> Client::create(ClientOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  ClientOptions& o = impl->opts;
  SHOAL_TRY(spec, parse_model(o.model, o.base_url, o.env));
  if (spec.backend == Backend::replay && spec.provider.empty()) {
    if (o.replay_of.empty())
      return fail(ErrorKind::invalid_input,
                  "model 'replay' needs the model whose answers to replay: use replay:PROVIDER:MODEL, e.g. replay:openai:gpt-4o");
    SHOAL_TRY(inner, parse_model("replay:" + o.replay_of, "", o.env));
    spec = inner;
  }
  if (spec.backend == Backend::function && !o.function)
    return fail(ErrorKind::invalid_input, "model '" + o.model + "' needs a function to call (the Python bindings supply one)");
  if (spec.backend == Backend::replay && o.db_path.empty())
    return fail(ErrorKind::invalid_input, "replay answers from the store, but no database was given");
  if (o.concurrency < 1) return fail(ErrorKind::invalid_input, "llm_concurrency must be at least 1");
  impl->spec = spec;
  impl->provider = make_provider(spec.protocol);
  SHOAL_TRY(table, ModelTable::load(o.prices_file));
  impl->info = table.find(spec.provider, spec.model, spec.protocol);
  impl->price = impl->info.price;
  if (spec.backend == Backend::http)
    if (std::string assumed = assumed_about(spec.id(), impl->info); !assumed.empty()) warn_once(assumed);
  Wire& wire = impl->info.wire;
  wire.stream = o.stream && spec.backend == Backend::http;
  if (wire.reasoning == Reasoning::effort && !o.reasoning_effort.empty()) {
    const auto& efforts = impl->info.efforts;
    if (efforts.empty() || std::find(efforts.begin(), efforts.end(), o.reasoning_effort) != efforts.end()) {
      wire.effort = o.reasoning_effort;
      impl->settings["effort"] = wire.effort;
    } else {
      warn_once("model " + spec.id() + " takes no reasoning effort '" + o.reasoning_effort +
                "' (llm_reasoning_effort): the provider's default is used");
    }
  }
  if (wire.reasoning == Reasoning::thinking && o.thinking_budget > 0) {
    wire.thinking_budget = std::max(1024, o.thinking_budget);  // Anthropic's smallest budget
    impl->settings["thinking"] = wire.thinking_budget;
  }
  Spend earlier;
  if (!o.db_path.empty()) {
    SHOAL_TRY(db, store::Store::open(o.db_path, store::OpenMode::existing));
    impl->store.emplace(std::move(db));
    if (!o.run_id.empty() && !o.shared_budget) {
      SHOAL_TRY(spend, store::llm_spend_of_run(*impl->store, o.run_id));
      earlier = {spend.cost_usd, spend.tokens};
    }
  }
  impl->budget = o.shared_budget ? o.shared_budget : std::make_shared<Budget>(o.budget_usd, o.budget_tokens, earlier);
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() { impl_->transport.stop(); }

const ModelSpec& Client::model() const { return impl_->spec; }
const ModelInfo& Client::model_info() const { return impl_->info; }

Status Client::reject(int64_t call_id, const std::string& reason) {
  if (!impl_->store || call_id <= 0) return {};
  return store::reject_llm_call(*impl_->store, call_id, reason);
}

Status Client::reject(const Response& response, const std::string& reason) {
  for (int64_t id : response.call_ids) SHOAL_CHECK(reject(id, reason));
  return {};
}
std::shared_ptr<Budget> Client::budget() const { return impl_->budget; }
Spend Client::spent() const { return impl_->budget->recorded(); }
Spend Client::reserved() const { return impl_->budget->reserved(); }
int64_t Client::peak_in_flight() const { return impl_->transport.peak_in_flight(); }

void Client::submit(Request request, CallOptions options, Callback done) {
  if (auto st = check_request(request); !st.ok()) {
    done(st.error());
    return;
  }
  if (options.on_cut == OnCut::extend && request.n == 1 && impl_->spec.backend == Backend::http)
    done = impl_->extending(request, options, std::move(done), 0, Response{});
  impl_->submit_job(std::move(request), std::move(options), std::move(done));
}

// Queues one job on the loop thread.
void Client::Impl::submit_job(Request request, CallOptions options, Client::Callback done) {
  auto job = std::make_shared<Job>();
  job->request = std::move(request);
  job->options = std::move(options);
  job->done = std::move(done);
  transport.post([this, job](bool cancelled) {
    if (cancelled) job->done(fail(ErrorKind::cancelled, "the LLM client shut down before the call started"));
    else start_job(job);
  });
}

// Adds the costs of `part` to `total` (the calls of one reply made whole).
void add_spend(Response& total, const Response& part) {
  total.tokens_in += part.tokens_in;
  total.tokens_out += part.tokens_out;
  total.tokens_cached_read += part.tokens_cached_read;
  total.tokens_cache_write += part.tokens_cache_write;
  total.cost_usd += part.cost_usd;
  total.latency_ms += part.latency_ms;
}

// A callback that makes a cut reply whole before `done` sees it: first the same request with
// a larger limit (times 4, up to the model's output maximum), then, at the maximum, the model
// asked to go on from where it stopped with the parts joined. At most 3 more calls; a reply
// still cut after them reaches `done` flagged truncated. `sofar` holds the earlier parts.
Client::Callback Client::Impl::extending(Request request, CallOptions options, Client::Callback done, int round,
                                         Response sofar) {
  return [this, request, options, done, round, sofar](Expected<Response> got) mutable {
    if (!got.ok()) return done(std::move(got));
    Response r = std::move(*got);
    bool joined = !sofar.texts.empty();
    Response total = r;
    if (joined) {
      total = sofar;
      add_spend(total, r);
      total.texts = {sofar.text() + r.text()};
      total.call_ids.insert(total.call_ids.end(), r.call_ids.begin(), r.call_ids.end());
      total.finish_reason = r.finish_reason;
      total.truncated = r.truncated;
      total.from_cache = sofar.from_cache && r.from_cache;
    } else if (round > 0) {
      add_spend(total, sofar);  // the costs of the cut replies this one replaces
      total.from_cache = sofar.from_cache && r.from_cache;
    }
    if (!r.truncated || round >= 3) return done(std::move(total));
    int cap = info.max_output > 0 ? info.max_output : 32768;
    Request next = request;
    Response carry = total;
    bool raising = request.max_tokens < cap && !joined;
    if (raising) {
      next.max_tokens = std::min<int64_t>(cap, int64_t{request.max_tokens} * 4);
      log::info("llm", name() + " cut its reply at " + std::to_string(request.max_tokens) + " tokens; asking again with " +
                           std::to_string(next.max_tokens));
      carry.texts.clear();  // the larger reply replaces the cut one
      carry.call_ids.clear();
    } else if (request.schema.is_null()) {
      log::info("llm", name() + " cut its reply at its output limit; asking it to go on");
      std::string text = total.text();
      bool prefill = spec.protocol == Protocol::anthropic && info.wire.thinking_budget == 0;
      if (prefill) {
        next.messages.push_back(Message::assistant(rtrimmed(text)));
        carry.texts = {rtrimmed(text)};
      } else {
        next.messages.push_back(Message::assistant(text));
        next.messages.push_back(Message::user(std::string(continue_prompt())));
      }
    } else {
      return done(std::move(total));  // a structured reply cut at the maximum: the caller decides
    }
    // A later continuation starts again from `request` with all the text so far.
    submit_job(next, options, extending(raising ? next : request, options, done, round + 1, carry));
  };
}

// The request as this model takes it: images left out for a text-only model, room for hidden
// reasoning, max_tokens clamped to the model's output limit.
Request Client::Impl::shaped(Request r) const {
  if (!info.images && has_images(r)) {
    warn_once("model " + name() + " takes no images (model table): images are left out of its requests");
    r = without_images(std::move(r));
  }
  int64_t limit = r.max_tokens;
  if (info.wire.reasoning == Reasoning::effort) limit += reasoning_headroom(info.wire.effort);
  if (info.wire.thinking_budget > 0) limit += info.wire.thinking_budget;
  if (info.max_output > 0 && limit > info.max_output) limit = info.max_output;
  if (info.wire.thinking_budget > 0) limit -= info.wire.thinking_budget;  // the body adds it back
  r.max_tokens = static_cast<int>(std::max<int64_t>(limit, 1));
  return r;
}

std::future<Expected<Response>> Client::submit(Request request, CallOptions options) {
  auto promise = std::make_shared<std::promise<Expected<Response>>>();
  auto future = promise->get_future();
  submit(std::move(request), std::move(options), [promise](Expected<Response> r) { promise->set_value(std::move(r)); });
  return future;
}

Expected<Response> Client::complete(Request request, CallOptions options) {
  return submit(std::move(request), std::move(options)).get();
}

// Splits a job into provider calls: one asking for n samples where the protocol has `n`,
// else one call per sample (each its own cache entry through the sample index).
void Client::Impl::start_job(const std::shared_ptr<Job>& job) {
  if (spec.backend == Backend::http) job->request = shaped(std::move(job->request));
  Wire wire = info.wire;
  // OpenAI routes requests with the same key to the same cache: key them by the stable system prompt.
  if (spec.provider == "openai" && !job->request.system.empty())
    wire.cache_key = "shoal-" + sha256_hex(job->request.system).substr(0, 16);
  int n = job->request.n;
  bool one_call = provider->supports_n() && spec.backend != Backend::function;
  size_t calls = one_call ? 1 : static_cast<size_t>(n);
  job->parts.resize(calls);
  job->pending = calls;
  int64_t input = estimate_input_tokens(job->request);
  for (size_t i = 0; i < calls; ++i) {
    auto call = std::make_shared<Call>();
    call->job = job;
    call->part = i;
    call->n = one_call ? n : 1;
    call->sample = one_call ? 0 : static_cast<int>(i);
    call->hash = request_hash(spec.provider, spec.model, job->request, call->n, call->sample, settings);
    if (spec.backend == Backend::function) {
      Request single = job->request;
      single.n = 1;
      call->body = canonical_request(spec.provider, spec.model, single, 1, call->sample).dump();
    } else {
      Wire plain = wire;
      plain.stream = false;
      call->body = provider->request_body(job->request, plain, call->n).dump();
      call->wire = wire.stream ? provider->request_body(job->request, wire, call->n).dump() : call->body;
    }
    int64_t output = static_cast<int64_t>(std::max(job->request.max_tokens, 1) + wire.thinking_budget) * call->n;
    call->est_tokens = input + output;
    call->worst_case = {cost_usd(price, Usage{input, output, 0, 0}), input + output};
    start_call(call);
  }
}

void Client::Impl::start_call(const std::shared_ptr<Call>& call) {
  const CallOptions& o = call->job->options;
  bool use_cache = store && (spec.backend == Backend::replay || !(o.no_cache || o.fresh || opts.fresh));
  if (use_cache && answer_from_cache(call)) return;
  if (spec.backend == Backend::replay) {
    const std::string& stage = call->job->options.stage;
    finish(call, fail(ErrorKind::not_found,
                      "replay of " + name() + ": no stored answer for " +
                          (stage.empty() ? std::string("this call") : "stage '" + stage + "'") + " (request " +
                          call->hash.substr(0, 12) + "); run it once with a real model, or change the model"));
    return;
  }
  waiting.push_back(call);
  admit();
}

// Looks the call up in the store; on a hit records a 'cached' row (cost 0) and answers.
bool Client::Impl::answer_from_cache(const std::shared_ptr<Call>& call) {
  auto found = store::find_cached_llm_call(*store, call->hash);
  if (!found.ok()) {
    log::warn("llm", "response cache lookup failed, calling the model: " + found.error().describe());
    return false;
  }
  if (!found->has_value()) return false;
  const store::LlmCall& hit = **found;
  auto reply = spec.backend == Backend::function ? function_reply_from_json(hit.response_json)
                                                  : provider->parse_reply(hit.response_json);
  if (!reply.ok()) {
    log::warn("llm", "stored answer " + std::to_string(hit.id) + " is unusable, calling the model: " + reply.error().message);
    return false;
  }
  store::LlmCall row;
  row.request_json = hit.request_json;
  row.response_json = hit.response_json;
  row.status = "cached";
  row.truncated = hit.truncated;
  int64_t id = record(call, std::move(row));
  Response r;
  if (id > 0) r.call_ids = {id};
  r.truncated = reply->truncated;
  r.texts = reply->texts;
  r.tokens_in = reply->usage.input;
  r.tokens_out = reply->usage.output;
  r.tokens_cached_read = reply->usage.cached_read;
  r.tokens_cache_write = reply->usage.cache_write;
  r.finish_reason = reply->finish_reason;
  r.from_cache = true;
  finish(call, std::move(r));
  return true;
}

// Starts waiting calls while the concurrency cap allows.
void Client::Impl::admit() {
  while (in_flight < opts.concurrency && !waiting.empty()) {
    auto call = waiting.front();
    waiting.pop_front();
    ++in_flight;
    begin(call);
  }
}

// Budget check, then the rate limiter's wait, then the first attempt.
void Client::Impl::begin(const std::shared_ptr<Call>& call) {
  const std::string& stage = call->job->options.stage;
  std::string what = "LLM call to " + name() + (stage.empty() ? "" : " for stage '" + stage + "'");
  if (auto st = budget->reserve(call->worst_case, what); !st.ok()) {
    --in_flight;
    finish(call, st.error());
    admit();
    return;
  }
  auto wait = limiter.acquire(static_cast<double>(call->est_tokens));
  call->started = Clock::now() + wait;
  transport.post_at(Clock::now() + wait, [this, call](bool cancelled) {
    if (cancelled) retry_or_fail(call, Fault{fail(ErrorKind::cancelled, "the LLM client shut down"), false, {}}, "");
    else attempt(call);
  });
}

void Client::Impl::attempt(const std::shared_ptr<Call>& call) {
  ++call->attempt;
  if (spec.backend == Backend::function) {
    attempt_function(call);
    return;
  }
  HttpRequest http;
  http.url = provider->endpoint(spec.base_url);
  http.headers = provider->headers(spec.api_key);
  http.body = call->wire;
  http.connect_timeout_ms = static_cast<int64_t>(opts.connect_timeout_s * 1000);
  http.timeout_ms = static_cast<int64_t>(opts.timeout_s * 1000);
  http.idle_timeout_ms = static_cast<int64_t>(opts.idle_timeout_s * 1000);
  transport.send(std::move(http), [this, call](HttpResult result) { on_result(call, std::move(result)); });
}

// Runs the caller's function on the loop thread; its errors are final (it retries itself).
void Client::Impl::attempt_function(const std::shared_ptr<Call>& call) {
  Request single = call->job->request;
  single.n = 1;
  Stopwatch clock;
  Expected<Response> answer = fail(ErrorKind::internal, "the function model threw");
  try {
    answer = opts.function(single);
  } catch (const std::exception& e) {
    answer = fail(ErrorKind::remote, std::string("the function model threw: ") + e.what());
  }
  if (answer.ok() && answer->texts.empty()) answer = fail(ErrorKind::remote, "the function model returned no text");
  if (!answer.ok()) {
    retry_or_fail(call, Fault{answer.error(), false, {}}, "");
    return;
  }
  Reply reply;
  reply.texts = {answer->texts[0]};
  reply.usage = {answer->tokens_in, answer->tokens_out, answer->tokens_cached_read, answer->tokens_cache_write};
  Response stored = *answer;
  stored.texts = reply.texts;
  succeed(call, reply, function_reply_json(stored).dump(), static_cast<int64_t>(clock.seconds() * 1000));
}

void Client::Impl::on_result(const std::shared_ptr<Call>& call, HttpResult result) {
  std::string url = provider->endpoint(spec.base_url);
  if (result.net_error == NetError::none) reached = true;
  if (result.net_error != NetError::none || result.status < 200 || result.status >= 300) {
    Fault fault = classify_failure(result, *provider, name(), url, spec.key_env);
    // A server never reached is more likely a wrong base URL than an outage: one retry, then say so.
    if (result.net_error == NetError::connect && !reached) {
      fault.retryable = call->attempt < 2;
      fault.error.transient = false;
    }
    retry_or_fail(call, std::move(fault), result.body);
    return;
  }
  std::string body = std::move(result.body);
  if (looks_like_sse(body)) {
    auto whole = provider->assemble_stream(body);
    if (!whole.ok()) {
      Error e = whole.error();
      bool again = e.transient || e.message.find("retried") != std::string::npos;
      e.transient = again;
      retry_or_fail(call, Fault{e, again, {}}, body);
      return;
    }
    body = std::move(*whole);  // stored as the non-streamed response, so the cache reads it alike
  }
  auto reply = provider->parse_reply(body);
  if (!reply.ok()) {
    Error e = reply.error();
    e.transient = true;
    retry_or_fail(call, Fault{e, true, {}}, body);
    return;
  }
  succeed(call, *reply, body, result.elapsed_ms);
}

// Schedules another attempt when the fault allows one and attempts remain; else records the failure.
void Client::Impl::retry_or_fail(const std::shared_ptr<Call>& call, Fault fault, const std::string& body) {
  int retries_done = call->attempt - 1;
  double waited = std::chrono::duration<double>(Clock::now() - call->started).count();
  double left = call->job->options.patience_s.value_or(opts.retry.patience_s) - waited;
  bool out_of_patience = fault.retryable && left <= 0.05;
  if (fault.retryable && retries_done < opts.retry.max_retries && !out_of_patience) {
    auto delay = retry_delay(opts.retry, retries_done, fault.retry_after_s, rng);
    delay = std::max(delay, limiter.acquire(static_cast<double>(call->est_tokens)));
    // The last wait ends at the patience: one more attempt there, then the call gives up.
    if (static_cast<double>(delay.count()) / 1000.0 > left) delay = std::chrono::milliseconds(static_cast<int64_t>(left * 1000));
    log::warn("llm", fault.error.message + "; retry " + std::to_string(retries_done + 1) + " in " +
                         std::to_string(delay.count()) + " ms");
    transport.post_at(Clock::now() + delay, [this, call](bool cancelled) {
      if (cancelled) retry_or_fail(call, Fault{fail(ErrorKind::cancelled, "the LLM client shut down"), false, {}}, "");
      else attempt(call);
    });
    return;
  }
  Error error = fault.error;
  if (fault.retryable && call->attempt > 1) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.0f", waited);
    error.message += " (gave up after " + std::to_string(call->attempt) + " attempts in " + secs + " s" +
                     (out_of_patience ? ": the patience, llm_patience_s, ran out; the failure is transient" : "") + ")";
  }
  if (error.kind != ErrorKind::cancelled && call->attempt > 0) {
    store::LlmCall row;
    row.request_json = call->body;
    row.response_json = body.substr(0, 100000);
    row.status = "error";
    row.error = error.describe();
    record(call, std::move(row));
  }
  release(call, {});
  finish(call, std::move(error));
}

void Client::Impl::succeed(const std::shared_ptr<Call>& call, const Reply& reply, const std::string& response_json,
                           int64_t latency_ms) {
  Response r;
  r.texts = reply.texts;
  r.tokens_in = reply.usage.input;
  r.tokens_out = reply.usage.output;
  r.tokens_cached_read = reply.usage.cached_read;
  r.tokens_cache_write = reply.usage.cache_write;
  r.cost_usd = cost_usd(price, reply.usage);
  r.latency_ms = latency_ms;
  r.finish_reason = reply.finish_reason;
  r.truncated = reply.truncated;
  store::LlmCall row;
  row.request_json = call->body;
  row.response_json = response_json;
  row.status = "ok";
  row.truncated = reply.truncated;
  row.tokens_in = r.tokens_in;
  row.tokens_out = r.tokens_out;
  row.tokens_cached = r.tokens_cached_read;
  row.cost_usd = r.cost_usd;
  row.latency_ms = latency_ms;
  if (int64_t id = record(call, std::move(row)); id > 0) r.call_ids = {id};
  release(call, {r.cost_usd, r.tokens_in + r.tokens_out});
  finish(call, std::move(r));
}

// Ends the call's budget reservation and frees its concurrency slot.
void Client::Impl::release(const std::shared_ptr<Call>& call, const Spend& actual) {
  budget->settle(call->worst_case, actual);
  --in_flight;
  admit();
}

// Records `row` for `call`; its id, or 0 without a store or when recording failed.
int64_t Client::Impl::record(const std::shared_ptr<Call>& call, store::LlmCall row) {
  if (!store) return 0;
  row.run_id = opts.run_id;
  row.idea_id = call->job->options.idea_id;
  row.stage = call->job->options.stage;
  row.provider = spec.provider;
  row.model = spec.model;
  row.request_hash = call->hash;
  auto id = store::record_llm_call(*store, row);
  if (!id.ok()) {
    log::error("llm", "could not record an LLM call in the store: " + id.error().describe());
    return 0;
  }
  return *id;
}

// Files one call's outcome into its job; the job's callback runs when its last call ends.
void Client::Impl::finish(const std::shared_ptr<Call>& call, Expected<Response> result) {
  auto job = call->job;
  job->parts[call->part] = std::move(result);
  if (--job->pending > 0) return;
  Response total;
  total.from_cache = true;
  for (auto& part : job->parts) {
    if (!part->ok()) {
      job->done(part->error());
      return;
    }
    const Response& r = part->value();
    total.texts.insert(total.texts.end(), r.texts.begin(), r.texts.end());
    total.tokens_in += r.tokens_in;
    total.tokens_out += r.tokens_out;
    total.tokens_cached_read += r.tokens_cached_read;
    total.tokens_cache_write += r.tokens_cache_write;
    total.cost_usd += r.cost_usd;
    total.latency_ms = std::max(total.latency_ms, r.latency_ms);
    total.from_cache = total.from_cache && r.from_cache;
    total.truncated = total.truncated || r.truncated;
    total.call_ids.insert(total.call_ids.end(), r.call_ids.begin(), r.call_ids.end());
    if (total.finish_reason.empty()) total.finish_reason = r.finish_reason;
  }
  job->done(std::move(total));
}

}  // namespace shoal::llm
