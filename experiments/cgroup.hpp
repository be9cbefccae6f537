// Per-job control groups: a memory limit, a process limit, OOM detection and a reliable
// kill of the whole job, wherever this machine lets us create cgroups. Handles cgroup v2
// (unified), v1 (memory and pids hierarchies), the v1/v2 hybrid, and none at all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace shoal::experiments {

enum class CgroupMode { none, v1, v2 };

// Where job cgroups can be created, found once by detect_cgroups().
struct CgroupSupport {
  CgroupMode mode = CgroupMode::none;
  std::filesystem::path memory_parent;  // v2: the unified parent; v1: in the memory hierarchy
  std::filesystem::path pids_parent;    // v1 only (may be empty); v2 uses memory_parent
  std::string description;              // for logs and `shoal sandbox --explain`-like output
};

// Looks at /proc/self/cgroup and /sys/fs/cgroup and tries to create (then removes) a test
// child to find where this process may create job cgroups. Never fails: none is a mode.
CgroupSupport detect_cgroups();

// Stable name of a mode: "none", "v1", "v2".
std::string to_string(CgroupMode mode);

// One job's cgroup(s); removed (after killing what is left in them) on destruction.
class JobCgroup {
 public:
  // Creates the job's cgroups named `name` with memory.max / memory.limit_in_bytes and
  // pids.max set. An error means the cgroup could not be set up (the job may still run
  // without one); support.mode == none gives an empty JobCgroup.
  static Expected<std::unique_ptr<JobCgroup>> create(const CgroupSupport& support, const std::string& name,
                                                     int64_t memory_bytes, int max_procs);
  ~JobCgroup();
  JobCgroup(const JobCgroup&) = delete;
  JobCgroup& operator=(const JobCgroup&) = delete;

  bool has_memory() const { return !memory_dir_.empty(); }
  bool has_pids() const { return !pids_dir_.empty(); }
  // The cgroup.procs files a new process writes its pid into to join the job.
  std::vector<std::filesystem::path> procs_files() const;
  // SIGKILLs every process in the job's cgroups (cgroup.kill on v2, else task by task).
  void kill_all() const;
  // The kernel OOM-killed a process of the job.
  bool oom_killed() const;
  // A fork or clone failed because pids.max was reached.
  bool pids_limit_hit() const;
  // Highest memory use seen by the cgroup, 0 when unknown.
  int64_t peak_memory_bytes() const;
  // Processes in the job's cgroup now; -1 when unknown.
  int process_count() const;

 private:
  JobCgroup() = default;
  CgroupMode mode_ = CgroupMode::none;
  std::filesystem::path memory_dir_;
  std::filesystem::path pids_dir_;  // equal to memory_dir_ on v2
};

}  // namespace shoal::experiments
