// Job cgroups on v2, v1, hybrid or none (see cgroup.hpp).
#include "experiments/cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/log.hpp"

namespace shoal::experiments {
namespace fs = std::filesystem;
namespace {

const fs::path cgroup_root = "/sys/fs/cgroup";

// The whole of a small (pseudo-)file, "" when unreadable.
std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// Writes `text` into a cgroup control file; the error names the file and errno.
Status write_control(const fs::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail(ErrorKind::sandbox, "cannot open " + path.string() + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, text.data(), text.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size()))
    return fail(ErrorKind::sandbox, "cannot write '" + text + "' to " + path.string() + ": " + std::strerror(err));
  return {};
}

// The value of `key` in a "key value" per line file (memory.events, oom_control); -1 if absent.
int64_t keyed_value(const fs::path& path, const std::string& key) {
  std::istringstream in(slurp(path));
  std::string k;
  int64_t v = 0;
  while (in >> k >> v)
    if (k == key) return v;
  return -1;
}

// Whole-file integer (memory.peak, max_usage_in_bytes); 0 when unreadable.
int64_t int_value(const fs::path& path) {
  try {
    return std::stoll(slurp(path));
  } catch (const std::exception&) {
    return 0;
  }
}

// This process's cgroup path per hierarchy from /proc/self/cgroup: "" for v2, else controller.
struct OwnPaths {
  std::string unified, memory, pids;
  bool has_unified = false;
};

OwnPaths own_paths() {
  OwnPaths p;
  std::istringstream in(slurp("/proc/self/cgroup"));
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    if (controllers.empty()) {
      p.unified = path;
      p.has_unified = true;
      continue;
    }
    std::istringstream list(controllers);
    std::string c;
    while (std::getline(list, c, ',')) {
      if (c == "memory") p.memory = path;
      if (c == "pids") p.pids = path;
    }
  }
  return p;
}

// True when the words of a space-separated list include `word`.
bool has_word(const std::string& list, const std::string& word) {
  std::istringstream in(list);
  std::string w;
  while (in >> w)
    if (w == word) return true;
  return false;
}

// Creates and removes a test child of `dir`: proves we may create job cgroups there.
bool can_create_child(const fs::path& dir) {
  fs::path probe = dir / ("shoal-probe-" + std::to_string(::getpid()));
  if (::mkdir(probe.c_str(), 0755) != 0) return false;
  ::rmdir(probe.c_str());
  return true;
}

// v2: our own cgroup delegates memory and pids to its children (or can be made to).
bool try_v2(const fs::path& mount, const OwnPaths& own, CgroupSupport& out) {
  if (!own.has_unified || !fs::exists(mount / "cgroup.controllers")) return false;
  fs::path dir = mount / fs::path(own.unified).relative_path();
  std::string subtree = slurp(dir / "cgroup.subtree_control");
  if (!has_word(subtree, "memory") || !has_word(subtree, "pids")) {
    std::string available = slurp(dir / "cgroup.controllers");
    if (!has_word(available, "memory") || !has_word(available, "pids")) return false;
    // Fails (EBUSY) when our cgroup holds processes itself: then it is not delegated to us.
    if (!write_control(dir / "cgroup.subtree_control", "+memory +pids").ok()) return false;
  }
  if (!can_create_child(dir)) return false;
  out.mode = CgroupMode::v2;
  out.memory_parent = dir;
  out.description = "cgroup v2 at " + dir.string();
  return true;
}

// v1: a writable memory hierarchy (and a pids one when writable too).
bool try_v1(const OwnPaths& own, bool hybrid, CgroupSupport& out) {
  fs::path mem = cgroup_root / "memory";
  if (own.memory.empty() || !fs::exists(mem / "memory.limit_in_bytes")) return false;
  fs::path dir = mem / fs::path(own.memory).relative_path();
  if (!can_create_child(dir)) return false;
  out.mode = CgroupMode::v1;
  out.memory_parent = dir;
  fs::path pids = cgroup_root / "pids";
  if (!own.pids.empty() && fs::exists(pids / "cgroup.procs")) {
    fs::path pdir = pids / fs::path(own.pids).relative_path();
    if (can_create_child(pdir)) out.pids_parent = pdir;
  }
  out.description = std::string("cgroup v1") + (hybrid ? " (v1/v2 hybrid)" : "") + ": memory at " + dir.string() +
                    (out.pids_parent.empty() ? ", no writable pids hierarchy" : ", pids at " + out.pids_parent.string());
  return true;
}

}  // namespace

std::string to_string(CgroupMode mode) {
  switch (mode) {
    case CgroupMode::none: return "none";
    case CgroupMode::v1: return "v1";
    case CgroupMode::v2: return "v2";
  }
  return "none";
}

CgroupSupport detect_cgroups() {
  CgroupSupport out;
  OwnPaths own = own_paths();
  // Pure v2 mounts the unified hierarchy at /sys/fs/cgroup; the hybrid at .../unified.
  if (try_v2(cgroup_root, own, out)) return out;
  bool hybrid = fs::exists(cgroup_root / "unified" / "cgroup.controllers");
  if (hybrid && try_v2(cgroup_root / "unified", own, out)) return out;
  if (try_v1(own, hybrid, out)) return out;
  out.description = "no writable memory cgroup (limits use rlimits and the PID namespace only)";
  return out;
}

