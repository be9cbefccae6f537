// The Slurm executor (see slurm_executor.hpp): batch script, sbatch, polling, scancel,
// reading the result back, and the store records that make re-attaching possible.
#include "experiments/slurm_executor.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <thread>

#include "core/file.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "store/db.hpp"

namespace shoal::experiments {
namespace fs = std::filesystem;
namespace {

using json = nlohmann::json;

// What to do when a Slurm command cannot reach the cluster.
const char* kSlurmFix =
    "check that Slurm is running and that SLURM_CONF points at its config "
    "(for a local test cluster: scripts/slurm-local start, then the export line it prints)";

// The value of `Key=` in scontrol's "Key=value Key=value" text, up to the next blank.
std::string scontrol_field(const std::string& text, const std::string& key) {
  size_t pos = 0;
  while ((pos = text.find(key + "=", pos)) != std::string::npos) {
    if (pos == 0 || std::isspace(static_cast<unsigned char>(text[pos - 1]))) {
      size_t start = pos + key.size() + 1;
      size_t end = text.find_first_of(" \t\n", start);
      return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    }
    pos += key.size();
  }
  return "";
}

// A JSON field that Slurm versions give as a string or as a list of strings.
std::string first_string(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_array() && !j.empty() && j[0].is_string()) return j[0].get<std::string>();
  return "";
}

// The last `max_bytes` of a file, "" when it cannot be read.
std::string file_tail(const fs::path& path, size_t max_bytes) {
  auto text = read_file(path);
  if (!text) return "";
  return text->size() > max_bytes ? text->substr(text->size() - max_bytes) : *text;
}

// Slurm time limit text (whole minutes, at least one) for a number of seconds.
std::string minutes_text(double seconds) {
  return std::to_string(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(seconds / 60.0))));
}

// Sleeps up to `seconds`, waking early when the job is cancelled.
void sleep_unless_cancelled(double seconds, const CancelToken& cancel) {
  Stopwatch sw;
  while (sw.seconds() < seconds && !cancel.cancelled())
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(100, static_cast<int64_t>(seconds * 1000) + 1)));
}

// True when a Slurm command's stderr says the job id is unknown (purged after MinJobAge).
bool says_invalid_job(const CommandOutput& out) {
  return out.err.find("Invalid job id") != std::string::npos;
}

// Whether the path `inner` lies inside the folder `outer` (both absolute, normalised).
bool is_inside(const fs::path& inner, const fs::path& outer) {
  auto rel = inner.lexically_normal().lexically_relative(outer.lexically_normal());
  return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

Expected<SlurmOptions> slurm_options_from_config(const Config& config) {
  SlurmOptions o;
  o.partition = config.get("slurm_partition");
  o.account = config.get("slurm_account");
  o.time_limit_s = static_cast<double>(config.get_int("slurm_time_min")) * 60;
  if (const auto& mem = config.get("slurm_memory"); !mem.empty()) {
    SHOAL_TRY(bytes, parse_size(mem));
    o.memory_bytes = bytes;
  }
  o.gpus = static_cast<int>(config.get_int("slurm_gpus"));
  std::istringstream args(config.get("slurm_sbatch_args"));
  for (std::string word; args >> word;) o.sbatch_args.push_back(word);
  o.poll_interval_s = config.get_double("slurm_poll_s");
  o.shoal_binary = config.get("slurm_shoal_binary");
  o.shared_dir = config.get("slurm_shared_dir");
  o.store_path = store::db_path(config.get("home"));
  return o;
}

bool is_terminal_slurm_state(std::string_view s) {
  return s == "COMPLETED" || s == "FAILED" || s == "TIMEOUT" || s == "CANCELLED" || s == "NODE_FAIL" ||
         s == "OUT_OF_MEMORY" || s == "PREEMPTED" || s == "BOOT_FAIL" || s == "DEADLINE";
}

Expected<SlurmJobStatus> parse_squeue_json(const std::string& text, int64_t job_id, size_t* listed) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("jobs") || !doc["jobs"].is_array())
    return fail(ErrorKind::remote, "squeue --json printed something that is not its JSON: " + text.substr(0, 200));
  if (listed) *listed = doc["jobs"].size();
  for (const auto& job : doc["jobs"]) {
    if (!job.is_object() || job.value("job_id", int64_t{-1}) != job_id) continue;
    SlurmJobStatus st;
    st.name = job.value("name", json()).is_string() ? job["name"].get<std::string>() : "";
    st.state = first_string(job.value("job_state", json()));
    st.reason = first_string(job.value("state_reason", json()));
    // 22.05 gives the wait status as a number; later versions an object with the parts.
    const json code = job.value("exit_code", json());
    if (code.is_number_integer()) {
      int raw = code.get<int>();
      st.exit_code = (raw >> 8) & 0xff;
      st.signal = raw & 0x7f;
    } else if (code.is_object()) {
      st.exit_code = code.value("return_code", json(0)).is_number() ? code.value("return_code", 0) : 0;
      if (code.contains("signal") && code["signal"].is_object())
        st.signal = code["signal"].value("id", json(0)).is_number() ? code["signal"].value("id", 0) : 0;
    }
    return st;
  }
  return SlurmJobStatus{};
}

