// Running one command in a bubblewrap sandbox: no network, read-only system, only the work
// folder writable, private /tmp, a cleared environment, own PID/IPC/UTS/cgroup namespaces,
// an unprivileged user when started as root, rlimits, a job cgroup where one is writable,
// and supervision of time, output and disk (supervisor.hpp). See README.md, "Sandbox".
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "experiments/cgroup.hpp"
#include "experiments/executor.hpp"

namespace shoal::experiments {

struct SandboxOptions {
  // Who runs the job when Shoal runs as root: "pool" (a shoal-sandbox-N of its own per
  // running job, uid_pool.hpp) or the name of one user that every job shares.
  std::string user = "pool";
  std::chrono::milliseconds pool_wait{30000};  // how long a job waits for a free pool member
  std::filesystem::path pool_locks = "/run/shoal/uids";  // the pool's lock files (uid_pool.hpp)
  bool kill_leftovers = true;  // kill what a just-leased member still runs (off for tests with private locks)
  // Root's staging mount point (a private tmpfs per job, see SpawnPlan::stage_root).
  std::filesystem::path stage_root = "/run/shoal/stage";
  bool use_cgroups = true;             // false forces the "no cgroup" mode
  std::string bwrap = "bwrap";         // found on PATH unless it has a slash
};

// The bwrap arguments that run `spec` (without the leading "bwrap"). They name descriptors
// the bwrap process must have: 3 its status pipe, 4 the work folder, 5 the seccomp filter,
// 6... the spec's ro_binds in order. With `stage` set, the work folder and ro_binds are
// bound from where root staged them (stage/work, stage/ro0, ...) instead of descriptors 4
// and 6...: bwrap resolves a descriptor's path as the sandbox user, who may not be able to
// enter the folders above it.
std::vector<std::string> bwrap_arguments(const JobSpec& spec, const std::filesystem::path& workdir,
                                         const std::filesystem::path& stage = {});

// Checks once per process and options that bwrap exists and can build a sandbox as the user
// that would run it. The error (ErrorKind::sandbox) names the fix.
Status check_sandbox(const SandboxOptions& options);

// Runs `spec` to completion in the sandbox (or, with spec.unsafe_no_sandbox, directly with
// rlimits only). Errors mean the job could not be started at all; transient = true when
// the host stayed short of something for a few seconds of retries (no free pool member,
// EAGAIN or ENOMEM starting bwrap, a cgroup refused): trying later can succeed, so the
// caller should park the work rather than fail it. Only the result judges the experiment.
Expected<JobResult> run_sandboxed(const JobSpec& spec, const SandboxOptions& options, const CancelToken& cancel);

// The cgroup support this process found (detected once).
const CgroupSupport& cgroup_support();

}  // namespace shoal::experiments
