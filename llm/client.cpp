#include "llm/client.hpp"

#include <deque>
#include <random>

#include "llm/cache_key.hpp"
#include "llm/http_transport.hpp"
#include "llm/prices.hpp"
#include "llm/rate_limit.hpp"
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
  std::string body;   // request JSON as sent and recorded (no keys: they go in headers)
  Spend worst_case;   // reserved against the budget while it runs
  int64_t est_tokens = 0;
  int attempt = 0;
};

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
  std::unique_ptr<Provider> provider;
  Price price;
  std::optional<store::Store> store;
  std::unique_ptr<Budget> budget;
  RateLimiter limiter;
  std::mt19937_64 rng{std::random_device{}()};
  // Loop-thread state.
  int in_flight = 0;
  std::deque<std::shared_ptr<Call>> waiting;
  HttpTransport transport;  // last: its thread runs the code below

  Impl(ClientOptions o) : opts(std::move(o)), limiter(opts.requests_per_minute, opts.tokens_per_minute) {}

  std::string name() const { return spec.id(); }
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
  void record(const std::shared_ptr<Call>& call, store::LlmCall row);
  void finish(const std::shared_ptr<Call>& call, Expected<Response> result);
};

ClientOptions client_options(const Config& config) {
  ClientOptions o;
  o.model = config.get("model");
  o.base_url = config.get("llm_base_url");
  std::filesystem::path home = config.get("home");
  o.db_path = home / "shoal.db";
  o.budget_usd = config.get_double("budget_usd");
  if (int64_t tokens = config.get_int("budget_tokens"); tokens > 0) o.budget_tokens = tokens;
  o.concurrency = static_cast<int>(config.get_int("llm_concurrency"));
  o.requests_per_minute = config.get_double("llm_rpm");
  o.tokens_per_minute = config.get_double("llm_tpm");
  o.timeout_s = config.get_double("llm_timeout_s");
  o.retry.max_retries = static_cast<int>(config.get_int("llm_max_retries"));
  std::string prices = config.get("llm_prices_file");
  std::error_code ec;
  if (!prices.empty()) o.prices_file = std::filesystem::path(prices).is_absolute() ? std::filesystem::path(prices) : home / prices;
  else if (std::filesystem::exists(home / "prices.json", ec)) o.prices_file = home / "prices.json";
  return o;
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
  SHOAL_TRY(prices, PriceTable::load(o.prices_file));
  if (spec.backend != Backend::replay) {
    SHOAL_TRY(price, prices.find(spec.provider, spec.model));
    impl->price = price;
  }
  Spend earlier;
  if (!o.db_path.empty()) {
    SHOAL_TRY(db, store::Store::open(o.db_path, store::OpenMode::existing));
    impl->store.emplace(std::move(db));
    if (!o.run_id.empty()) {
      SHOAL_TRY(spend, store::llm_spend_of_run(*impl->store, o.run_id));
      earlier = {spend.cost_usd, spend.tokens};
    }
  }
  impl->budget = std::make_unique<Budget>(o.budget_usd, o.budget_tokens, earlier);
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() { impl_->transport.stop(); }

const ModelSpec& Client::model() const { return impl_->spec; }
Spend Client::spent() const { return impl_->budget->recorded(); }
Spend Client::reserved() const { return impl_->budget->reserved(); }
int64_t Client::peak_in_flight() const { return impl_->transport.peak_in_flight(); }

void Client::submit(Request request, CallOptions options, Callback done) {
  if (auto st = check_request(request); !st.ok()) {
    done(st.error());
    return;
  }
  auto job = std::make_shared<Job>();
  job->request = std::move(request);
  job->options = std::move(options);
  job->done = std::move(done);
  Impl* impl = impl_.get();
  impl->transport.post([impl, job](bool cancelled) {
    if (cancelled) job->done(fail(ErrorKind::cancelled, "the LLM client shut down before the call started"));
    else impl->start_job(job);
  });
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
    call->hash = request_hash(spec.provider, spec.model, job->request, call->n, call->sample);
    if (spec.backend == Backend::function) {
      Request single = job->request;
      single.n = 1;
      call->body = canonical_request(spec.provider, spec.model, single, 1, call->sample).dump();
    } else {
      call->body = provider->request_body(job->request, spec.model, call->n).dump();
    }
    int64_t output = static_cast<int64_t>(std::max(job->request.max_tokens, 1)) * call->n;
    call->est_tokens = input + output;
    call->worst_case = {cost_usd(price, Usage{input, output, 0, 0}), input + output};
    start_call(call);
  }
}