Expected<SlurmJobStatus> parse_scontrol_job(const std::string& text) {
  SlurmJobStatus st;
  st.state = scontrol_field(text, "JobState");
  if (st.state.empty())
    return fail(ErrorKind::remote, "scontrol show job printed no JobState: " + text.substr(0, 200));
  st.name = scontrol_field(text, "JobName");
  st.reason = scontrol_field(text, "Reason");
  auto code = scontrol_field(text, "ExitCode");  // "3:0": exit status, signal
  if (auto colon = code.find(':'); colon != std::string::npos) {
    st.exit_code = std::atoi(code.substr(0, colon).c_str());
    st.signal = std::atoi(code.substr(colon + 1).c_str());
  }
  return st;
}

SlurmJobFiles slurm_job_files(const fs::path& workdir, int64_t job_id) {
  fs::path dir = workdir.lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();
  std::string base = dir.filename().string();
  fs::path parent = dir.parent_path();
  std::string id = job_id > 0 ? std::to_string(job_id) : "%j";
  return {parent / (base + ".slurm.sh"), parent / (base + "." + id + ".result.json"),
          parent / (base + "." + id + ".slurm.log")};
}

std::string slurm_job_name(const fs::path& workdir) {
  fs::path dir = workdir.lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();
  return "shoal-" + dir.filename().string();
}

SlurmExecutor::SlurmExecutor(SlurmOptions options) : options_(std::move(options)) {
  if (options_.shoal_binary.empty()) {
    std::error_code ec;
    options_.shoal_binary = fs::read_symlink("/proc/self/exe", ec);
  }
  if (options_.poll_interval_s <= 0) options_.poll_interval_s = 2;
}

Expected<CommandOutput> SlurmExecutor::slurm(const std::vector<std::string>& argv) const {
  CommandOptions co;
  co.timeout_s = options_.command_timeout_s;
  if (!options_.slurm_conf.empty()) co.env["SLURM_CONF"] = options_.slurm_conf;
  auto out = run_command(argv, co);
  if (!out) {
    if (out.error().kind == ErrorKind::not_found)
      return fail(ErrorKind::remote, argv[0] + " not found: install the Slurm client tools (Debian: slurm-client) "
                                               "on this machine to use the Slurm executor");
    return fail(ErrorKind::remote, out.error().message + "; " + kSlurmFix);
  }
  return out;
}

