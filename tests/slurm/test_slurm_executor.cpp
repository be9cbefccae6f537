// The Slurm executor against the real single-node Slurm that main.cpp starts: every job
// goes through sbatch, `shoal sandbox` on the node, squeue/scontrol and the store.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "../unit/temp_dir.hpp"
#include "core/file.hpp"
#include "core/time.hpp"
#include "experiments/command.hpp"
#include "experiments/slurm_executor.hpp"

namespace shoal::experiments {
namespace fs = std::filesystem;
namespace {

// A shared folder (world-traversable, like a cluster's shared file system) with a job
// work folder in it, and a store recording the jobs.
struct SlurmCase {
  test::TempDir root;
  // Named after the temp folder so that Slurm job names (shoal-<work folder>) are unique.
  fs::path workdir = root / ("job-" + root.path().filename().string());
  SlurmOptions options;

  SlurmCase() {
    fs::permissions(root.path(), fs::perms::all & ~fs::perms::group_write & ~fs::perms::others_write);
    fs::create_directories(workdir);
    fs::permissions(workdir, fs::perms::all);
    options.shoal_binary = std::getenv("SHOAL_BINARY");
    options.shared_dir = root.path();
    options.store_path = root / "shoal.db";
    options.poll_interval_s = 0.3;
  }

  // A job running `sh -c script` in the work folder with a wall limit.
  JobSpec job(const std::string& script, double wall_s = 60) const {
    JobSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.workdir = workdir;
    spec.limits.wall_s = wall_s;
    spec.limits.memory_bytes = 1LL << 30;
    return spec;
  }

  // The jobs recorded in the store for the work folder.
  std::vector<store::SlurmJob> recorded() const {
    auto db = store::Store::open(options.store_path, store::OpenMode::existing);
    REQUIRE(db.ok());
    auto jobs = store::list_slurm_jobs(*db, workdir.string());
    REQUIRE(jobs.ok());
    return *jobs;
  }
};

// How many jobs Slurm knows (running or finished, until MinJobAge) with this name.
int slurm_jobs_named(const std::string& name) {
  auto out = run_command({"scontrol", "show", "jobs"});
  REQUIRE(out.ok());
  int n = 0;
  std::regex re("JobName=" + name + "\\s");
  for (auto it = std::sregex_iterator(out->out.begin(), out->out.end(), re); it != std::sregex_iterator(); ++it) ++n;
  return n;
}

// True when a process whose command line starts with `cmdline` (spaces for NULs) exists.
bool process_running(const std::string& cmdline) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    auto text = read_file(entry.path() / "cmdline");
    if (!text) continue;
    std::replace(text->begin(), text->end(), '\0', ' ');
    if (text->rfind(cmdline, 0) == 0) return true;
  }
  return false;
}

