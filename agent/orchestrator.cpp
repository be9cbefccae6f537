#include "agent/orchestrator.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "agent/session.hpp"
#include "llm/prices.hpp"
#include "agent/pipeline.hpp"
#include "agent/search/sweep.hpp"
#include "agent/stray_processes.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "store/ideas.hpp"
#include "store/llm_calls.hpp"
#include "store/nodes.hpp"
#include "store/papers.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace {

constexpr int64_t kStaleHeartbeatMs = 30'000;  // a holder silent this long is gone
// The largest call a run makes, for the budget check at creation: a long prompt (the
// write-up's context and paper) and a whole-document reply.
constexpr int64_t kLargestPromptTokens = 20'000;
constexpr int64_t kLargestReplyTokens = 12'000;
constexpr auto kHeartbeatEvery = std::chrono::seconds(1);

// This process's CPU seconds so far (user + system, every thread; children excluded).
double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

std::string this_owner() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::to_string(::getpid()) + "@" + host;
}

// The holder is gone: its heartbeat is old, or it is a process of this host that no longer exists.
bool owner_is_stale(const store::RunOwner& o) {
  if (!o.heartbeat_ms || now_ms() - *o.heartbeat_ms > kStaleHeartbeatMs) return true;
  auto at = o.owner.find('@');
  if (at == std::string::npos) return true;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  if (o.owner.substr(at + 1) != host) return false;
  pid_t pid = static_cast<pid_t>(std::stol(o.owner.substr(0, at)));
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// A run's stored settings: {"template_dir", "settings": {key: value}}. A run stored by an
// older Shoal holds its options as flat typed values under the settings' own names.
struct StoredSettings {
  fs::path template_dir;
  std::map<std::string, std::string> values;
};

std::string stored_settings_json(const fs::path& template_dir, const Config& config) {
  return nlohmann::json{{"template_dir", template_dir.string()}, {"settings", config.run_snapshot()}}.dump();
}

Expected<StoredSettings> read_stored_settings(const std::string& run_id, const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return fail(ErrorKind::corrupt, "run " + run_id + " has unreadable settings (not a JSON object)");
  StoredSettings out;
  out.template_dir = j.value("template_dir", std::string());
  const nlohmann::json& values = j.contains("settings") && j["settings"].is_object() ? j["settings"] : j;
  for (const auto& [key, value] : values.items()) {
    const Setting* s = find_setting(key);
    if (!s || !s->per_run) continue;
    if (key == "review_ensemble" && value == 0) continue;  // older runs: 0 meant "the setting"
    out.values[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return out;
}

// The per-run settings that `config` sets on the command line to a value other than the
// run's stored one: {"key": {"stored": value, "now": value}}.
nlohmann::json overrides(const std::map<std::string, std::string>& stored, const Config& config) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& key : config.cli_run_keys()) {
    auto it = stored.find(key);
    std::string before = it != stored.end() ? it->second : find_setting(key)->default_value;
    if (before != config.get(key)) out[key] = {{"stored", before}, {"now", config.get(key)}};
  }
  return out;
}

// Watches the run while it is driven: refreshes the heartbeat, turns `shoal cancel` (run
// status "cancelled" in the store) and the caller's stop token into the run's cancel token.
class Watchdog {
 public:
  Watchdog(store::Store& store, std::string run_id, std::string owner, const experiments::CancelToken* stop,
           experiments::CancelToken& cancel)
      : store_(store), run_id_(std::move(run_id)), owner_(std::move(owner)), stop_(stop), cancel_(cancel),
        timer_(io_) {
    arm();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Watchdog() {
    asio::post(io_, [this] { timer_.cancel(); });
    io_.stop();
    thread_.join();
  }
  bool cancelled_by_user() const { return user_cancel_.load(); }
  bool stopped_by_caller() const { return stop_ && stop_->cancelled(); }

 private:
  void arm() {
    timer_.expires_after(kHeartbeatEvery);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      tick();
      arm();
    });
  }
  void tick() {
    auto status = store::heartbeat_run(store_, run_id_, owner_);
    if (status.ok() && *status == "cancelled") user_cancel_ = true;
    if (user_cancel_ || stopped_by_caller()) cancel_.cancel();
  }

  store::Store& store_;
  std::string run_id_, owner_;
  const experiments::CancelToken* stop_;
  experiments::CancelToken& cancel_;
  asio::io_context io_;
  asio::steady_timer timer_;
  std::atomic<bool> user_cancel_{false};
  std::thread thread_;
};