void Client::Impl::start_call(const std::shared_ptr<Call>& call) {
  bool use_cache = store && (spec.backend == Backend::replay || !call->job->options.no_cache);
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
  record(call, std::move(row));
  Response r;
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
  http.body = call->body;
  http.connect_timeout_ms = static_cast<int64_t>(opts.connect_timeout_s * 1000);
  http.timeout_ms = static_cast<int64_t>(opts.timeout_s * 1000);
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
  if (result.net_error != NetError::none || result.status < 200 || result.status >= 300) {
    retry_or_fail(call, classify_failure(result, *provider, name(), url), result.body);
    return;
  }
  auto reply = provider->parse_reply(result.body);
  if (!reply.ok()) {
    retry_or_fail(call, Fault{reply.error(), true, {}}, result.body);
    return;
  }
  succeed(call, *reply, result.body, result.elapsed_ms);
}

// Schedules another attempt when the fault allows one and attempts remain; else records the failure.
void Client::Impl::retry_or_fail(const std::shared_ptr<Call>& call, Fault fault, const std::string& body) {
  int retries_done = call->attempt - 1;
  if (fault.retryable && retries_done < opts.retry.max_retries) {
    auto delay = retry_delay(opts.retry, retries_done, fault.retry_after_s, rng);
    delay = std::max(delay, limiter.acquire(static_cast<double>(call->est_tokens)));
    log::warn("llm", fault.error.message + "; retry " + std::to_string(retries_done + 1) + "/" +
                         std::to_string(opts.retry.max_retries) + " in " + std::to_string(delay.count()) + " ms");
    transport.post_at(Clock::now() + delay, [this, call](bool cancelled) {
      if (cancelled) retry_or_fail(call, Fault{fail(ErrorKind::cancelled, "the LLM client shut down"), false, {}}, "");
      else attempt(call);
    });
    return;
  }
  Error error = fault.error;
  if (fault.retryable && call->attempt > 1)
    error.message += " (gave up after " + std::to_string(call->attempt) + " attempts)";
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
  store::LlmCall row;
  row.request_json = call->body;
  row.response_json = response_json;
  row.status = "ok";
  row.tokens_in = r.tokens_in;
  row.tokens_out = r.tokens_out;
  row.tokens_cached = r.tokens_cached_read;
  row.cost_usd = r.cost_usd;
  row.latency_ms = latency_ms;
  record(call, std::move(row));
  release(call, {r.cost_usd, r.tokens_in + r.tokens_out});
  finish(call, std::move(r));
}

// Ends the call's budget reservation and frees its concurrency slot.
void Client::Impl::release(const std::shared_ptr<Call>& call, const Spend& actual) {
  budget->settle(call->worst_case, actual);
  --in_flight;
  admit();
}

void Client::Impl::record(const std::shared_ptr<Call>& call, store::LlmCall row) {
  if (!store) return;
  row.run_id = opts.run_id;
  row.idea_id = call->job->options.idea_id;
  row.stage = call->job->options.stage;
  row.provider = spec.provider;
  row.model = spec.model;
  row.request_hash = call->hash;
  if (auto id = store::record_llm_call(*store, row); !id.ok())
    log::error("llm", "could not record an LLM call in the store: " + id.error().describe());
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
    if (total.finish_reason.empty()) total.finish_reason = r.finish_reason;
  }
  job->done(std::move(total));
}

}  // namespace shoal::llm
