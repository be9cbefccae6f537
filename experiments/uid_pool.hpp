// The pool of unprivileged sandbox users (shoal-sandbox-0..N-1, made by scripts/setup): when
// Shoal runs as root, each running job holds one of them alone, through an flock on a file per
// user under a root-only folder, so RLIMIT_NPROC and file ownership count per job, even across
// several Shoal processes. The lock dies with the process that holds it (kill -9 included).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace shoal::experiments {

// The value of the sandbox_user setting that asks for the pool.
inline constexpr const char* pool_setting = "pool";
// Pool members are named this prefix plus 0, 1, ...
inline constexpr const char* pool_prefix = "shoal-sandbox-";
// Where the lock files live (root-only).
inline constexpr const char* pool_lock_dir = "/run/shoal/uids";

// One unprivileged user: name, uid and primary group.
struct SandboxUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// The user called `name`, or not_found; a sandbox error when it is root.
Expected<SandboxUser> find_user(const std::string& name);

// The pool members that exist on this machine, in order (stops at the first gap).
std::vector<SandboxUser> pool_members();

// A pool member held by this job until the lease is destroyed.
class UidLease {
 public:
  UidLease() = default;
  UidLease(SandboxUser user, int lock_fd) : user_(std::move(user)), fd_(lock_fd) {}
  UidLease(UidLease&& o) noexcept : user_(std::move(o.user_)), fd_(std::exchange(o.fd_, -1)) {}
  UidLease& operator=(UidLease&& o) noexcept;
  ~UidLease();
  const SandboxUser& user() const { return user_; }

 private:
  SandboxUser user_;
  int fd_ = -1;
};

// Takes a member of `members` that no other job holds, trying again every 100 ms until
// `wait` has passed or `cancelled` says stop. A pool that stays busy is a transient error
// (ErrorKind::sandbox, transient = true): the caller may park the work and try later.
Expected<UidLease> lease_pool_user(const std::vector<SandboxUser>& members, std::chrono::milliseconds wait,
                                   const std::function<bool()>& cancelled,
                                   const std::filesystem::path& lock_dir = pool_lock_dir);

// As root, SIGKILLs every process of `uid` (a child that becomes the user sends kill(-1)).
// A pool member just leased has no job, so what it still runs is a leftover that would
// count against the new job's RLIMIT_NPROC.
void kill_processes_of(uid_t uid);

// How many members are held by some job right now (for `shoal doctor`).
int busy_pool_members(const std::vector<SandboxUser>& members, const std::filesystem::path& lock_dir = pool_lock_dir);

}  // namespace shoal::experiments
