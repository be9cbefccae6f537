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

#include "agent/offline_agent.hpp"
#include "agent/pipeline.hpp"
#include "agent/stray_processes.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "experiments/local_executor.hpp"
#include "experiments/slurm_executor.hpp"
#include "store/ideas.hpp"
#include "store/llm_calls.hpp"
#include "store/nodes.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace {

constexpr int64_t kStaleHeartbeatMs = 30'000;  // a holder silent this long is gone
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

std::unique_ptr<experiments::Executor> default_executor(const Config& config, const std::string& kind) {
  if (kind == "slurm") {
    auto options = experiments::slurm_options_from_config(config);
    if (!options.ok()) throw ShoalError(options.error());
    return std::make_unique<experiments::SlurmExecutor>(*options);
  }
  experiments::SandboxOptions sandbox;
  sandbox.user = config.get("sandbox_user");
  sandbox.use_cgroups = config.get("sandbox_cgroup") != "none";
  return std::make_unique<experiments::LocalExecutor>(static_cast<int>(config.get_int("executor_slots")), -1, sandbox);
}

store::Store open_store(const Config& config, store::OpenMode mode) {
  auto store = store::Store::open(fs::path(config.get("home")) / "shoal.db", mode);
  if (!store.ok()) throw ShoalError(store.error());
  return std::move(*store);
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

RunSummary summarize(store::Store& store, const std::string& run_id) {
  RunSummary s;
  s.run_id = run_id;
  if (auto ideas = store::list_ideas(store, run_id); ideas.ok()) {
    for (const auto& i : *ideas) {
      ++s.ideas;
      if (i.status == "done") ++s.done;
      else if (i.status == "failed") ++s.failed;
      else if (i.status == "skipped") ++s.skipped;
      else if (i.status == "parked" || i.status == "running" || i.status == "pending") ++s.parked;
    }
  }
  if (auto spend = store::llm_spend_of_run(store, run_id); spend.ok()) s.cost_usd = spend->cost_usd;
  return s;
}

}  // namespace

Expected<store::Run> create_run(const Config& config, RunOptions options) {
  if (auto problems = experiments::check_template_files(options.template_dir); !problems.empty()) {
    std::string text;
    for (const auto& p : problems) text += "\n  " + p.where + ": " + p.message;
    return fail(ErrorKind::invalid_input, "template " + options.template_dir.string() + " has problems:" + text +
                                              "\n(shoal template check " + options.template_dir.string() +
                                              " checks it)");
  }
  SHOAL_TRY(tpl, experiments::load_template(options.template_dir));
  options.template_dir = fs::absolute(options.template_dir).lexically_normal();
  if (options.ideas < 1) return fail(ErrorKind::invalid_input, "--ideas must be at least 1");
  if (options.parallel < 1) return fail(ErrorKind::invalid_input, "--parallel must be at least 1");
  if (options.model != "offline") {
    if (options.budget_usd <= 0)
      return fail(ErrorKind::invalid_input, "a run with model " + options.model +
                                                " needs a budget above $0 (--budget USD, or the budget_usd setting)");
    llm::ClientOptions co = llm::client_options(config);
    co.model = options.model;
    co.db_path.clear();
    co.function = [](const llm::Request&) -> Expected<llm::Response> { return fail(ErrorKind::internal, "check only"); };
    SHOAL_TRY(check, llm::Client::create(co));  // unknown model, missing key, bad URL: refused before any spend
    (void)check;
  }
  store::Store store = open_store(config, store::OpenMode::create);
  store::Run run;
  run.template_name = tpl.manifest.name;
  run.template_hash = tpl.hash;
  run.model = options.model;
  run.budget_usd = options.model == "offline" ? 0 : options.budget_usd;
  run.config_json = nlohmann::json(options).dump();
  return store::create_run(store, run);
}

Status cancel_run(const Config& config, const std::string& run_id) {
  store::Store store = open_store(config, store::OpenMode::existing);
  SHOAL_TRY(run, store::get_run(store, run_id));
  if (run.status == "done" || run.status == "cancelled")
    return fail(ErrorKind::invalid_input, "run " + run_id + " is already " + run.status);
  SHOAL_CHECK(store::set_run_status(store, run_id, "cancelled", "cancelled by shoal cancel"));
  SHOAL_TRY(owner, store::run_owner(store, run_id));
  if (owner.owner.empty() || owner_is_stale(owner)) {  // nobody drives it: settle its ideas now
    kill_stray_processes(fs::absolute(fs::path(config.get("home")) / "work" / run_id));
    SHOAL_TRY(ideas, store::list_ideas(store, run_id));
    for (const auto& i : ideas)
      if (i.status != "done" && i.status != "failed" && i.status != "skipped")
        SHOAL_CHECK(store::set_idea_status(store, i.id, "cancelled", i.stage));
  }
  SHOAL_CHECK(record_event(store, {0, run_id, "", "run_cancelled", "cancelled by shoal cancel", "{}", 0}));
  return {};
}

