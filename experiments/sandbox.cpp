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
#include <thread>

#include "core/log.hpp"
#include "experiments/limits.hpp"
#include "experiments/seccomp.hpp"
#include "experiments/spawn.hpp"
#include "experiments/supervisor.hpp"
#include "experiments/uid_pool.hpp"

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

// The user that runs a job: a sandbox user when we are root (a pool member held for this
// job alone, or the one named user), else ourselves (uid unset).
struct RunAs {
  std::optional<uid_t> uid;
  gid_t gid = 0;
  std::string name;
  UidLease lease;  // holds a pool member until the job has ended
};

// The fix for a missing sandbox user.
std::string create_user_advice(const std::string& name) {
  return "run scripts/setup, or `useradd --system --user-group --no-create-home --shell /usr/sbin/nologin " + name + "`";
}

// The one named sandbox user (sandbox_user set to a name).
Expected<RunAs> named_user(const std::string& name) {
  auto user = find_user(name);
  if (!user.ok() && user.error().kind == ErrorKind::not_found)
    return fail(ErrorKind::sandbox, "Shoal runs as root, so experiments run as the unprivileged user '" + name +
                                        "', which does not exist: " + create_user_advice(name));
  if (!user.ok()) return user.error();
  RunAs who;
  who.uid = user->uid;
  who.gid = user->gid;
  who.name = user->name;
  return who;
}

// A pool member for this job; a machine whose setup predates the pool falls back to the
// single shoal-sandbox user (shared by every job, as before the pool).
Expected<RunAs> pool_user(const SandboxOptions& options, const CancelToken& cancel) {
  static const std::vector<SandboxUser> members = pool_members();
  if (members.empty()) {
    static std::once_flag warned;
    std::call_once(warned, [] {
      log::warn("sandbox", "no sandbox user pool (shoal-sandbox-0..N): every job shares the user shoal-sandbox; "
                           "run scripts/setup to create the pool");
    });
    return named_user("shoal-sandbox");
  }
  SHOAL_TRY(lease, lease_pool_user(members, options.pool_wait, [&] { return cancel.cancelled(); }, options.pool_locks));
  if (options.kill_leftovers) kill_processes_of(lease.user().uid);
  RunAs who;
  who.uid = lease.user().uid;
  who.gid = lease.user().gid;
  who.name = lease.user().name;
  who.lease = std::move(lease);
  return who;
}