// Waits until the store shows the work folder's job in `state` (for up to 60 s). Runs on
// other threads and in a forked child too, so it asserts nothing.
bool wait_for_state(const SlurmCase& c, const std::string& state) {
  for (int i = 0; i < 600; ++i) {
    if (fs::exists(c.options.store_path)) {
      auto db = store::Store::open(c.options.store_path, store::OpenMode::existing);
      auto jobs = db ? store::list_slurm_jobs(*db, c.workdir.string())
                     : Expected<std::vector<store::SlurmJob>>(db.error());
      if (jobs && !jobs->empty() && jobs->back().state == state) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

TEST_CASE("a job that succeeds runs in the sandbox on the node and its result is read back") {
  SlurmCase c;
  ::setenv("OPENAI_API_KEY", "sk-slurm-test-secret", 1);
  SlurmExecutor ex(c.options);
  CancelToken cancel;
  auto result = ex.run(c.job("echo hello-from-slurm; echo to-stderr >&2; env; echo data > out.txt"), cancel);
  ::unsetenv("OPENAI_API_KEY");
  REQUIRE_MESSAGE(result.ok(), result.error().describe());
  CHECK(result->succeeded());
  CHECK(result->sandboxed);
  CHECK(result->stdout_tail.find("hello-from-slurm") != std::string::npos);
  CHECK(result->stderr_tail.find("to-stderr") != std::string::npos);
  CHECK(result->stdout_tail.find("sk-slurm-test-secret") == std::string::npos);
  CHECK(read_file(c.workdir / "out.txt").value_or("") == "data\n");

  auto jobs = c.recorded();
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].state == "COMPLETED");
  CHECK(jobs[0].collected);
  // squeue --json and scontrol agree on the finished job.
  auto st = ex.status(jobs[0].job_id);
  REQUIRE(st.ok());
  CHECK(st->state == "COMPLETED");
  auto show = run_command({"scontrol", "show", "job", std::to_string(jobs[0].job_id)});
  REQUIRE(show.ok());
  auto parsed = parse_scontrol_job(show->out);
  REQUIRE(parsed.ok());
  CHECK(parsed->state == "COMPLETED");
  CHECK(parsed->exit_code == 0);
  // The batch script and the result sit beside the work folder, not in it.
  auto files = slurm_job_files(c.workdir, jobs[0].job_id);
  CHECK(files.script.parent_path() == c.root.path());
  CHECK(files.result.string() == jobs[0].result_path);
  CHECK(read_file(files.log).ok());
  CHECK(fs::exists(files.script));
  CHECK(fs::exists(files.result));
  CHECK_FALSE(fs::exists(c.workdir / files.result.filename()));
}

TEST_CASE("a job's failing exit code comes back") {
  SlurmCase c;
  SlurmExecutor ex(c.options);
  auto result = ex.run(c.job("echo about-to-fail; exit 3"), CancelToken());
  REQUIRE_MESSAGE(result.ok(), result.error().describe());
  CHECK(result->exit_code == 3);
  CHECK(result->signal == 0);
  CHECK(result->limit_hit.empty());
  CHECK_FALSE(result->succeeded());
  CHECK(result->stdout_tail.find("about-to-fail") != std::string::npos);
}

TEST_CASE("a job past its wall limit is stopped by the sandbox on the node") {
  SlurmCase c;
  SlurmExecutor ex(c.options);
  Stopwatch sw;
  auto result = ex.run(c.job("echo started; sleep 120", 2), CancelToken());
  REQUIRE_MESSAGE(result.ok(), result.error().describe());
  CHECK(result->limit_hit == limit::wall_time);
  CHECK(result->exit_code != 0);
  CHECK(sw.seconds() < 60);
}

TEST_CASE("a job past its Slurm time limit is stopped by Slurm and reported as TIMEOUT") {
  SlurmCase c;
  c.options.time_limit_s = 60;  // Slurm's limit (one minute) is shorter than the sandbox's
  SlurmExecutor ex(c.options);
  Stopwatch sw;
  auto result = ex.run(c.job("sleep 600", 600), CancelToken());
  REQUIRE_MESSAGE(result.ok(), result.error().describe());
  CHECK(result->limit_hit == limit::wall_time);
  CHECK(result->exit_code != 0);
  CHECK(sw.seconds() >= 55);
  CHECK(sw.seconds() < 300);
  auto jobs = c.recorded();
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].state == "TIMEOUT");
}

