// Starting one child process with everything set up between fork and exec: rlimits, a
// cgroup to join, an unprivileged user, its own process group, a parent-death signal, a
// clean environment and exactly the file descriptors it should have. The sandbox and the
// unsafe (no sandbox) path both start their process through spawn().
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace shoal::experiments {

// A folder or file bound (before privileges drop) at `target` inside the staging tmpfs.
struct StageBind {
  std::string source;  // a path the child (still root) can reach
  std::string target;  // absolute path under SpawnPlan::stage_root
  bool directory = true;
};

struct SpawnPlan {
  std::filesystem::path program;                // absolute path, executed with execve
  std::vector<std::string> argv;
  std::vector<std::string> env;                 // "KEY=VALUE": the whole environment
  std::filesystem::path cwd;                    // empty: stay
  std::vector<std::pair<int, rlimit>> rlimits;  // RLIMIT_* and value, applied before exec
  std::optional<uid_t> uid;                     // drop to this user (and gid) when set
  gid_t gid = 0;
  std::vector<std::filesystem::path> cgroup_procs;  // cgroup.procs files to join
  // When set, the child gets a private mount namespace with a small tmpfs at stage_root and
  // each stage bind mounted in it, all while still root: the unprivileged user then reaches
  // the binds at stage_root even when the folders above their sources are closed to it.
  std::string stage_root;
  std::vector<StageBind> stage_binds;
  int stdout_fd = -1, stderr_fd = -1;           // become 1 and 2; stdin is /dev/null
  std::vector<int> keep_fds;                    // become 3, 4, ... in this order
};

// Forks and execs the plan; returns the child's pid. Setup failures in the child (a
// cgroup, setuid, exec) are reported back through a pipe as an ErrorKind::sandbox error;
// one the host may clear by itself (EAGAIN, ENOMEM: a full process table, a uid at its
// RLIMIT_NPROC, memory short for a moment) has transient = true.
Expected<pid_t> spawn(const SpawnPlan& plan);

// `name` found in the colon-separated `search_path` (or itself when it has a slash);
// nullopt when not executable.
std::optional<std::filesystem::path> find_program(const std::string& name, const std::string& search_path);

}  // namespace shoal::experiments