std::vector<std::string> SlurmExecutor::sbatch_command(const JobSpec& spec) const {
  const auto files = slurm_job_files(spec.workdir, 0);
  double time_s = options_.time_limit_s > 0 ? options_.time_limit_s : spec.limits.wall_s + 60;
  int64_t mem = options_.memory_bytes > 0 ? options_.memory_bytes : spec.limits.memory_bytes;
  int gpus = options_.gpus >= 0 ? options_.gpus : spec.gpus;
  std::vector<std::string> cmd = {
      "sbatch", "--parsable", "--no-requeue",
      // Nothing of the orchestrator's environment (API keys) reaches the job.
      "--export=NONE",
      "--job-name=" + slurm_job_name(spec.workdir),
      "--output=" + files.log.string(),
      "--chdir=" + files.script.parent_path().string(),
      "--nodes=1", "--ntasks=1",
      "--cpus-per-task=" + std::to_string(std::max(1, spec.cpus)),
      "--time=" + minutes_text(time_s),
      "--mem=" + std::to_string(std::max<int64_t>(1, (mem + (1 << 20) - 1) >> 20)) + "M",
  };
  if (gpus > 0) cmd.push_back("--gres=gpu:" + std::to_string(gpus));
  if (!options_.partition.empty()) cmd.push_back("--partition=" + options_.partition);
  if (!options_.account.empty()) cmd.push_back("--account=" + options_.account);
  cmd.insert(cmd.end(), options_.sbatch_args.begin(), options_.sbatch_args.end());
  return cmd;
}

std::string SlurmExecutor::batch_script(const JobSpec& spec) const {
  const auto files = slurm_job_files(spec.workdir, 0);
  std::vector<std::string> sandbox = {options_.shoal_binary.string()};
  for (auto& a : sandbox_command_args(spec)) sandbox.push_back(std::move(a));
  // The result file's name holds the job id, which only the running job knows.
  std::string pattern = files.result.string();
  std::string prefix = pattern.substr(0, pattern.rfind("%j"));
  std::string result = shell_quote(prefix) + "\"$SLURM_JOB_ID\"" + shell_quote(".result.json");
  std::string tmp = result + shell_quote(".tmp");
  return "#!/bin/bash\n"
         "# Written by Shoal's Slurm executor: runs one job in Shoal's sandbox on this node and\n"
         "# leaves its outcome (the JobResult JSON that `shoal sandbox` prints) in the result file.\n"
         "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
         "rm -f " + tmp + "\n" +
         shell_quote_join(sandbox) + " >" + tmp + "\n"
         "rc=$?\n"
         "if [ -s " + tmp + " ]; then mv -f " + tmp + " " + result + "; fi\n"
         "exit $rc\n";
}

Expected<store::SlurmJob> SlurmExecutor::submit(const JobSpec& spec) {
  if (spec.argv.empty()) return fail(ErrorKind::invalid_input, "the job has no command to run");
  if (!spec.workdir.is_absolute())
    return fail(ErrorKind::invalid_input, "the Slurm executor needs an absolute work folder, got " + spec.workdir.string());
  std::error_code ec;
  if (!fs::is_directory(spec.workdir, ec))
    return fail(ErrorKind::invalid_input, "work folder " + spec.workdir.string() + " does not exist: create it first");
  if (!options_.shared_dir.empty() && !is_inside(spec.workdir, options_.shared_dir))
    return fail(ErrorKind::invalid_input, "work folder " + spec.workdir.string() + " is not under the shared folder " +
                                              options_.shared_dir.string() +
                                              " that the compute nodes see: put it there or set slurm_shared_dir");
  if (options_.shoal_binary.empty())
    return fail(ErrorKind::invalid_input, "the path of the shoal binary on the compute nodes is unknown: set slurm_shoal_binary");
  const auto files = slurm_job_files(spec.workdir, 0);
  SHOAL_CHECK(write_file_atomic(files.script, batch_script(spec)));
  fs::permissions(files.script, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read, ec);

  auto cmd = sbatch_command(spec);
  cmd.push_back(files.script.string());
  SHOAL_TRY(out, slurm(cmd));
  if (out.exit_code != 0)
    return fail(ErrorKind::remote, "sbatch refused the job: " + out.message() + "; " + kSlurmFix);
  // --parsable prints "ID" or "ID;CLUSTER".
  std::string line = out.out.substr(0, out.out.find('\n'));
  store::SlurmJob job;
  auto semi = line.find(';');
  job.job_id = std::atoll(line.substr(0, semi).c_str());
  if (job.job_id <= 0) return fail(ErrorKind::remote, "sbatch printed no job id: " + out.message());
  if (semi != std::string::npos) job.cluster = line.substr(semi + 1);
  job.workdir = spec.workdir.lexically_normal().string();
  job.result_path = slurm_job_files(spec.workdir, job.job_id).result.string();
  job.state = "PENDING";
  log::info("slurm", "submitted job " + std::to_string(job.job_id) + " for " + job.workdir);
  if (options_.store_path.empty()) return job;
  SHOAL_TRY(db, store::Store::open(options_.store_path, store::OpenMode::create));
  return store::record_slurm_job(db, job);
}