TEST_CASE("cancelling a running job scancels it") {
  SlurmCase c;
  SlurmExecutor ex(c.options);
  CancelToken cancel;
  bool seen_running = false;
  std::thread canceller([&] {
    if (wait_for_state(c, "RUNNING"))
      for (int i = 0; i < 600 && !seen_running; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        seen_running = process_running("sleep 117.25");
      }
    cancel.cancel();
  });
  Stopwatch sw;
  auto result = ex.run(c.job("echo running; sleep 117.25", 300), cancel);
  canceller.join();
  REQUIRE_MESSAGE(result.ok(), result.error().describe());
  CHECK(seen_running);
  CHECK(result->limit_hit == limit::cancelled);
  CHECK_FALSE(result->succeeded());
  CHECK(sw.seconds() < 90);
  auto jobs = c.recorded();
  REQUIRE(jobs.size() == 1);
  auto st = ex.status(jobs[0].job_id);
  REQUIRE(st.ok());
  CHECK(st->state == "CANCELLED");
  CHECK(jobs[0].state == "CANCELLED");
  // Nothing of the job outlives the cancel (Slurm kills the batch script's whole tree).
  bool gone = false;
  for (int i = 0; i < 150 && !gone; ++i) {
    gone = !process_running("sleep 117.25");
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(gone);
}

TEST_CASE("after the orchestrator is killed mid-job, a new executor re-attaches instead of resubmitting") {
  SlurmCase c;
  JobSpec spec = c.job("sleep 6; echo finished-after-restart", 120);
  // The first orchestrator: a child process that submits and waits, killed while the job runs.
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    SlurmExecutor first(c.options);
    auto r = first.run(spec, CancelToken());
    ::_exit(r.ok() ? 0 : 1);
  }
  bool running = wait_for_state(c, "RUNNING");
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(running);
  REQUIRE(WIFSIGNALED(status));  // it really died mid-job
  auto before = c.recorded();
  REQUIRE(before.size() == 1);
  CHECK_FALSE(before[0].collected);

  // The restarted orchestrator runs the same job again: it finds the recorded one.
  SlurmExecutor second(c.options);
  auto result = second.run(spec, CancelToken());
  REQUIRE_MESSAGE(result.ok(), result.error().describe());
  CHECK(result->succeeded());
  CHECK(result->stdout_tail.find("finished-after-restart") != std::string::npos);
  auto after = c.recorded();
  REQUIRE(after.size() == 1);  // sbatch was called once
  CHECK(after[0].job_id == before[0].job_id);
  CHECK(after[0].collected);
  CHECK(slurm_jobs_named("shoal-" + c.workdir.filename().string()) == 1);  // Slurm saw one job

  // Running it once more is a new job: the collected one is not re-attached.
  auto again = second.run(c.job("echo second-run"), CancelToken());
  REQUIRE_MESSAGE(again.ok(), again.error().describe());
  CHECK(again->stdout_tail.find("second-run") != std::string::npos);
  CHECK(c.recorded().size() == 2);
}

TEST_CASE("attach(job_id) waits for a job submitted by an executor that is gone") {
  SlurmCase c;
  int64_t job_id = 0;
  {
    SlurmExecutor first(c.options);
    auto job = first.submit(c.job("sleep 2; echo attached-ok"));
    REQUIRE_MESSAGE(job.ok(), job.error().describe());
    job_id = job->job_id;
  }
  SlurmExecutor second(c.options);
  auto result = second.attach(job_id, CancelToken());
  REQUIRE_MESSAGE(result.ok(), result.error().describe());
  CHECK(result->stdout_tail.find("attached-ok") != std::string::npos);
  CHECK(c.recorded().size() == 1);
  auto unknown = second.attach(job_id + 100000, CancelToken());
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().kind == ErrorKind::not_found);
}

TEST_CASE("a recorded job that Slurm no longer knows (or whose id names another job) is submitted afresh") {
  SlurmCase c;
  SlurmCase other;
  SlurmExecutor other_ex(other.options);
  auto other_result = other_ex.run(other.job("true"), CancelToken());
  REQUIRE_MESSAGE(other_result.ok(), other_result.error().describe());
  int64_t other_id = other.recorded().at(0).job_id;
  {
    auto db = store::Store::open(c.options.store_path, store::OpenMode::create);
    REQUIRE(db.ok());
    // One record with an id Slurm never gave out, one whose id is the other folder's job.
    for (int64_t id : {int64_t{987654321}, other_id})
      REQUIRE(store::record_slurm_job(*db, store::SlurmJob{.job_id = id, .workdir = c.workdir.string(),
                                                           .result_path = slurm_job_files(c.workdir, id).result.string(),
                                                           .state = "RUNNING"})
                  .ok());
  }
  SlurmExecutor ex(c.options);
  auto result = ex.run(c.job("echo fresh-run"), CancelToken());
  REQUIRE_MESSAGE(result.ok(), result.error().describe());
  CHECK(result->stdout_tail.find("fresh-run") != std::string::npos);
  auto jobs = c.recorded();
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[1].state == "GONE");
  CHECK(jobs[1].collected);
  CHECK(jobs[2].state == "COMPLETED");
  CHECK(jobs[2].job_id != other_id);
  // The first stale record stays uncollected until a run finds it; none is left afterwards.
  auto again = ex.run(c.job("echo third-run"), CancelToken());
  REQUIRE_MESSAGE(again.ok(), again.error().describe());
  CHECK(again->stdout_tail.find("third-run") != std::string::npos);
  auto after = c.recorded();
  REQUIRE(after.size() == 4);
  CHECK(after[0].state == "GONE");
  for (const auto& j : after) CHECK(j.collected);
}

