// The supervision loop of a running job (see supervisor.hpp).
#include "experiments/supervisor.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>

#include <nlohmann/json.hpp>

#include "experiments/output_tail.hpp"
#include "experiments/usage.hpp"

namespace shoal::experiments {
namespace {

using Clock = std::chrono::steady_clock;

// How often the cgroup, /proc and the work folder are looked at.
constexpr auto check_every = std::chrono::milliseconds(200);
// The work folder's size is walked every 100 ms, or less often for a folder so big that its
// walk would take more than a tenth of the time (a fast writer overshoots by what it
// writes between two walks).
constexpr auto disk_every = std::chrono::milliseconds(100);
constexpr int disk_walk_share = 10;
// How long output is still read after the job's process has exited.
constexpr auto drain_for = std::chrono::seconds(2);

// What bwrap reports on --json-status-fd: one JSON document per line.
struct BwrapStatus {
  pid_t child = -1;       // the namespace's init, as seen from here
  std::string pid_ns;     // "pid:[N]", as /proc/PID/ns/pid reads
  std::optional<int> exit_code;
  std::string pending;

  // Takes more bytes from the status pipe and parses every complete line.
  void feed(std::string_view data) {
    pending.append(data);
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      auto doc = nlohmann::json::parse(pending.substr(0, nl), nullptr, false);
      pending.erase(0, nl + 1);
      if (!doc.is_object()) continue;
      if (doc.contains("child-pid") && doc["child-pid"].is_number_integer()) child = doc["child-pid"].get<pid_t>();
      if (doc.contains("pid-namespace") && doc["pid-namespace"].is_number_integer())
        pid_ns = "pid:[" + std::to_string(doc["pid-namespace"].get<uint64_t>()) + "]";
      if (doc.contains("exit-code") && doc["exit-code"].is_number_integer()) exit_code = doc["exit-code"].get<int>();
    }
  }
};

// Reads what is available on fd into `sink`; closes fd and sets it to -1 at end of file.
template <class Sink>
void read_some(int& fd, Sink&& sink) {
  char buf[65536];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) {
    sink(std::string_view(buf, static_cast<size_t>(n)));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    ::close(fd);
    fd = -1;
  }
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

}  // namespace

