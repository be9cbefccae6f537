// The bubblewrap sandbox (see sandbox.hpp).
#include "experiments/sandbox.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>

#include "core/log.hpp"
#include "experiments/limits.hpp"
#include "experiments/seccomp.hpp"
#include "experiments/spawn.hpp"
#include "experiments/supervisor.hpp"

namespace shoal::experiments {
namespace fs = std::filesystem;
namespace {

// File descriptors the bwrap process gets: its status pipe, the work folder, the seccomp
// filter, the ro_binds.
constexpr int status_fd_number = 3;
constexpr int workdir_fd_number = 4;
constexpr int seccomp_fd_number = 5;
constexpr int first_ro_bind_fd_number = 6;

// An fd closed on scope exit.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd, o.fd);
    return *this;
  }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

// A pipe (read end, write end), both close-on-exec.
Expected<std::pair<Fd, Fd>> make_pipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return fail(ErrorKind::sandbox, std::string("cannot create a pipe: ") + std::strerror(errno));
  return std::pair<Fd, Fd>{Fd(p[0]), Fd(p[1])};
}

// The user that runs jobs: the sandbox user when we are root, else ourselves.
struct RunAs {
  std::optional<uid_t> uid;
  gid_t gid = 0;
};

Expected<RunAs> run_as(const SandboxOptions& options) {
  if (::geteuid() != 0) return RunAs{};
  passwd pw{}, *found = nullptr;
  char buf[4096];
  if (::getpwnam_r(options.user.c_str(), &pw, buf, sizeof buf, &found) != 0 || !found)
    return fail(ErrorKind::sandbox, "Shoal runs as root, so experiments run as the unprivileged user '" + options.user +
                                        "', which does not exist: run scripts/setup, or `useradd --system --user-group "
                                        "--no-create-home --shell /usr/sbin/nologin " + options.user + "`");
  if (pw.pw_uid == 0) return fail(ErrorKind::sandbox, "the sandbox user '" + options.user + "' is root: it must be an unprivileged user used by nothing else");
  return RunAs{pw.pw_uid, pw.pw_gid};
}

// Hands the work folder (recursively, never following symlinks) to the sandbox user.
Status give_to(const fs::path& dir, const RunAs& who) {
  if (!who.uid) return {};
  auto chown_one = [&](const fs::path& p) -> Status {
    if (::lchown(p.c_str(), *who.uid, who.gid) != 0)
      return fail(ErrorKind::sandbox, "cannot give " + p.string() + " to the sandbox user: " + std::strerror(errno));
    return {};
  };
  SHOAL_CHECK(chown_one(dir));
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    SHOAL_CHECK(chown_one(it->path()));
  if (ec) return fail(ErrorKind::sandbox, "cannot walk the work folder " + dir.string() + ": " + ec.message());
  return {};
}

// bwrap runs as the sandbox user and resolves every bind source by path, so that user must
// be able to search each folder above the work folder and the ro_binds.
Status check_reachable(const fs::path& path, const RunAs& who) {
  if (!who.uid) return {};
  for (fs::path p = path.parent_path(); !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) break;
    bool x = (st.st_mode & S_IXOTH) || (st.st_uid == *who.uid && (st.st_mode & S_IXUSR)) ||
             (st.st_gid == who.gid && (st.st_mode & S_IXGRP));
    if (!x)
      return fail(ErrorKind::sandbox, "the sandbox user cannot reach " + path.string() + ": " + p.string() +
                                          " is not searchable by others; run `chmod o+x " + p.string() +
                                          "` or keep Shoal's home and templates in a folder others can enter");
    if (p == p.root_path()) break;
  }
  return {};
}