Status record_event(store::Store& store, const store::Event& event) {
  auto id = store::add_event(store, event);
  if (!id.ok()) return id.error();
  return {};
}

// The run waits for its provider (still "running", its message says since when and why), then one
// one-token call every `probe_s` seconds (without the long patience of the stages' calls)
// until one is answered, or the run is stopped or cancelled. Recorded as provider_waiting and
// provider_back events.
Status wait_for_provider(store::Store& store, const std::string& run_id, llm::Client& client,
                         const experiments::CancelToken& cancel, double probe_s, const Error& why,
                         const std::function<void(const ProgressNote&)>& progress) {
  std::string since = iso8601(now_ms());
  std::string message = "waiting for the provider since " + since + " (" + why.message.substr(0, 300) +
                        "); probing every " + std::to_string(static_cast<int>(probe_s)) + " s";
  SHOAL_CHECK(store::set_run_status(store, run_id, "running", message));
  SHOAL_CHECK(record_event(store, {0, run_id, "", "provider_waiting", message, nlohmann::json{{"since", since}}.dump(), 0}));
  progress({"", "provider", message});
  llm::Request probe;
  probe.messages = {llm::Message::user("Reply with the word ok.")};
  probe.max_tokens = 16;
  for (int probes = 1;; ++probes) {
    for (double slept = 0; slept < probe_s && !cancel.cancelled(); slept += 0.1)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (cancel.cancelled()) return {};
    auto answer = client.complete(probe, {.stage = "probe", .fresh = true, .patience_s = 0.0});
    if (answer.ok()) {
      SHOAL_CHECK(store::set_run_status(store, run_id, "running"));
      return record_event(store, {0, run_id, "", "provider_back",
                                  "the provider answered again after " + std::to_string(probes) + " probe(s)",
                                  nlohmann::json{{"since", since}, {"probes", probes}}.dump(), 0});
    }
    if (!answer.error().transient) return answer.error();  // a revoked key, the budget: not for waiting
  }
}

}  // namespace

RunSummary summarize_run(store::Store& store, const std::string& run_id) {
  RunSummary s;
  s.run_id = run_id;
  if (auto ideas = store::list_ideas(store, run_id); ideas.ok()) {
    for (const auto& i : *ideas) {
      ++s.ideas;
      if (i.status == "done") ++s.done;
      else if (i.status == "failed") ++s.failed;
      else if (i.status == "skipped") ++s.skipped;
      else if (i.status == "parked" || i.status == "running" || i.status == "pending") ++s.parked;
      if (store::novelty_verdict(i) == "unchecked (literature unreachable)") ++s.novelty_unchecked;
    }
  }
  if (auto spend = store::llm_spend_of_run(store, run_id); spend.ok()) s.cost_usd = spend->cost_usd;
  if (auto cached = store::prompt_cache_share(store, run_id); cached.ok()) {
    s.tokens_in = cached->tokens_in;
    s.cached_input_share = cached->share();
  }
  if (auto papers = store::run_papers(store, run_id); papers.ok())
    for (const auto& p : *papers) ++(store::paper_finished(p) ? s.papers_finished : s.papers_unverified);
  return s;
}