TEST_CASE("sbatch options follow the job's limits and the executor's options") {
  SlurmCase c;
  c.options.partition = "debug";
  c.options.account = "lab";
  c.options.gpus = 2;
  c.options.sbatch_args = {"--qos=low"};
  SlurmExecutor ex(c.options);
  JobSpec spec = c.job("true", 150);
  spec.cpus = 2;
  spec.limits.memory_bytes = 3LL << 30;
  auto cmd = ex.sbatch_command(spec);
  auto has = [&](const std::string& flag) { return std::find(cmd.begin(), cmd.end(), flag) != cmd.end(); };
  CHECK(has("--time=4"));  // 150 s + a minute, in whole minutes
  CHECK(has("--mem=3072M"));
  CHECK(has("--cpus-per-task=2"));
  CHECK(has("--gres=gpu:2"));
  CHECK(has("--partition=debug"));
  CHECK(has("--account=lab"));
  CHECK(has("--qos=low"));
  CHECK(has("--export=NONE"));
  CHECK(cmd.back() == "--qos=low");
  // The batch script runs `shoal sandbox` with the job's limits on the work folder.
  std::string script = ex.batch_script(spec);
  CHECK(script.find(c.options.shoal_binary.string() + " sandbox --timeout 150") != std::string::npos);
  CHECK(script.find("--workdir " + c.workdir.string()) != std::string::npos);
}

TEST_CASE("a work folder outside the shared folder is refused before anything is submitted") {
  SlurmCase c;
  test::TempDir elsewhere;
  SlurmExecutor ex(c.options);
  JobSpec spec = c.job("true");
  spec.workdir = elsewhere.path();
  auto result = ex.run(spec, CancelToken());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::invalid_input);
  CHECK(result.error().message.find("shared folder") != std::string::npos);
}

TEST_CASE("when slurmctld cannot be reached, submitting is a remote error that names the fix") {
  SlurmCase c;
  // The same cluster config, but a port no slurmctld listens on.
  auto conf = read_file(std::getenv("SLURM_CONF"));
  REQUIRE(conf.ok());
  std::string text = std::regex_replace(*conf, std::regex("SlurmctldPort=\\d+"), "SlurmctldPort=1");
  REQUIRE(write_file_atomic(c.root / "down.conf", text).ok());
  c.options.slurm_conf = (c.root / "down.conf").string();
  SlurmExecutor ex(c.options);
  auto result = ex.run(c.job("true"), CancelToken());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::remote);
  CHECK(result.error().message.find("scripts/slurm-local start") != std::string::npos);
  CHECK(c.recorded().empty());
}

TEST_CASE("squeue --json parsing: state, reason and exit status; a job not listed has no state") {
  SlurmCase c;
  SlurmExecutor ex(c.options);
  auto job = ex.submit(c.job("exit 5"));
  REQUIRE_MESSAGE(job.ok(), job.error().describe());
  auto result = ex.wait(*job, CancelToken());
  REQUIRE(result.ok());
  auto out = run_command({"squeue", "--json", "-j", std::to_string(job->job_id)});
  REQUIRE(out.ok());
  auto st = parse_squeue_json(out->out, job->job_id);
  REQUIRE(st.ok());
  CHECK(is_terminal_slurm_state(st->state));
  auto missing = parse_squeue_json(out->out, job->job_id + 1000000);
  REQUIRE(missing.ok());
  CHECK(missing->state.empty());
  CHECK_FALSE(parse_squeue_json("not json", 1).ok());
}

}  // namespace shoal::experiments