Expected<RunAs> run_as(const SandboxOptions& options, const CancelToken& cancel) {
  if (::geteuid() != 0) return RunAs{};
  if (options.user == pool_setting) return pool_user(options, cancel);
  return named_user(options.user);
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
  CancelToken never;
  SHOAL_TRY(who, run_as(options, never));
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

// Where the work folder is staged for bwrap (see SpawnPlan::stage_root).
fs::path staged_workdir(const fs::path& stage) { return stage / "work"; }

// Where the i-th read-only path is staged.
fs::path staged_ro_bind(const fs::path& stage, size_t i) { return stage / ("ro" + std::to_string(i)); }

// The staging mount point, an empty root-owned folder others may enter (what gets mounted
// there exists only in each job's own mount namespace).
Status ensure_stage_root(const fs::path& stage) {
  std::error_code ec;
  fs::create_directories(stage, ec);
  if (ec) return fail(ErrorKind::sandbox, "cannot create the staging folder " + stage.string() + ": " + ec.message());
  for (fs::path p = stage; p != p.root_path() && p != "/run"; p = p.parent_path())
    if (::chmod(p.c_str(), 0755) != 0) return fail(ErrorKind::sandbox, "cannot set up " + p.string() + ": " + std::strerror(errno));
  return {};
}

// Pauses between tries at a transient host failure: about 3 s in all.
constexpr int retry_delays_ms[] = {100, 200, 400, 800, 1600};

// Calls `attempt` until it succeeds, fails for good, or stays transiently failing after the
// retry delays; the last error then keeps transient = true.
template <class T, class F>
Expected<T> with_retries(const char* what, F&& attempt, const CancelToken& cancel) {
  Expected<T> r = attempt();
  for (int delay : retry_delays_ms) {
    if (r.ok() || !r.error().transient || cancel.cancelled()) return r;
    log::warn("sandbox", std::string(what) + " failed for now (" + r.error().message + "); trying again in " +
                             std::to_string(delay) + " ms");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    r = attempt();
  }
  return r;
}

// bwrap gave up before starting the command because the host was short of something (a
// process, memory, a namespace): stderr is bwrap's own, as the command never ran.
bool bwrap_setup_was_short(const JobResult& r) {
  if (r.started || r.stderr_tail.find("bwrap:") == std::string::npos) return false;
  for (const char* text : {"Resource temporarily unavailable", "Cannot allocate memory", "No space left on device"})
    if (r.stderr_tail.find(text) != std::string::npos) return true;
  return false;
}

// The job's cgroup, made again after a short pause when the host refuses for a moment; a
// refusal that lasts is transient. Null when cgroups are off or unavailable.
Expected<std::unique_ptr<JobCgroup>> make_job_cgroup(const JobSpec& spec, const SandboxOptions& options,
                                                     const CancelToken& cancel) {
  if (!options.use_cgroups || cgroup_support().mode == CgroupMode::none) return std::unique_ptr<JobCgroup>();
  std::string name = "shoal-job-" + std::to_string(::getpid()) + "-" + std::to_string(job_counter++);
  return with_retries<std::unique_ptr<JobCgroup>>("creating the job cgroup", [&]() -> Expected<std::unique_ptr<JobCgroup>> {
    auto made = JobCgroup::create(cgroup_support(), name, spec.limits.memory_bytes, spec.limits.max_procs);
    if (made.ok()) return made;
    Error e = made.error();
    e.transient = true;
    return e;
  }, cancel);
}

// What one start of a job needs, prepared once: the resolved job, its user and cgroup.
struct PreparedJob {
  JobSpec bound;      // workdir and ro_binds canonical
  const RunAs* who = nullptr;
  JobCgroup* cgroup = nullptr;
  fs::path stage;     // empty: bwrap reaches the folders through descriptors
};

// Opens `path` as an O_PATH descriptor (a folder when `directory`).
Expected<Fd> open_path(const fs::path& path, bool directory) {
  Fd fd(::open(path.c_str(), O_PATH | O_CLOEXEC | (directory ? O_DIRECTORY : 0)));
  if (fd.fd < 0) return fail(ErrorKind::sandbox, "cannot open " + path.string() + ": " + std::strerror(errno));
  return fd;
}

// The bwrap start plan of `job`, without its descriptors.
Expected<SpawnPlan> bwrap_plan(const PreparedJob& job, const SandboxOptions& options) {
  auto bwrap = find_program(options.bwrap, sandbox_path);
  if (!bwrap) return fail(ErrorKind::sandbox, "bubblewrap disappeared: run `apt-get install bubblewrap`");
  SpawnPlan plan;
  plan.program = *bwrap;
  plan.argv = {bwrap->string()};
  auto args = bwrap_arguments(job.bound, job.bound.workdir, job.stage);
  plan.argv.insert(plan.argv.end(), args.begin(), args.end());
  plan.env = job_environment(job.bound);  // bwrap itself holds nothing secret either (/proc/1 is bwrap)
  plan.cwd = "/";
  plan.rlimits = job_rlimits(job.bound.limits, job.cgroup && job.cgroup->has_memory());
  plan.uid = job.who->uid;
  plan.gid = job.who->gid;
  if (job.cgroup) plan.cgroup_procs = job.cgroup->procs_files();
  if (!job.stage.empty()) {
    // By path: a descriptor opened before the child's unshare names a mount of the old
    // namespace, which the kernel refuses to bind. The paths are canonical and root's own.
    plan.stage_root = job.stage.string();
    plan.stage_binds.push_back({job.bound.workdir.string(), staged_workdir(job.stage).string(), true});
    for (size_t i = 0; i < job.bound.ro_binds.size(); ++i)
      plan.stage_binds.push_back({job.bound.ro_binds[i].string(), staged_ro_bind(job.stage, i).string(),
                                  fs::is_directory(job.bound.ro_binds[i])});
  }
  return plan;
}

// Starts bwrap once and supervises the job to its end. A start the host refused for the
// moment (spawn's EAGAIN, or bwrap short of a process before the command ran) is a
// transient error, for with_retries.
Expected<JobResult> start_once(const PreparedJob& job, const SandboxOptions& options, const CancelToken& cancel) {
  // Descriptors the bwrap process inherits: status pipe (3), work folder (4), seccomp (5),
  // ro_binds (6...).
  SHOAL_TRY(outp, make_pipe());
  SHOAL_TRY(errp, make_pipe());
  SHOAL_TRY(statusp, make_pipe());
  std::vector<Fd> fds;
  SHOAL_TRY(work, open_path(job.bound.workdir, true));
  fds.push_back(std::move(work));
  SHOAL_TRY(filter, seccomp_memfd());
  fds.push_back(std::move(filter));
  for (const auto& p : job.bound.ro_binds) {
    SHOAL_TRY(ro, open_path(p, false));
    fds.push_back(std::move(ro));
  }
  SHOAL_TRY(plan, bwrap_plan(job, options));
  plan.stdout_fd = outp.second.fd;
  plan.stderr_fd = errp.second.fd;
  plan.keep_fds.push_back(statusp.second.fd);
  for (const auto& d : fds) plan.keep_fds.push_back(d.fd);
  SHOAL_TRY(pid, spawn(plan));
  outp.second = Fd();
  errp.second = Fd();
  statusp.second = Fd();
  fds.clear();
  Supervision running{pid, outp.first.release(), errp.first.release(), statusp.first.release(), job.cgroup};
  JobResult r = supervise(running, job.bound, cancel);
  r.sandboxed = true;
  if (bwrap_setup_was_short(r)) {
    Error e = fail(ErrorKind::sandbox, "bubblewrap could not set up the sandbox: " + r.stderr_tail.substr(0, 300));
    e.transient = true;
    return e;
  }
  return r;
}

}  // namespace

