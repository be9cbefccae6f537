// The Slurm executor: runs each job with `sbatch` on a cluster, inside the same sandbox
// as the local executor (`shoal sandbox ...` on the compute node), through a shared
// work folder. It polls `squeue --json` (falling back to `scontrol show job`), cancels
// with `scancel`, and records every submitted job in the store so that a restarted
// orchestrator re-attaches to it instead of submitting it again.
//
// For a job whose work folder is SHARED/W the executor writes, beside it (never inside,
// the sandbox sees only W): SHARED/W.slurm.sh (the batch script); the job writes
// SHARED/W.<job id>.result.json (what `shoal sandbox` printed: a JobResult) and Slurm
// SHARED/W.<job id>.slurm.log. Per job id, so no job ever reads another's result.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "experiments/command.hpp"
#include "experiments/executor.hpp"
#include "store/slurm_jobs.hpp"

namespace shoal::experiments {

struct SlurmOptions {
  std::string partition;                 // --partition; "": the cluster's default
  std::string account;                   // --account; "": the user's default
  double time_limit_s = 0;               // --time; 0: the job's wall limit plus a minute
  int64_t memory_bytes = 0;              // --mem; 0: the job's memory limit
  int gpus = -1;                         // --gres=gpu:N; -1: the job's own GPU count
  std::vector<std::string> sbatch_args;  // more sbatch flags, passed as given
  double poll_interval_s = 2;            // between two squeue calls
  std::filesystem::path shoal_binary;    // shoal as the compute nodes see it; "": this program
  std::filesystem::path shared_dir;      // work folders must lie under it; "": not checked
  std::filesystem::path store_path;      // shoal.db that records jobs; "": no re-attach
  std::string slurm_conf;                // SLURM_CONF for the Slurm commands; "": inherited
  double command_timeout_s = 60;         // one sbatch/squeue/scontrol/scancel call
  double unreachable_grace_s = 300;      // Slurm may not answer this long while we wait
};

// The executor options from the config table (slurm_* settings) and the home.
Expected<SlurmOptions> slurm_options_from_config(const Config& config);

// Slurm's view of one job.
struct SlurmJobStatus {
  std::string name;    // the job's name (Shoal names its jobs shoal-<work folder name>)
  std::string state;   // PENDING, RUNNING, COMPLETED, FAILED, ...; "" when Slurm forgot it
  std::string reason;  // why it is pending or how it ended (Slurm's Reason)
  int exit_code = 0;   // the batch script's exit status
  int signal = 0;      // the signal that ended the batch script, 0 if none
};

// True for states after which the job never runs again (COMPLETED, FAILED, TIMEOUT, ...).
bool is_terminal_slurm_state(std::string_view state);

// The status of job `job_id` in `squeue --json` output; state "" when it is not listed.
// `listed`, when given, receives how many jobs the output holds.
Expected<SlurmJobStatus> parse_squeue_json(const std::string& text, int64_t job_id, size_t* listed = nullptr);

// The status in `scontrol show job ID` output (JobState=, Reason=, ExitCode=).
Expected<SlurmJobStatus> parse_scontrol_job(const std::string& text);

// Where the files of job `job_id` whose work folder is `workdir` go (see the comment on
// top); with job_id 0, the script and the patterns that sbatch and the script fill in.
struct SlurmJobFiles {
  std::filesystem::path script, result, log;
};
SlurmJobFiles slurm_job_files(const std::filesystem::path& workdir, int64_t job_id);

// The Slurm job name of a job whose work folder is `workdir`: shoal-<folder name>.
std::string slurm_job_name(const std::filesystem::path& workdir);

class SlurmExecutor : public Executor {
 public:
  explicit SlurmExecutor(SlurmOptions options);

  std::string name() const override { return "slurm"; }

  // Re-attaches to a job recorded for spec.workdir whose result nobody collected yet (unless
  // Slurm no longer knows it and it left no result), else submits the job; then waits for it.
  Expected<JobResult> run(const JobSpec& spec, const CancelToken& cancel) override;

  // Writes the batch script, submits it and records it in the store (when there is one).
  Expected<store::SlurmJob> submit(const JobSpec& spec);

  // Waits for the recorded Slurm job `job_id` (after a restart, say) and returns its result.
  Expected<JobResult> attach(int64_t job_id, const CancelToken& cancel);

  // Waits for `job` to end (cancelling it with scancel when `cancel` fires) and reads its result.
  Expected<JobResult> wait(const store::SlurmJob& job, const CancelToken& cancel);

  // Slurm's current view of a job: squeue --json, else scontrol show job.
  Expected<SlurmJobStatus> status(int64_t job_id) const;

  // Asks Slurm to cancel the job (scancel).
  Status cancel(int64_t job_id) const;

  // The sbatch command line that submits `spec` (without the script path at the end).
  std::vector<std::string> sbatch_command(const JobSpec& spec) const;

  // The batch script that runs `spec` in the sandbox and writes its result file.
  std::string batch_script(const JobSpec& spec) const;

  const SlurmOptions& options() const { return options_; }

 private:
  Expected<CommandOutput> slurm(const std::vector<std::string>& argv) const;
  Expected<JobResult> finish(const store::SlurmJob& job, const SlurmJobStatus& status, bool cancel_sent,
                             double waited_s);
  void record_state(const store::SlurmJob& job, const std::string& state, bool collected);

  SlurmOptions options_;
  // Slurm 22.05's `squeue --json` ignores -j and lists every job; once seen, poll with
  // `scontrol show job ID` instead, which asks for one job only.
  mutable std::atomic<bool> squeue_lists_all_{false};
};

}  // namespace shoal::experiments