// Folders a workdir must never be (root would hand them to the sandbox user).
bool is_system_folder(const fs::path& p) {
  static const char* const system[] = {"/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/boot",
                                       "/proc", "/sys", "/dev", "/run", "/var/lib"};
  std::string s = p.string();
  if (std::distance(p.begin(), p.end()) < 3) return true;  // "/" and top-level folders like /root
  for (const char* d : system) {
    std::string prefix = std::string(d) + "/";
    if (s == d || s.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// Waits for a spawned probe and collects its stderr.
std::pair<int, std::string> wait_probe(pid_t pid, Fd& err_read) {
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(err_read.fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), text};
}

// Runs `bwrap ... true` as the job user: proves user namespaces work for that user.
Status probe_bwrap(const SandboxOptions& options) {
  auto bwrap = find_program(options.bwrap, sandbox_path);
  if (!bwrap)
    return fail(ErrorKind::sandbox, "bubblewrap (" + options.bwrap + ") is not installed: run `apt-get install bubblewrap` "
                                    "(or scripts/setup); --unsafe-no-sandbox runs without it, unprotected");
  SHOAL_TRY(who, run_as(options));
  SHOAL_TRY(errp, make_pipe());
  SHOAL_TRY(outp, make_pipe());
  SpawnPlan plan;
  plan.program = *bwrap;
  plan.argv = {bwrap->string(), "--unshare-all", "--unshare-user", "--disable-userns", "--ro-bind", "/", "/", "true"};
  plan.env = {std::string("PATH=") + sandbox_path};
  plan.cwd = "/";
  plan.uid = who.uid;
  plan.gid = who.gid;
  plan.stdout_fd = outp.second.fd;
  plan.stderr_fd = errp.second.fd;
  SHOAL_TRY(pid, spawn(plan));
  outp.second = Fd();
  errp.second = Fd();
  auto [code, text] = wait_probe(pid, errp.first);
  if (code != 0)
    return fail(ErrorKind::sandbox,
                "bubblewrap cannot create a sandbox here (" + (text.empty() ? "exit " + std::to_string(code) : text.substr(0, 300)) +
                    "): user namespaces are probably disabled; enable them with `sysctl -w kernel.unprivileged_userns_clone=1` "
                    "(Debian) or `sysctl -w user.max_user_namespaces=15000`, or run with --unsafe-no-sandbox (unprotected)");
  return {};
}

std::atomic<uint64_t> job_counter{0};

// The seccomp filter in a sealed memory file, for bwrap's --seccomp.
Expected<Fd> seccomp_memfd() {
  std::string filter = seccomp_filter();
  if (filter.empty()) return fail(ErrorKind::sandbox, "no seccomp filter for this CPU architecture: the sandbox supports x86_64 and aarch64");
  Fd fd(::memfd_create("shoal-seccomp", MFD_CLOEXEC));
  if (fd.fd < 0 || ::write(fd.fd, filter.data(), filter.size()) != static_cast<ssize_t>(filter.size()) ||
      ::lseek(fd.fd, 0, SEEK_SET) != 0)
    return fail(ErrorKind::sandbox, std::string("cannot write the seccomp filter: ") + std::strerror(errno));
  return fd;
}

// Paths that are symlinks on merged-/usr systems (/bin -> usr/bin) and folders elsewhere.
void add_root_links(std::vector<std::string>& args) {
  for (const char* d : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code ec;
    auto st = fs::symlink_status(d, ec);
    if (ec) continue;
    if (fs::is_symlink(st)) {
      args.insert(args.end(), {"--symlink", fs::read_symlink(d, ec).string(), d});
    } else if (fs::is_directory(st)) {
      args.insert(args.end(), {"--ro-bind", d, d});
    }
  }
}

// The work folder and ro_binds as absolute, symlink-free paths.
Expected<fs::path> resolve_dir(const fs::path& p, const char* what) {
  std::error_code ec;
  fs::path c = fs::canonical(p, ec);
  if (ec) return fail(ErrorKind::invalid_input, std::string(what) + " " + p.string() + " does not exist: create it first");
  return c;
}

// Starts and supervises the command without a sandbox (rlimits only).
Expected<JobResult> run_unsandboxed(const JobSpec& spec, const fs::path& workdir, const CancelToken& cancel) {
  log::warn("sandbox", "UNSAFE: running '" + spec.argv[0] + "' WITHOUT a sandbox (--unsafe-no-sandbox): it can read "
                       "your files and keys, use the network and outlive the run; rlimits only");
  auto program = find_program(spec.argv[0], sandbox_path);
  if (!program) return fail(ErrorKind::not_found, "'" + spec.argv[0] + "' is not an executable on " + sandbox_path);
  SHOAL_TRY(outp, make_pipe());
  SHOAL_TRY(errp, make_pipe());
  JobSpec local = spec;
  local.workdir = workdir;
  SpawnPlan plan;
  plan.program = *program;
  plan.argv = spec.argv;
  plan.env = job_environment(local);
  plan.cwd = workdir;
  plan.rlimits = job_rlimits(spec.limits, false);
  plan.stdout_fd = outp.second.fd;
  plan.stderr_fd = errp.second.fd;
  SHOAL_TRY(pid, spawn(plan));
  outp.second = Fd();
  errp.second = Fd();
  Supervision job{pid, outp.first.release(), errp.first.release(), -1, nullptr};
  JobResult r = supervise(job, local, cancel);
  r.sandboxed = false;
  return r;
}

}  // namespace

const CgroupSupport& cgroup_support() {
  static const CgroupSupport support = detect_cgroups();
  return support;
}

std::vector<std::string> bwrap_arguments(const JobSpec& spec, const fs::path& workdir) {
  const Limits& lim = spec.limits;
  int64_t tmp_size = std::max<int64_t>(1 << 20, std::min(lim.max_disk_bytes, lim.memory_bytes / 2));
  int64_t shm_size = std::max<int64_t>(1 << 20, lim.memory_bytes / 4);
  std::vector<std::string> a = {"--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                                "--new-session", "--hostname", "sandbox", "--ro-bind", "/usr", "/usr"};
  add_root_links(a);
  a.insert(a.end(), {"--ro-bind", "/etc", "/etc"});
  // pdflatex's format files live here on Debian.
  if (fs::is_directory("/var/lib/texmf")) a.insert(a.end(), {"--ro-bind", "/var/lib/texmf", "/var/lib/texmf"});
  a.insert(a.end(), {"--proc", "/proc", "--dev", "/dev", "--size", std::to_string(tmp_size), "--tmpfs", "/tmp",
                     "--size", std::to_string(shm_size), "--tmpfs", "/dev/shm"});
  if (spec.gpus > 0) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/dev", ec))
      if (e.path().filename().string().rfind("nvidia", 0) == 0)
        a.insert(a.end(), {"--dev-bind", e.path().string(), e.path().string()});
  }
  int fd = first_ro_bind_fd_number;
  for (const auto& p : spec.ro_binds) a.insert(a.end(), {"--ro-bind-fd", std::to_string(fd++), p.string()});
  a.insert(a.end(), {"--bind-fd", std::to_string(workdir_fd_number), workdir.string(), "--remount-ro", "/",
                     "--chdir", workdir.string(), "--clearenv"});
  JobSpec local = spec;
  local.workdir = workdir;
  for (const auto& kv : job_environment(local)) {
    auto eq = kv.find('=');
    a.insert(a.end(), {"--setenv", kv.substr(0, eq), kv.substr(eq + 1)});
  }
  a.insert(a.end(), {"--seccomp", std::to_string(seccomp_fd_number), "--json-status-fd",
                     std::to_string(status_fd_number), "--"});
  a.insert(a.end(), spec.argv.begin(), spec.argv.end());
  return a;
}

Status check_sandbox(const SandboxOptions& options) {
  static std::mutex mu;
  static std::map<std::string, Status> cache;
  std::lock_guard lock(mu);
  std::string key = options.user + "\n" + options.bwrap;
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, probe_bwrap(options)).first;
  return it->second;
}

