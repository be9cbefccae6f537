// The sandbox user pool (see uid_pool.hpp).
#include "experiments/uid_pool.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

namespace shoal::experiments {
namespace fs = std::filesystem;
namespace {

// Where the next search starts, so that consecutive jobs spread over the pool.
std::atomic<size_t> next_member{0};

// The lock folder, made root-only when missing.
Status ensure_lock_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(ErrorKind::sandbox, "cannot create the sandbox user lock folder " + dir.string() + ": " + ec.message());
  if (::chmod(dir.c_str(), 0700) != 0)
    return fail(ErrorKind::sandbox, "cannot restrict " + dir.string() + ": " + std::strerror(errno));
  return {};
}

// Opens `user`'s lock file and takes its lock without waiting: the fd, or -1 when held.
Expected<int> try_lock(const fs::path& dir, const SandboxUser& user) {
  fs::path file = dir / (user.name + ".lock");
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail(ErrorKind::sandbox, "cannot open the lock " + file.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
  int err = errno;
  ::close(fd);
  if (err == EWOULDBLOCK) return -1;
  return fail(ErrorKind::sandbox, "cannot lock " + file.string() + ": " + std::strerror(err));
}

}  // namespace

Expected<SandboxUser> find_user(const std::string& name) {
  passwd pw{}, *found = nullptr;
  char buf[4096];
  if (::getpwnam_r(name.c_str(), &pw, buf, sizeof buf, &found) != 0 || !found)
    return fail(ErrorKind::not_found, "no user '" + name + "'");
  if (pw.pw_uid == 0)
    return fail(ErrorKind::sandbox, "the sandbox user '" + name + "' is root: it must be an unprivileged user used by nothing else");
  return SandboxUser{name, pw.pw_uid, pw.pw_gid};
}

std::vector<SandboxUser> pool_members() {
  std::vector<SandboxUser> out;
  for (int i = 0; i < 256; ++i) {
    auto user = find_user(pool_prefix + std::to_string(i));
    if (!user.ok()) break;
    out.push_back(*user);
  }
  return out;
}

UidLease& UidLease::operator=(UidLease&& o) noexcept {
  std::swap(user_, o.user_);
  std::swap(fd_, o.fd_);
  return *this;
}

UidLease::~UidLease() {
  if (fd_ >= 0) ::close(fd_);  // closing the only descriptor releases the flock
}

Expected<UidLease> lease_pool_user(const std::vector<SandboxUser>& members, std::chrono::milliseconds wait,
                                   const std::function<bool()>& cancelled, const fs::path& lock_dir) {
  if (members.empty()) return fail(ErrorKind::sandbox, "the sandbox user pool is empty: run scripts/setup");
  SHOAL_CHECK(ensure_lock_dir(lock_dir));
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    size_t start = next_member++;
    for (size_t k = 0; k < members.size(); ++k) {
      const SandboxUser& user = members[(start + k) % members.size()];
      SHOAL_TRY(fd, try_lock(lock_dir, user));
      if (fd >= 0) return UidLease(user, fd);
    }
    if (cancelled && cancelled()) return fail(ErrorKind::cancelled, "cancelled while waiting for a free sandbox user");
    if (std::chrono::steady_clock::now() >= deadline) {
      Error e = fail(ErrorKind::sandbox, "all " + std::to_string(members.size()) + " sandbox users (" + pool_prefix +
                                             "N) stayed busy with other jobs; try again when some have finished, or "
                                             "add users with SHOAL_SANDBOX_POOL=N scripts/setup");
      e.transient = true;
      return e;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void kill_processes_of(uid_t uid) {
  if (::geteuid() != 0) return;
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setresuid(uid, uid, uid) == 0) ::kill(-1, SIGKILL);
    ::_exit(0);
  }
  if (pid > 0) ::waitpid(pid, nullptr, 0);
}

int busy_pool_members(const std::vector<SandboxUser>& members, const fs::path& lock_dir) {
  int busy = 0;
  for (const auto& user : members) {
    auto fd = try_lock(lock_dir, user);
    if (fd.ok() && *fd < 0) ++busy;
    if (fd.ok() && *fd >= 0) ::close(*fd);
  }
  return busy;
}

}  // namespace shoal::experiments
