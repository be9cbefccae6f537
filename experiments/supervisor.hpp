// Watching a started job until it ends: reads its output into tails, enforces the wall
// time, total output, disk use, process count, CPU time and the memory cgroup, honours
// cancellation, kills the whole tree when a limit fires, and says which one did.
#pragma once

#include <sys/types.h>

#include "experiments/cgroup.hpp"
#include "experiments/executor.hpp"

namespace shoal::experiments {

struct Supervision {
  pid_t pid = -1;                   // the started process (bwrap, or the command unsandboxed)
  int stdout_fd = -1;               // read ends of its output pipes (closed by supervise)
  int stderr_fd = -1;
  int status_fd = -1;               // bwrap's --json-status-fd read end; -1 unsandboxed
  const JobCgroup* cgroup = nullptr;  // the job's cgroup, if any
};

// Blocks until the job has ended and everything it started is gone.
JobResult supervise(const Supervision& job, const JobSpec& spec, const CancelToken& cancel);

}  // namespace shoal::experiments