Expected<std::unique_ptr<JobCgroup>> JobCgroup::create(const CgroupSupport& support, const std::string& name,
                                                       int64_t memory_bytes, int max_procs) {
  std::unique_ptr<JobCgroup> cg(new JobCgroup());
  cg->mode_ = support.mode;
  if (support.mode == CgroupMode::none) return cg;
  auto make = [&](const fs::path& parent) -> Expected<fs::path> {
    fs::path dir = parent / name;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
      return fail(ErrorKind::sandbox, "cannot create the job cgroup " + dir.string() + ": " + std::strerror(errno));
    return dir;
  };
  SHOAL_TRY(mem, make(support.memory_parent));
  cg->memory_dir_ = mem;
  std::string limit = std::to_string(memory_bytes);
  if (support.mode == CgroupMode::v2) {
    cg->pids_dir_ = mem;
    SHOAL_CHECK(write_control(mem / "memory.max", limit));
    (void)write_control(mem / "memory.swap.max", "0");  // absent when swap accounting is off
    SHOAL_CHECK(write_control(mem / "pids.max", std::to_string(max_procs)));
    return cg;
  }
  SHOAL_CHECK(write_control(mem / "memory.limit_in_bytes", limit));
  if (fs::exists(mem / "memory.memsw.limit_in_bytes"))
    (void)write_control(mem / "memory.memsw.limit_in_bytes", limit);  // no swapping past the limit
  if (!support.pids_parent.empty()) {
    SHOAL_TRY(pids, make(support.pids_parent));
    cg->pids_dir_ = pids;
    SHOAL_CHECK(write_control(pids / "pids.max", std::to_string(max_procs)));
  }
  return cg;
}

JobCgroup::~JobCgroup() {
  // Empty cgroups can be removed; give killed tasks a moment to leave.
  for (const fs::path* dir : {&memory_dir_, &pids_dir_}) {
    if (dir->empty() || (dir == &pids_dir_ && pids_dir_ == memory_dir_)) continue;
    for (int attempt = 0; attempt < 50; ++attempt) {
      if (::rmdir(dir->c_str()) == 0 || errno == ENOENT) break;
      kill_all();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (fs::exists(*dir)) log::warn("sandbox", "could not remove the job cgroup " + dir->string());
  }
}

std::vector<fs::path> JobCgroup::procs_files() const {
  std::vector<fs::path> out;
  if (!memory_dir_.empty()) out.push_back(memory_dir_ / "cgroup.procs");
  if (!pids_dir_.empty() && pids_dir_ != memory_dir_) out.push_back(pids_dir_ / "cgroup.procs");
  return out;
}

void JobCgroup::kill_all() const {
  if (mode_ == CgroupMode::v2 && !memory_dir_.empty() && fs::exists(memory_dir_ / "cgroup.kill")) {
    (void)write_control(memory_dir_ / "cgroup.kill", "1");
    return;
  }
  // v1 (or v2 before 5.14): kill listed tasks until none is left; forks between reads are
  // caught by the next pass (and by pids.max).
  for (const fs::path* dir : {&memory_dir_, &pids_dir_}) {
    if (dir->empty()) continue;
    for (int pass = 0; pass < 100; ++pass) {
      std::istringstream in(slurp(*dir / "cgroup.procs"));
      pid_t pid = 0;
      bool any = false;
      while (in >> pid) {
        ::kill(pid, SIGKILL);
        any = true;
      }
      if (!any) break;
    }
  }
}

bool JobCgroup::oom_killed() const {
  if (memory_dir_.empty()) return false;
  if (mode_ == CgroupMode::v2) return keyed_value(memory_dir_ / "memory.events", "oom_kill") > 0;
  if (keyed_value(memory_dir_ / "memory.oom_control", "oom_kill") > 0) return true;
  return false;
}

bool JobCgroup::pids_limit_hit() const {
  if (pids_dir_.empty()) return false;
  return keyed_value(pids_dir_ / "pids.events", "max") > 0;
}

int64_t JobCgroup::peak_memory_bytes() const {
  if (memory_dir_.empty()) return 0;
  if (mode_ == CgroupMode::v2) return int_value(memory_dir_ / "memory.peak");
  return int_value(memory_dir_ / "memory.max_usage_in_bytes");
}

int JobCgroup::process_count() const {
  const fs::path& dir = pids_dir_.empty() ? memory_dir_ : pids_dir_;
  if (dir.empty()) return -1;
  if (!pids_dir_.empty()) return static_cast<int>(int_value(pids_dir_ / "pids.current"));
  std::istringstream in(slurp(dir / "cgroup.procs"));
  int n = 0;
  pid_t pid = 0;
  while (in >> pid) ++n;
  return n;
}

}  // namespace shoal::experiments