Expected<store::Run> create_run(const Config& config, const fs::path& template_dir) {
  if (auto problems = experiments::check_template_files(template_dir); !problems.empty()) {
    std::string text;
    for (const auto& p : problems) text += "\n  " + p.where + ": " + p.message;
    return fail(ErrorKind::invalid_input, "template " + template_dir.string() + " has problems:" + text +
                                              "\n(shoal template check " + template_dir.string() + " checks it)");
  }
  SHOAL_TRY(tpl, experiments::load_template(template_dir));
  RunSettings settings = run_settings(config);
  if (!settings.metric.empty()) SHOAL_CHECK(experiments::parse_metric_setting(settings.metric));
  if (!settings.seed_ideas.empty() && !fs::is_regular_file(settings.seed_ideas))
    return fail(ErrorKind::not_found, "seed ideas: no file " + settings.seed_ideas.string());
  // The seed ideas' file is stored by its absolute path, so a resume from elsewhere finds it.
  SHOAL_TRY(stored, settings.seed_ideas.empty()
                        ? Expected<Config>(config)
                        : config.with_cli({{"seed_ideas", fs::absolute(settings.seed_ideas).string()}}));
  Session session(stored);
  if (settings.model != "offline") {
    if (split_models(settings.evolve_models).size() > 1 && settings.search != "evolve")
      log::warn("run", "evolve_models (--model a,b,...) names several models, but only --search evolve picks among "
                       "them; this " + settings.search + " search asks " + settings.model + " alone");
    // The evolution's other models: each checked as the model is, before any spend.
    for (const auto& other : split_models(settings.evolve_models)) {
      if (other == settings.model) continue;
      if (other == "offline")
        return fail(ErrorKind::invalid_input, "evolve_models lists 'offline', which is no model to ask; list LLMs only");
      SHOAL_CHECK(session.client({.model = other, .function = [](const llm::Request&) -> Expected<llm::Response> {
                                    return fail(ErrorKind::internal, "check only");
                                  }, .record = false}));
    }
    if (settings.budget_usd <= 0)
      return fail(ErrorKind::invalid_input, "a run with model " + settings.model +
                                                " needs a budget above $0 (--budget USD, or the budget_usd setting)");
    // Unknown model, missing key, bad URL: refused before any spend.
    SHOAL_TRY(check, session.client({.model = settings.model, .function = [](const llm::Request&) -> Expected<llm::Response> {
                                       return fail(ErrorKind::internal, "check only");
                                     }, .record = false}));
    // A budget that cannot pay for one call of the run's largest kind would stop it at once.
    const llm::ModelInfo& info = check->model_info();
    int64_t output = info.max_output > 0 ? std::min<int64_t>(kLargestReplyTokens, info.max_output) : kLargestReplyTokens;
    double one_call = llm::cost_usd(info.price, llm::Usage{kLargestPromptTokens, output, 0, 0});
    if (settings.budget_usd < one_call)
      return fail(ErrorKind::invalid_input,
                  "a budget of $" + std::to_string(settings.budget_usd) + " cannot pay for one call of this run at " +
                      settings.model + "'s list price (up to $" + std::to_string(one_call) + " for " +
                      std::to_string(kLargestPromptTokens) + " input and " + std::to_string(output) +
                      " output tokens); give a larger --budget");
  }
  SHOAL_TRY(store, session.open_store(store::OpenMode::create));
  store::Run run;
  run.template_name = tpl.manifest.name;
  run.template_hash = tpl.hash;
  run.model = settings.model;
  run.budget_usd = settings.model == "offline" ? 0 : settings.budget_usd;
  run.config_json = stored_settings_json(fs::absolute(template_dir).lexically_normal(), stored);
  return store::create_run(store, run);
}

Status cancel_run(const Config& config, const std::string& run_id) {
  Session session(config);
  SHOAL_TRY(store, session.open_store(store::OpenMode::existing));
  SHOAL_TRY(run, store::get_run(store, run_id));
  if (run.status == "done" || run.status == "cancelled")
    return fail(ErrorKind::invalid_input, "run " + run_id + " is already " + run.status);
  SHOAL_CHECK(store::set_run_status(store, run_id, "cancelled", "cancelled by shoal cancel"));
  SHOAL_TRY(owner, store::run_owner(store, run_id));
  if (owner.owner.empty() || owner_is_stale(owner)) {  // nobody drives it: settle its ideas now
    kill_stray_processes(session.work_root(run_id));
    SHOAL_TRY(ideas, store::list_ideas(store, run_id));
    for (const auto& i : ideas)
      if (!store::idea_is_final(i.status))
        SHOAL_CHECK(store::set_idea_status(store, i.id, "cancelled", i.stage));
  }
  SHOAL_CHECK(record_event(store, {0, run_id, "", "run_cancelled", "cancelled by shoal cancel", "{}", 0}));
  return {};
}