Expected<SlurmJobStatus> SlurmExecutor::status(int64_t job_id) const {
  const std::string id = std::to_string(job_id);
  CommandOutput queue;
  if (!squeue_lists_all_) {
    SHOAL_TRY(out, slurm({"squeue", "--json", "-j", id}));
    queue = std::move(out);
    if (queue.exit_code == 0) {
      size_t listed = 0;
      auto st = parse_squeue_json(queue.out, job_id, &listed);
      if (listed > 1) squeue_lists_all_ = true;
      if (st && !st->state.empty()) return st;
    }
  }
  // Slurm without --json, a job squeue no longer lists, or squeue listing everything: scontrol.
  SHOAL_TRY(show, slurm({"scontrol", "show", "job", id}));
  if (show.exit_code == 0) return parse_scontrol_job(show.out);
  if (says_invalid_job(show) || says_invalid_job(queue)) return SlurmJobStatus{};
  return fail(ErrorKind::remote, "cannot ask Slurm about job " + id + ": " + show.message() + "; " + kSlurmFix);
}

Status SlurmExecutor::cancel(int64_t job_id) const {
  SHOAL_TRY(out, slurm({"scancel", std::to_string(job_id)}));
  if (out.exit_code != 0)
    return fail(ErrorKind::remote, "scancel " + std::to_string(job_id) + " failed: " + out.message());
  return {};
}

void SlurmExecutor::record_state(const store::SlurmJob& job, const std::string& state, bool collected) {
  if (options_.store_path.empty()) return;
  auto db = store::Store::open(options_.store_path, store::OpenMode::create);
  Status st = db ? store::update_slurm_job(*db, job.job_id, state, collected) : Status(db.error());
  if (!st) log::warn("slurm", "cannot record the state of job " + std::to_string(job.job_id) + ": " + st.error().message);
}

Expected<JobResult> SlurmExecutor::finish(const store::SlurmJob& job, const SlurmJobStatus& st, bool cancel_sent,
                                          double waited_s) {
  const std::string id = std::to_string(job.job_id);
  const std::string ended = st.state.empty() ? "GONE" : st.state;
  record_state(job, ended, true);
  const fs::path log_path = slurm_job_files(job.workdir, job.job_id).log;
  std::error_code ec;
  if (fs::exists(job.result_path, ec)) {
    SHOAL_TRY(text, read_file(job.result_path));
    json doc = json::parse(text, nullptr, false);
    auto result = JobResult::from_json(doc);
    if (!result)
      return fail(ErrorKind::remote, "Slurm job " + id + " left an unreadable result in " + job.result_path + ": " +
                                         result.error().message);
    if (cancel_sent && result->limit_hit.empty() && !result->succeeded()) result->limit_hit = limit::cancelled;
    return result;
  }
  // No result file: the sandbox never finished. Say why, as a result where Slurm stopped it.
  JobResult r;
  r.wall_s = waited_s;
  r.stderr_tail = file_tail(log_path, 16384);
  r.stderr_bytes = static_cast<int64_t>(r.stderr_tail.size());
  r.signal = st.signal;
  if (cancel_sent || st.state == "CANCELLED") r.limit_hit = limit::cancelled;
  else if (st.state == "TIMEOUT" || st.state == "DEADLINE") r.limit_hit = limit::wall_time;
  else if (st.state == "OUT_OF_MEMORY") r.limit_hit = limit::memory;
  else if (st.state == "NODE_FAIL") r.limit_hit = "node_fail";
  if (!r.limit_hit.empty()) {
    if (r.signal == 0) r.signal = SIGKILL;
    return r;
  }
  std::string why = "Slurm job " + id + " ended " + ended;
  if (!st.reason.empty() && st.reason != "None") why += " (" + st.reason + ")";
  if (!st.state.empty()) why += " with exit status " + std::to_string(st.exit_code);
  why += " without writing its result " + job.result_path;
  if (!r.stderr_tail.empty()) why += "; its log " + log_path.string() + " ends with: " + file_tail(log_path, 600);
  else why += "; check that " + options_.shoal_binary.string() + " exists on the compute nodes";
  return fail(ErrorKind::remote, why);
}

