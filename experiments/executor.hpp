// The executor interface: what a job is (JobSpec), what running it gives (JobResult),
// and the Executor that runs it (local pool in local_executor.hpp, Slurm in slurm_*.hpp).
// JobResult::to_json() is exactly what `shoal sandbox` prints, so an executor that runs
// `shoal sandbox ... -- CMD` elsewhere (a Slurm compute node) reads the outcome back with
// JobResult::from_json().
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"
#include "store/nodes.hpp"

namespace shoal::experiments {

// What a job may use. Zero (or less) means "no limit" for cpu_s only; every other limit
// is always enforced.
struct Limits {
  double wall_s = 3600;                   // wall-clock time, then the whole tree is killed
  double cpu_s = 0;                       // CPU seconds (RLIMIT_CPU); 0: none
  int64_t memory_bytes = 4LL << 30;       // address space (RLIMIT_AS) and memory cgroup
  int max_procs = 256;                    // processes/threads (RLIMIT_NPROC, pids cgroup)
  int64_t max_file_bytes = 1LL << 30;     // largest file written (RLIMIT_FSIZE)
  int max_open_files = 1024;              // RLIMIT_NOFILE
  int64_t max_output_bytes = 64LL << 20;  // stdout + stderr together, then killed
  int64_t max_disk_bytes = 2LL << 30;     // size of the work folder, polled, then killed
  int64_t tail_bytes = 16384;             // last bytes of stdout and of stderr kept

  nlohmann::json to_json() const;
  // Missing keys keep their defaults; badly typed ones are invalid_input.
  static Expected<Limits> from_json(const nlohmann::json& j);
};

// One command to run.
struct JobSpec {
  std::vector<std::string> argv;               // argv[0] is looked up on the sandbox's PATH
  std::filesystem::path workdir;               // the only writable folder; the command's cwd
  Limits limits;
  std::map<std::string, std::string> env;      // added to the sandbox's allow-list
  std::vector<std::filesystem::path> ro_binds; // extra read-only paths (a template folder)
  int cpus = 1;                                // CPU slots; also OMP_NUM_THREADS
  int gpus = 0;                                // GPU slots; >0 passes /dev/nvidia* through
  bool unsafe_no_sandbox = false;              // rlimits only, loud, recorded on the result
};

// Why a job was stopped (JobResult::limit_hit); empty when it exited by itself.
namespace limit {
inline constexpr const char* wall_time = "wall_time";
inline constexpr const char* cpu_time = "cpu_time";
inline constexpr const char* memory = "memory";
inline constexpr const char* processes = "processes";
inline constexpr const char* file_size = "file_size";
inline constexpr const char* output = "output";
inline constexpr const char* disk = "disk";
inline constexpr const char* cancelled = "cancelled";
}  // namespace limit

// How a job ended.
struct JobResult {
  int exit_code = -1;           // the command's exit status; -1 when killed by a signal
  int signal = 0;               // the signal that ended it, 0 if none
  std::string limit_hit;        // "" or one of limit::*
  double wall_s = 0, cpu_s = 0; // wall-clock and user+system CPU seconds
  int64_t peak_memory_bytes = 0;
  std::string stdout_tail, stderr_tail;   // last Limits::tail_bytes of each
  int64_t stdout_bytes = 0, stderr_bytes = 0;  // total bytes written to each
  bool sandboxed = true;        // false only for unsafe_no_sandbox runs
  bool started = true;          // false when bwrap ended before starting the command (not in to_json)

  // Exited by itself with status 0.
  bool succeeded() const { return exit_code == 0 && signal == 0 && limit_hit.empty(); }
  nlohmann::json to_json() const;
  // Reads what to_json() wrote; a missing or badly typed key is invalid_input.
  static Expected<JobResult> from_json(const nlohmann::json& j);
};

// Records how a job ended on the experiment node it ran: exit code, signal, limit hit,
// the output tails and the wall time.
void record_job(store::Node& node, const JobResult& result);

// A thread-safe "please stop" flag shared between the caller and a running job.
class CancelToken {
 public:
  void cancel() { flag_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> flag_{false};
};

// Runs jobs somewhere (this machine, a cluster).
class Executor {
 public:
  virtual ~Executor() = default;
  // "local", "slurm"
  virtual std::string name() const = 0;
  // Runs the job to completion (blocking; call from a worker thread). Errors are for
  // jobs that could not be run at all (sandbox refused, workdir missing, submit failed);
  // a job that ran and failed or hit a limit is a JobResult.
  virtual Expected<JobResult> run(const JobSpec& spec, const CancelToken& cancel) = 0;
};

// "2G", "512M", "64k", "100" (bytes; K/M/G/T are powers of 1024) to bytes.
Expected<int64_t> parse_size(const std::string& text);

// The `shoal sandbox` options and command that run `spec` exactly as an executor would:
// {"--timeout", "3600", ..., "--workdir", DIR, "--", argv...}. Prefix with the path of the
// shoal binary to get a command line (the Slurm executor puts it in its batch script).
std::vector<std::string> sandbox_command_args(const JobSpec& spec);

}  // namespace shoal::experiments