Expected<JobResult> run_sandboxed(const JobSpec& spec, const SandboxOptions& options, const CancelToken& cancel) {
  if (spec.argv.empty()) return fail(ErrorKind::invalid_input, "no command to run: give one after --");
  SHOAL_TRY(workdir, resolve_dir(spec.workdir, "the work folder"));
  if (!fs::is_directory(workdir)) return fail(ErrorKind::invalid_input, "the work folder " + workdir.string() + " is not a folder");
  if (spec.unsafe_no_sandbox) return run_unsandboxed(spec, workdir, cancel);
  SHOAL_CHECK(check_sandbox(options));
  SHOAL_TRY(who, run_as(options));
  if (who.uid && is_system_folder(workdir))
    return fail(ErrorKind::invalid_input, "refusing " + workdir.string() + " as a work folder: it would be handed to the "
                                          "sandbox user; use a folder of its own, like <home>/work/<run>");
  SHOAL_CHECK(check_reachable(workdir, who));
  for (const auto& p : spec.ro_binds) {
    SHOAL_TRY(path, resolve_dir(p, "the read-only path"));
    SHOAL_CHECK(check_reachable(path, who));
  }
  SHOAL_CHECK(give_to(workdir, who));

  // Descriptors the bwrap process inherits: status pipe (3), work folder (4), seccomp (5),
  // ro_binds (6...).
  SHOAL_TRY(outp, make_pipe());
  SHOAL_TRY(errp, make_pipe());
  SHOAL_TRY(statusp, make_pipe());
  std::vector<Fd> dirs;
  dirs.emplace_back(::open(workdir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dirs.back().fd < 0) return fail(ErrorKind::sandbox, "cannot open the work folder " + workdir.string() + ": " + std::strerror(errno));
  SHOAL_TRY(filter, seccomp_memfd());
  dirs.push_back(std::move(filter));
  JobSpec bound = spec;
  bound.ro_binds.clear();
  for (const auto& p : spec.ro_binds) {
    SHOAL_TRY(path, resolve_dir(p, "the read-only path"));
    dirs.emplace_back(::open(path.c_str(), O_PATH | O_CLOEXEC));
    if (dirs.back().fd < 0) return fail(ErrorKind::sandbox, "cannot open " + path.string() + ": " + std::strerror(errno));
    bound.ro_binds.push_back(path);
  }
  bound.workdir = workdir;

  std::unique_ptr<JobCgroup> cgroup;
  if (options.use_cgroups && cgroup_support().mode != CgroupMode::none) {
    std::string name = "shoal-job-" + std::to_string(::getpid()) + "-" + std::to_string(job_counter++);
    auto made = JobCgroup::create(cgroup_support(), name, spec.limits.memory_bytes, spec.limits.max_procs);
    if (made.ok()) cgroup = std::move(made).value();
    else log::warn("sandbox", "running without a job cgroup: " + made.error().message);
  }

  auto bwrap = find_program(options.bwrap, sandbox_path);
  if (!bwrap) return fail(ErrorKind::sandbox, "bubblewrap disappeared: run `apt-get install bubblewrap`");
  SpawnPlan plan;
  plan.program = *bwrap;
  plan.argv = {bwrap->string()};
  auto args = bwrap_arguments(bound, workdir);
  plan.argv.insert(plan.argv.end(), args.begin(), args.end());
  plan.env = job_environment(bound);  // bwrap itself holds nothing secret either (/proc/1 is bwrap)
  plan.cwd = "/";
  plan.rlimits = job_rlimits(spec.limits, cgroup && cgroup->has_memory());
  plan.uid = who.uid;
  plan.gid = who.gid;
  if (cgroup) plan.cgroup_procs = cgroup->procs_files();
  plan.stdout_fd = outp.second.fd;
  plan.stderr_fd = errp.second.fd;
  plan.keep_fds.push_back(statusp.second.fd);
  for (const auto& d : dirs) plan.keep_fds.push_back(d.fd);
  SHOAL_TRY(pid, spawn(plan));
  outp.second = Fd();
  errp.second = Fd();
  statusp.second = Fd();
  dirs.clear();
  Supervision job{pid, outp.first.release(), errp.first.release(), statusp.first.release(), cgroup.get()};
  JobResult r = supervise(job, bound, cancel);
  r.sandboxed = true;
  return r;
}

}  // namespace shoal::experiments