Expected<JobResult> SlurmExecutor::wait(const store::SlurmJob& job, const CancelToken& cancel) {
  Stopwatch waited, last_answer;
  bool cancel_sent = false;
  Stopwatch since_cancel;
  std::string last_state = job.state;
  while (true) {
    if (cancel.cancelled() && !cancel_sent) {
      if (auto st = this->cancel(job.job_id); !st) log::warn("slurm", st.error().message);
      cancel_sent = true;
      since_cancel = Stopwatch();
    }
    auto st = status(job.job_id);
    if (!st) {
      if (last_answer.seconds() > options_.unreachable_grace_s)
        return fail(ErrorKind::remote, "lost contact with Slurm while waiting for job " + std::to_string(job.job_id) +
                                           " (it may still run; a restart re-attaches to it): " + st.error().message);
    } else {
      last_answer = Stopwatch();
      // The id now names another job (the cluster's state was reset): ours is gone.
      if (!st->name.empty() && st->name != slurm_job_name(job.workdir)) *st = SlurmJobStatus{};
      if (st->state != last_state && !st->state.empty()) {
        record_state(job, st->state, false);
        last_state = st->state;
      }
      std::error_code ec;
      bool have_result = fs::exists(job.result_path, ec);
      if (st->state.empty() || is_terminal_slurm_state(st->state) || (st->state == "COMPLETING" && have_result))
        return finish(job, *st, cancel_sent, waited.seconds());
      // A job that ignores scancel for long (a stuck node) is given up on, and said so.
      if (cancel_sent && since_cancel.seconds() > 120) return finish(job, *st, true, waited.seconds());
    }
    if (cancel_sent) std::this_thread::sleep_for(std::chrono::duration<double>(options_.poll_interval_s));
    else sleep_unless_cancelled(options_.poll_interval_s, cancel);
  }
}

Expected<JobResult> SlurmExecutor::attach(int64_t job_id, const CancelToken& cancel) {
  if (options_.store_path.empty())
    return fail(ErrorKind::invalid_input, "attaching to Slurm job " + std::to_string(job_id) +
                                              " needs the store that recorded it (SlurmOptions::store_path)");
  SHOAL_TRY(db, store::Store::open(options_.store_path, store::OpenMode::existing));
  SHOAL_TRY(found, store::find_slurm_job(db, job_id));
  if (!found)
    return fail(ErrorKind::not_found, "Slurm job " + std::to_string(job_id) + " was not submitted through this store (" +
                                          options_.store_path.string() + ")");
  log::info("slurm", "re-attaching to job " + std::to_string(job_id) + " for " + found->workdir);
  return wait(*found, cancel);
}

Expected<JobResult> SlurmExecutor::run(const JobSpec& spec, const CancelToken& cancel) {
  if (!options_.store_path.empty()) {
    SHOAL_TRY(db, store::Store::open(options_.store_path, store::OpenMode::create));
    SHOAL_TRY(found, store::find_uncollected_slurm_job(db, spec.workdir.lexically_normal().string()));
    if (found) {
      SHOAL_TRY(st, status(found->job_id));
      std::error_code ec;
      bool known = !st.state.empty() && (st.name.empty() || st.name == slurm_job_name(found->workdir));
      if (known || fs::exists(found->result_path, ec)) {
        log::info("slurm", "re-attaching to job " + std::to_string(found->job_id) + " for " + found->workdir);
        return wait(*found, cancel);
      }
      // Slurm forgot it and it left no result: it will never finish, so run the job anew.
      log::warn("slurm", "recorded job " + std::to_string(found->job_id) + " for " + found->workdir +
                             " is unknown to Slurm and left no result; submitting the job again");
      record_state(*found, "GONE", true);
    }
  }
  SHOAL_TRY(job, submit(spec));
  return wait(job, cancel);
}

}  // namespace shoal::experiments