const CgroupSupport& cgroup_support() {
  static const CgroupSupport support = detect_cgroups();
  return support;
}

std::vector<std::string> bwrap_arguments(const JobSpec& spec, const fs::path& workdir, const fs::path& stage) {
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
  for (size_t i = 0; i < spec.ro_binds.size(); ++i) {
    if (stage.empty()) a.insert(a.end(), {"--ro-bind-fd", std::to_string(fd++), spec.ro_binds[i].string()});
    else a.insert(a.end(), {"--ro-bind", staged_ro_bind(stage, i).string(), spec.ro_binds[i].string()});
  }
  if (stage.empty()) a.insert(a.end(), {"--bind-fd", std::to_string(workdir_fd_number), workdir.string()});
  else a.insert(a.end(), {"--bind", staged_workdir(stage).string(), workdir.string()});
  a.insert(a.end(), {"--remount-ro", "/", "--chdir", workdir.string(), "--clearenv"});
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
  PreparedJob job;
  job.bound = spec;
  job.bound.workdir = workdir;
  job.bound.ro_binds.clear();
  for (const auto& p : spec.ro_binds) {
    SHOAL_TRY(path, resolve_dir(p, "the read-only path"));
    job.bound.ro_binds.push_back(path);
  }
  // Held until the job has ended: the pool member and the cgroup.
  SHOAL_TRY(who, run_as(options, cancel));
  if (who.uid && is_system_folder(workdir))
    return fail(ErrorKind::invalid_input, "refusing " + workdir.string() + " as a work folder: it would be handed to the "
                                          "sandbox user; use a folder of its own, like <home>/work/<run>");
  SHOAL_CHECK(give_to(workdir, who));
  if (who.uid) {
    // Root stages the folders for the sandbox user, who may not be able to enter the folders above them.
    SHOAL_CHECK(ensure_stage_root(options.stage_root));
    job.stage = options.stage_root;
  }
  job.who = &who;
  SHOAL_TRY(cgroup, make_job_cgroup(spec, options, cancel));
  job.cgroup = cgroup.get();
  return with_retries<JobResult>("starting the sandbox", [&] { return start_once(job, options, cancel); }, cancel);
}

}  // namespace shoal::experiments
