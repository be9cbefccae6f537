// rlimits and the environment allow-list of a job (see limits.hpp).
#include "experiments/limits.hpp"

#include <cmath>
#include <cstdint>
#include <map>

namespace shoal::experiments {
namespace {

// An rlimit with equal soft and hard values.
rlimit both(rlim_t v) { return rlimit{v, v}; }

}  // namespace

std::vector<std::pair<int, rlimit>> job_rlimits(const Limits& limits, bool memory_cgroup) {
  std::vector<std::pair<int, rlimit>> out;
  int64_t as = limits.memory_bytes;
  if (memory_cgroup) as = as > (INT64_MAX / 2) ? INT64_MAX : as * 2;
  out.push_back({RLIMIT_AS, both(static_cast<rlim_t>(as))});
  if (limits.cpu_s > 0) {
    // SIGXCPU at the soft limit, SIGKILL a second later for a process that ignores it.
    auto soft = static_cast<rlim_t>(std::ceil(limits.cpu_s));
    out.push_back({RLIMIT_CPU, rlimit{soft, soft + 1}});
  }
  out.push_back({RLIMIT_NPROC, both(static_cast<rlim_t>(limits.max_procs))});
  out.push_back({RLIMIT_FSIZE, both(static_cast<rlim_t>(limits.max_file_bytes))});
  out.push_back({RLIMIT_NOFILE, both(static_cast<rlim_t>(limits.max_open_files))});
  out.push_back({RLIMIT_CORE, both(0)});
  return out;
}

std::vector<std::string> job_environment(const JobSpec& spec) {
  std::string cpus = std::to_string(spec.cpus > 0 ? spec.cpus : 1);
  std::map<std::string, std::string> env = {
      {"PATH", sandbox_path},
      {"HOME", spec.workdir.string()},
      {"LANG", "C.UTF-8"},
      {"TMPDIR", "/tmp"},
      {"OMP_NUM_THREADS", cpus},
      {"OPENBLAS_NUM_THREADS", cpus},
      {"MPLBACKEND", "Agg"},
      {"PYTHONDONTWRITEBYTECODE", "1"},
      {"PYTHONUNBUFFERED", "1"},
  };
  // GPUs 0..gpus-1 unless the executor assigned specific ones through spec.env.
  std::string gpus;
  for (int i = 0; i < spec.gpus; ++i) gpus += (i ? "," : "") + std::to_string(i);
  env["CUDA_VISIBLE_DEVICES"] = gpus;
  for (const auto& [k, v] : spec.env) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace shoal::experiments