JobResult supervise(const Supervision& job, const JobSpec& spec, const CancelToken& cancel) {
  const Limits& lim = spec.limits;
  JobResult r;
  r.sandboxed = job.status_fd >= 0;
  OutputTail out(lim.tail_bytes), err(lim.tail_bytes);
  BwrapStatus bwrap;
  int fds[3] = {job.stdout_fd, job.stderr_fd, job.status_fd};
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, job.pid, 0));

  auto start = Clock::now();
  auto exit_time = start;
  auto next_check = start, next_disk = start;
  bool exited = false;
  int wstatus = 0;
  rusage ru{};
  TreeUsage peak_usage;

  // SIGKILLs the whole job: its cgroup, its PID namespace (through the namespace's init)
  // and its process group.
  auto kill_tree = [&] {
    if (job.cgroup) job.cgroup->kill_all();
    if (!exited && bwrap.child > 0 && !bwrap.pid_ns.empty() && pid_namespace_of(bwrap.child) == bwrap.pid_ns)
      ::kill(bwrap.child, SIGKILL);
    ::kill(-job.pid, SIGKILL);
    if (!exited) ::kill(job.pid, SIGKILL);
  };
  auto stop = [&](const char* why) {
    if (r.limit_hit.empty()) r.limit_hit = why;
    kill_tree();
  };

  while (true) {
    pollfd pfds[4];
    int n = 0;
    for (int fd : fds)
      if (fd >= 0) pfds[n++] = {fd, POLLIN, 0};
    if (!exited && pidfd >= 0) pfds[n++] = {pidfd, POLLIN, 0};
    ::poll(pfds, static_cast<nfds_t>(n), exited ? 20 : 100);
    for (int i = 0; i < n; ++i) {
      if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) || pfds[i].fd == pidfd) continue;
      if (pfds[i].fd == fds[0]) read_some(fds[0], [&](std::string_view d) { out.add(d); });
      else if (pfds[i].fd == fds[1]) read_some(fds[1], [&](std::string_view d) { err.add(d); });
      else if (pfds[i].fd == fds[2]) read_some(fds[2], [&](std::string_view d) { bwrap.feed(d); });
    }
    auto now = Clock::now();
    if (!exited && ::wait4(job.pid, &wstatus, WNOHANG, &ru) == job.pid) {
      exited = true;
      exit_time = now;
    }
    if (out.total() + err.total() > lim.max_output_bytes) stop(limit::output);
    if (!exited) {
      if (cancel.cancelled()) stop(limit::cancelled);
      if (std::chrono::duration<double>(now - start).count() > lim.wall_s) stop(limit::wall_time);
      if (now >= next_check) {
        next_check = now + check_every;
        if (job.cgroup && job.cgroup->oom_killed()) stop(limit::memory);
        if (job.cgroup && job.cgroup->pids_limit_hit()) stop(limit::processes);
        TreeUsage u = scan_pid_namespace(bwrap.pid_ns);
        peak_usage.rss_bytes = std::max(peak_usage.rss_bytes, u.rss_bytes);
        peak_usage.cpu_s = std::max(peak_usage.cpu_s, u.cpu_s);
        // The namespace plus bwrap's own outside process reach RLIMIT_NPROC together.
        if (u.tasks + 1 >= lim.max_procs) stop(limit::processes);
        if (lim.cpu_s > 0 && u.cpu_s > lim.cpu_s) stop(limit::cpu_time);
      }
      if (now >= next_disk) {
        if (disk_usage(spec.workdir) > lim.max_disk_bytes) stop(limit::disk);
        auto walked = Clock::now();
        next_disk = walked + std::max<Clock::duration>(disk_every, (walked - now) * disk_walk_share);
      }
    }
    bool drained = fds[0] < 0 && fds[1] < 0 && fds[2] < 0;
    if (exited && drained) break;
    if (exited && now - exit_time > drain_for) {
      // Something outside the sandbox's namespace (only possible unsandboxed) holds the
      // pipes open: kill the process group and stop reading.
      kill_tree();
      for (int& fd : fds)
        if (fd >= 0) ::close(fd), fd = -1;
      break;
    }
  }
  if (pidfd >= 0) ::close(pidfd);

  r.wall_s = std::chrono::duration<double>(exit_time - start).count();
  int code = -1, sig = 0;
  if (WIFEXITED(wstatus)) code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) sig = WTERMSIG(wstatus);
  if (bwrap.exit_code) code = *bwrap.exit_code, sig = 0;
  // bwrap's init reports a command killed by signal S as exit status 128+S.
  if (r.sandboxed && code > 128 && code < 128 + 65) sig = code - 128, code = -1;
  r.exit_code = sig ? -1 : code;
  r.signal = sig;
  if (r.limit_hit.empty() && job.cgroup && job.cgroup->oom_killed()) r.limit_hit = limit::memory;
  if (r.limit_hit.empty() && sig == SIGXCPU) r.limit_hit = limit::cpu_time;
  if (r.limit_hit.empty() && sig == SIGXFSZ) r.limit_hit = limit::file_size;
  // A program that ignores SIGXFSZ (Python does) sees EFBIG and fails; its file sits at the cap.
  if (r.limit_hit.empty() && !r.succeeded() && has_file_of_size(spec.workdir, lim.max_file_bytes))
    r.limit_hit = limit::file_size;
  r.cpu_s = std::max(peak_usage.cpu_s, seconds(ru.ru_utime) + seconds(ru.ru_stime));
  r.peak_memory_bytes = std::max<int64_t>({peak_usage.rss_bytes, static_cast<int64_t>(ru.ru_maxrss) * 1024,
                                           job.cgroup ? job.cgroup->peak_memory_bytes() : 0});
  r.started = !r.sandboxed || bwrap.child > 0;
  r.stdout_tail = out.text();
  r.stderr_tail = err.text();
  r.stdout_bytes = out.total();
  r.stderr_bytes = err.total();
  return r;
}

}  // namespace shoal::experiments