Expected<RunSummary> drive_run(const Config& config, const std::string& run_id, const DriveOptions& options) {
  Stopwatch clock;
  double cpu_at_start = process_cpu_s();
  store::Store store = open_store(config, store::OpenMode::existing);
  SHOAL_TRY(run, store::get_run(store, run_id));
  if (run.status == "done" || run.status == "cancelled") {
    RunSummary s = summarize(store, run_id);
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

  RunOptions opts;
  try {
    opts = nlohmann::json::parse(run.config_json).get<RunOptions>();
  } catch (const std::exception& e) {
    return fail(ErrorKind::corrupt, "run " + run_id + " has unreadable options: " + e.what());
  }
  if (options.budget_usd) {
    SHOAL_CHECK(store::set_run_budget(store, run_id, *options.budget_usd));
    run.budget_usd = *options.budget_usd;
  }
  SHOAL_TRY(tpl, experiments::load_template(opts.template_dir));
  if (tpl.hash != run.template_hash)
    return fail(ErrorKind::incompatible, "template " + opts.template_dir.string() +
                                             " changed since run " + run_id +
                                             " started (its files hash differently); restore it or start a new run");

  std::unique_ptr<llm::Client> client;
  if (run.model != "offline") {
    llm::ClientOptions co = llm::client_options(config);
    co.model = run.model;
    co.db_path = fs::path(config.get("home")) / "shoal.db";
    co.run_id = run_id;
    co.budget_usd = run.budget_usd > 0 ? std::optional<double>(run.budget_usd) : std::nullopt;
    co.function = options.function_model;
    SHOAL_TRY(created, llm::Client::create(co));
    client = std::move(created);
  }
  std::unique_ptr<experiments::Executor> executor;
  try {
    executor = options.make_executor ? options.make_executor(config) : default_executor(config, opts.executor);
  } catch (const ShoalError& e) {
    return e.error();
  }

  SHOAL_CHECK(store::set_run_status(store, run_id, "running"));
  SHOAL_TRY(interrupted, store::fail_interrupted_nodes(store, run_id));
  if (interrupted > 0) log::info("run", std::to_string(interrupted) + " experiment(s) were interrupted; they run again");
  // This process holds the run now: whatever still runs in its work folder was left by a
  // killed orchestrator (a sandbox whose parent died while it started).
  fs::path work_root = fs::path(config.get("home")) / "work" / run_id;
  if (int strays = kill_stray_processes(fs::absolute(work_root)); strays > 0)
    log::warn("run", "stopped " + std::to_string(strays) + " process(es) a killed orchestrator left in the run's work folder");
  SHOAL_CHECK(record_event(store, {0, run_id, "", "run_started", "driving run", nlohmann::json{{"owner", owner}}.dump(), 0}));

  experiments::CancelToken cancel;
  Watchdog watchdog(store, run_id, owner, options.stop, cancel);
  std::mutex progress_mu;
  auto progress = [&](const ProgressNote& note) {
    std::lock_guard lock(progress_mu);
    if (options.progress) options.progress(note);
  };
  RunContext ctx{store, fs::path(config.get("home")) / "shoal.db", client.get(), *executor, tpl, run_id, opts,
                 work_root, cancel, progress};
  ctx.literature = tools::literature_options(config);
  ctx.config = &config;

  Status outcome = run_pipeline(ctx);

  RunSummary summary = summarize(store, run_id);
  summary.seconds = clock.seconds();
  std::string status, message;
  if (watchdog.cancelled_by_user()) {
    status = "cancelled";
    message = "cancelled by shoal cancel";
    SHOAL_TRY(ideas, store::list_ideas(store, run_id));
    for (const auto& i : ideas)
      if (i.status != "done" && i.status != "failed" && i.status != "skipped")
        SHOAL_CHECK(store::set_idea_status(store, i.id, "cancelled", i.stage));
  } else if (!outcome.ok() && outcome.error().kind == ErrorKind::cancelled) {
    status = "paused";
    message = "stopped; continue with shoal resume " + run_id;
  } else if (!outcome.ok() && (outcome.error().kind == ErrorKind::budget_exceeded || outcome.error().kind == ErrorKind::io)) {
    status = "paused";  // the budget, a full disk, a read-only store: shoal resume continues once it is fixed
    message = outcome.error().message;
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
  summary = summarize(store, run_id);
  summary.seconds = clock.seconds();
  summary.cpu_s = process_cpu_s() - cpu_at_start;
  summary.status = status;
  summary.message = message;
  SHOAL_CHECK(store::set_run_status(store, run_id, status, message));
  SHOAL_CHECK(record_event(store, {0, run_id, "", "run_" + status, message.empty() ? status : message,
                                   nlohmann::json{{"done", summary.done}, {"failed", summary.failed},
                                                  {"cost_usd", summary.cost_usd}, {"seconds", summary.seconds},
                                                  {"cpu_s", summary.cpu_s}}
                                       .dump(),
                                   0}));
  return summary;
}

}  // namespace shoal::agent