Expected<RunSummary> drive_run(const Config& config, const std::string& run_id, const DriveOptions& options) {
  Stopwatch clock;
  double cpu_at_start = process_cpu_s();
  SHOAL_TRY(store, Session(config).open_store(store::OpenMode::existing));
  SHOAL_TRY(run, store::get_run(store, run_id));
  if (run.status == "done" || run.status == "cancelled") {
    RunSummary s = summarize_run(store, run_id);
    s.status = run.status;
    s.message = "run " + run_id + " is already " + run.status + "; nothing to do";
    return s;
  }
  const std::string owner = this_owner();
  SHOAL_CHECK(store::claim_run(store, run_id, owner, owner_is_stale));
  struct Release {
    store::Store& store;
    const std::string& id;
    const std::string& owner;
    ~Release() { (void)store::release_run(store, id, owner); }
  } release{store, run_id, owner};

  SHOAL_TRY(stored, read_stored_settings(run_id, run.config_json));
  SHOAL_TRY(run_config, config.for_run(stored.values));  // the run's own settings; --set overrides them
  Session session(run_config);
  RunSettings settings = run_settings(run_config);
  settings.template_dir = stored.template_dir;
  if (options.budget_usd) {
    SHOAL_CHECK(store::set_run_budget(store, run_id, *options.budget_usd));
    run.budget_usd = *options.budget_usd;
  }
  SHOAL_TRY(tpl, experiments::load_template(settings.template_dir));
  if (tpl.hash != run.template_hash)
    return fail(ErrorKind::incompatible, "template " + settings.template_dir.string() +
                                             " changed since run " + run_id +
                                             " started (its files hash differently); restore it or start a new run");

  std::unique_ptr<llm::Client> client;
  if (run.model != "offline") {
    SHOAL_TRY(created, session.client({.model = run.model, .run_id = run_id, .budget_usd = run.budget_usd,
                                       .function = options.function_model, .fresh = options.fresh}));
    client = std::move(created);
  }
  // The evolution's other models (evolve_models): a client each, all spending the run's one budget.
  std::vector<std::unique_ptr<llm::Client>> other_clients;
  std::vector<std::pair<std::string, llm::Client*>> models;
  if (client && settings.search == "evolve") {
    for (const auto& name : split_models(settings.evolve_models)) {
      if (name == run.model) {
        models.push_back({name, client.get()});
        continue;
      }
      SHOAL_TRY(created, session.client({.model = name, .run_id = run_id, .budget_usd = run.budget_usd,
                                         .function = options.function_model, .fresh = options.fresh,
                                         .budget = client->budget()}));
      other_clients.push_back(std::move(created));
      models.push_back({name, other_clients.back().get()});
    }
    if (!models.empty() && std::none_of(models.begin(), models.end(), [&](const auto& m) { return m.second == client.get(); }))
      models.insert(models.begin(), {run.model, client.get()});
  }
  std::unique_ptr<experiments::Executor> executor;
  if (options.make_executor) {
    executor = options.make_executor(run_config);
  } else {
    SHOAL_TRY(made, session.executor(settings.executor));
    executor = std::move(made);
  }

  SHOAL_CHECK(store::set_run_status(store, run_id, "running"));
  SHOAL_TRY(interrupted, store::fail_interrupted_nodes(store, run_id));
  if (interrupted > 0) log::info("run", std::to_string(interrupted) + " experiment(s) were interrupted; they run again");
  // This process holds the run now: whatever still runs in its work folder was left by a
  // killed orchestrator (a sandbox whose parent died while it started).
  fs::path work_root = session.work_root(run_id);
  // The offline agent sweeps knobs: a template without template.json's gets its argparse flags.
  if (run.model == "offline") knobs_from_argparse(tpl, *executor, work_root / "argparse-help");
  if (int strays = kill_stray_processes(work_root); strays > 0)
    log::warn("run", "stopped " + std::to_string(strays) + " process(es) a killed orchestrator left in the run's work folder");
  SHOAL_CHECK(record_event(store, {0, run_id, "", "run_started", "driving run", nlohmann::json{{"owner", owner}}.dump(), 0}));
  if (auto overridden = overrides(stored.values, run_config); !overridden.empty())
    SHOAL_CHECK(record_event(store, {0, run_id, "", "settings_overridden",
                                     "settings overridden on the command line: " + overridden.dump(), overridden.dump(), 0}));

  experiments::CancelToken cancel;
  Watchdog watchdog(store, run_id, owner, options.stop, cancel);
  std::mutex progress_mu;
  auto progress = [&](const ProgressNote& note) {
    std::lock_guard lock(progress_mu);
    if (options.progress) options.progress(note);
  };
  StageContext ctx{store, session.db_path(), client.get(), *executor, tpl, run_id, settings, work_root, cancel, progress,
                   tools::literature_options(run_config), run_config.get_int("min_free_disk_mb"), models,
                   std::make_shared<store::StorePool>(session.db_path())};

  Status outcome = run_pipeline(ctx);
  // Every active idea is parked by a provider outage: wait for the provider, then go on.
  while (client && !outcome.ok() && outcome.error().transient && !cancel.cancelled()) {
    SHOAL_CHECK(wait_for_provider(store, run_id, *client, cancel, run_config.get_double("llm_probe_s"), outcome.error(),
                                  progress));
    if (cancel.cancelled()) break;
    outcome = run_pipeline(ctx);
  }

  RunSummary summary = summarize_run(store, run_id);
  summary.seconds = clock.seconds();
  std::string status, message;
  if (watchdog.cancelled_by_user()) {
    status = "cancelled";
    message = "cancelled by shoal cancel";
    SHOAL_TRY(ideas, store::list_ideas(store, run_id));
    for (const auto& i : ideas)
      if (!store::idea_is_final(i.status))
        SHOAL_CHECK(store::set_idea_status(store, i.id, "cancelled", i.stage));
  } else if (!outcome.ok() && outcome.error().kind == ErrorKind::cancelled) {
    status = "paused";
    message = "stopped; continue with shoal resume " + run_id;
  } else if (!outcome.ok() && parks(outcome.error())) {
    // The budget, a full disk, a read-only store, a refused key, a provider still down when
    // the run was stopped: shoal resume continues once it is fixed.
    status = "paused";
    message = outcome.error().message;
    if (outcome.error().kind == ErrorKind::unauthorized || outcome.error().transient)
      message += "; then continue with shoal resume " + run_id;
    // the LLM client's advice (--set budget_usd) does not reach a stored run's budget
    if (outcome.error().kind == ErrorKind::budget_exceeded && message.find("shoal resume") == std::string::npos)
      message = "the run's budget is reached (" + message + "); continue with shoal resume " + run_id + " --budget USD";
  } else if (!outcome.ok()) {
    status = "failed";
    message = outcome.error().message;
  } else if (summary.parked > 0) {
    status = "paused";
    message = std::to_string(summary.parked) + " idea(s) parked (budget or stop); continue with shoal resume " + run_id;
  } else if (summary.done == 0 && summary.failed > 0) {
    status = "failed";
    message = "every selected idea failed; shoal status " + run_id + " shows why";
  } else {
    status = "done";
  }
  summary = summarize_run(store, run_id);
  summary.seconds = clock.seconds();
  summary.cpu_s = process_cpu_s() - cpu_at_start;
  summary.status = status;
  summary.message = message;
  SHOAL_CHECK(store::set_run_status(store, run_id, status, message));
  SHOAL_CHECK(record_event(store, {0, run_id, "", "run_" + status, message.empty() ? status : message,
                                   nlohmann::json{{"done", summary.done}, {"failed", summary.failed},
                                                  {"papers_finished", summary.papers_finished},
                                                  {"papers_unverified", summary.papers_unverified},
                                                  {"cost_usd", summary.cost_usd}, {"seconds", summary.seconds},
                                                  {"cpu_s", summary.cpu_s}}
                                       .dump(),
                                   0}));
  return summary;
}

}  // namespace shoal::agent
