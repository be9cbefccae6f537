// fork + exec with the child's setup done by async-signal-safe calls only (see spawn.hpp).
#include "experiments/spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace shoal::experiments {
namespace fs = std::filesystem;
namespace {

// What the child reports when a setup step fails: the step and errno.
struct ChildFailure {
  int step;
  int err;
};

const char* const step_names[] = {"joining the job cgroup", "setting rlimits", "dropping privileges",
                                  "setting the parent-death signal", "setting up file descriptors",
                                  "changing directory", "executing the program", "staging the job's folders"};
constexpr int stage_step = 7;

// Writes the failed step into the report pipe and exits; only async-signal-safe calls.
[[noreturn]] void child_fail(int report_fd, int step) {
  ChildFailure f{step, errno};
  ssize_t ignored = ::write(report_fd, &f, sizeof f);
  (void)ignored;
  ::_exit(127);
}

// A private mount namespace with a tmpfs at plan.stage_root holding the stage binds; only
// async-signal-safe calls (the strings were built before fork).
void stage_mounts(const SpawnPlan& plan, int report_fd) {
  if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      ::mount("shoal-stage", plan.stage_root.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") != 0)
    child_fail(report_fd, stage_step);
  for (const StageBind& b : plan.stage_binds) {
    int made = b.directory ? ::mkdir(b.target.c_str(), 0755)
                           : ::open(b.target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (made < 0) child_fail(report_fd, stage_step);
    if (!b.directory) ::close(made);
    if (::mount(b.source.c_str(), b.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      child_fail(report_fd, stage_step);
  }
}

// True for an errno that says the host is short of something for now, not that the plan is wrong.
bool transient_errno(int err) { return err == EAGAIN || err == ENOMEM; }

// Decimal text of a pid into buf (no allocation); returns its length.
size_t format_pid(pid_t pid, char* buf) {
  char tmp[24];
  size_t n = 0;
  unsigned long v = static_cast<unsigned long>(pid);
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  for (size_t i = 0; i < n; ++i) buf[i] = tmp[n - 1 - i];
  return n;
}

// The child's side, between fork and exec.
[[noreturn]] void run_child(const SpawnPlan& plan, const std::vector<int>& cgroup_fds, char* const* argv,
                            char* const* envp, int report_fd, pid_t parent) {
  // 0: join the cgroups first, while still privileged, so every descendant is inside.
  char pidbuf[24];
  size_t len = format_pid(::getpid(), pidbuf);
  for (int fd : cgroup_fds)
    if (::write(fd, pidbuf, len) != static_cast<ssize_t>(len)) child_fail(report_fd, 0);
  ::setpgid(0, 0);
  // 1: rlimits (RLIMIT_NPROC is checked against the real uid set below).
  for (const auto& [resource, value] : plan.rlimits)
    if (::setrlimit(resource, &value) != 0) child_fail(report_fd, 1);
  // 7: the staged folders, while still privileged.
  if (!plan.stage_root.empty()) stage_mounts(plan, report_fd);
  // 2: the unprivileged user; groups first, then gid, then uid.
  if (plan.uid) {
    if (::setgroups(0, nullptr) != 0 || ::setresgid(plan.gid, plan.gid, plan.gid) != 0 ||
        ::setresuid(*plan.uid, *plan.uid, *plan.uid) != 0)
      child_fail(report_fd, 2);
  }
  // 3: die with the orchestrator (set after the uid change, which clears it).
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    child_fail(report_fd, 3);
  if (::getppid() != parent) ::_exit(127);
  // 4: stdin from /dev/null, stdout/stderr to the pipes, kept fds at 3, 4, ...; the report
  // pipe is moved above them and closed by exec (O_CLOEXEC).
  int high = 3 + static_cast<int>(plan.keep_fds.size()) + 16;
  int moved_report = ::fcntl(report_fd, F_DUPFD_CLOEXEC, high);
  if (moved_report < 0) child_fail(report_fd, 4);
  report_fd = moved_report;
  std::vector<int>::size_type n = plan.keep_fds.size();
  int tmp_base = high + 1;
  // First lift every kept fd above the target range so dup2 cannot clobber a source.
  int lifted[64];
  if (n > 64) child_fail(report_fd, 4);
  for (size_t i = 0; i < n; ++i) {
    lifted[i] = ::fcntl(plan.keep_fds[i], F_DUPFD_CLOEXEC, tmp_base);
    if (lifted[i] < 0) child_fail(report_fd, 4);
  }
  int out = ::fcntl(plan.stdout_fd, F_DUPFD_CLOEXEC, tmp_base);
  int err = ::fcntl(plan.stderr_fd, F_DUPFD_CLOEXEC, tmp_base);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || err < 0 || null_fd < 0) child_fail(report_fd, 4);
  if (::dup2(null_fd, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) child_fail(report_fd, 4);
  for (size_t i = 0; i < n; ++i)
    if (::dup2(lifted[i], 3 + static_cast<int>(i)) < 0) child_fail(report_fd, 4);
  // Close everything else except the report pipe (closed on exec).
  int first_free = 3 + static_cast<int>(n);
  if (report_fd > first_free) ::close_range(first_free, report_fd - 1, 0);
  ::close_range(report_fd + 1, ~0U, 0);
  // 5: working directory.
  if (!plan.cwd.empty() && ::chdir(plan.cwd.c_str()) != 0) child_fail(report_fd, 5);
  // 6: exec; signals back to defaults first.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(plan.program.c_str(), argv, envp);
  child_fail(report_fd, 6);
}

}  // namespace

std::optional<fs::path> find_program(const std::string& name, const std::string& search_path) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return fs::path(name);
    return std::nullopt;
  }
  const std::string& dirs = search_path;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    fs::path candidate = fs::path(dirs.substr(start, end - start)) / name;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

Expected<pid_t> spawn(const SpawnPlan& plan) {
  // Everything the child needs is prepared here: it may not allocate after fork.
  std::vector<char*> argv, envp;
  for (const auto& a : plan.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : plan.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  std::vector<int> cgroup_fds;
  auto close_all = [&] {
    for (int fd : cgroup_fds) ::close(fd);
  };
  for (const auto& p : plan.cgroup_procs) {
    int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      close_all();
      return fail(ErrorKind::sandbox, "cannot open " + p.string() + ": " + std::strerror(e));
    }
    cgroup_fds.push_back(fd);
  }
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    close_all();
    return fail(ErrorKind::sandbox, std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    close_all();
    ::close(report[0]);
    ::close(report[1]);
    Error error = fail(ErrorKind::sandbox, std::string("cannot fork: ") + std::strerror(e));
    error.transient = transient_errno(e);
    return error;
  }
  if (pid == 0) {
    ::close(report[0]);
    run_child(plan, cgroup_fds, argv.data(), envp.data(), report[1], parent);
  }
  close_all();
  ::close(report[1]);
  // The report pipe closes on a successful exec; a failure arrives as a ChildFailure.
  ChildFailure f{};
  ssize_t n;
  do {
    n = ::read(report[0], &f, sizeof f);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof f)) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::string step = f.step >= 0 && f.step <= stage_step ? step_names[f.step] : "setup";
    Error error = fail(ErrorKind::sandbox, "starting " + plan.program.string() + " failed while " + step + ": " +
                                               std::strerror(f.err));
    error.transient = transient_errno(f.err);
    return error;
  }
  return pid;
}

}  // namespace shoal::experiments
