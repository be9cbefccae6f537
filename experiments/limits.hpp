// The kernel resource limits (rlimits) of a job, and the environment allow-list it gets.
#pragma once

#include <sys/resource.h>

#include <string>
#include <utility>
#include <vector>

#include "experiments/executor.hpp"

namespace shoal::experiments {

// RLIMIT_AS, RLIMIT_CPU, RLIMIT_NPROC, RLIMIT_FSIZE, RLIMIT_NOFILE and RLIMIT_CORE=0 for a
// job. With a memory cgroup doing the real memory limit, the address space gets twice the
// room (runtimes reserve far more than they touch) so the cgroup's OOM killer, which the
// result can name, fires first.
std::vector<std::pair<int, rlimit>> job_rlimits(const Limits& limits, bool memory_cgroup);

// PATH the sandboxed command sees.
inline constexpr const char* sandbox_path = "/usr/local/bin:/usr/bin:/bin";

// The whole environment of a job ("KEY=VALUE"): PATH, HOME=workdir, LANG=C.UTF-8,
// TMPDIR=/tmp, OMP_NUM_THREADS and OPENBLAS_NUM_THREADS=cpus, MPLBACKEND=Agg,
// PYTHONDONTWRITEBYTECODE=1, PYTHONUNBUFFERED=1, CUDA_VISIBLE_DEVICES, then spec.env on top.
// Nothing is inherited from the orchestrator's environment.
std::vector<std::string> job_environment(const JobSpec& spec);

}  // namespace shoal::experiments
