// Measuring a job from /proc and its work folder (see usage.hpp).
#include "experiments/usage.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace shoal::experiments {
namespace fs = std::filesystem;
namespace {

// Fields of /proc/PID/stat after the command name (which may itself hold spaces or ')').
std::vector<std::string> stat_fields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  auto close = line.rfind(')');
  std::vector<std::string> out;
  if (close == std::string::npos) return out;
  std::istringstream rest(line.substr(close + 1));
  std::string f;
  while (rest >> f) out.push_back(f);
  return out;
}

// Walks `dir` without following symlinks, calling visit(path, stat) for each entry.
template <class Visit>
void walk(const fs::path& dir, Visit&& visit) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0) visit(it->path(), st);
  }
}

}  // namespace

std::string pid_namespace_of(pid_t pid) {
  char buf[64];
  std::string link = "/proc/" + std::to_string(pid) + "/ns/pid";
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

TreeUsage scan_pid_namespace(const std::string& ns) {
  TreeUsage u;
  if (ns.empty()) return u;
  static const long ticks = ::sysconf(_SC_CLK_TCK);
  static const long page = ::sysconf(_SC_PAGESIZE);
  DIR* proc = ::opendir("/proc");
  if (!proc) return u;
  while (dirent* e = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    if (pid_namespace_of(static_cast<pid_t>(pid)) != ns) continue;
    auto f = stat_fields(static_cast<pid_t>(pid));
    // Fields counted from 3 (state): utime 14, stime 15, cutime 16, cstime 17, threads 20, rss 24.
    if (f.size() < 22) continue;
    auto field = [&](int n) { return std::strtoll(f[static_cast<size_t>(n - 3)].c_str(), nullptr, 10); };
    u.cpu_s += static_cast<double>(field(14) + field(15) + field(16) + field(17)) / static_cast<double>(ticks);
    u.tasks += static_cast<int>(field(20));
    u.rss_bytes += field(24) * page;
  }
  ::closedir(proc);
  return u;
}

int64_t disk_usage(const fs::path& dir) {
  int64_t total = 0;
  walk(dir, [&](const fs::path&, const struct stat& st) { total += static_cast<int64_t>(st.st_blocks) * 512; });
  return total;
}

bool has_file_of_size(const fs::path& dir, int64_t bytes) {
  bool found = false;
  walk(dir, [&](const fs::path&, const struct stat& st) {
    if (S_ISREG(st.st_mode) && st.st_size >= bytes) found = true;
  });
  return found;
}

}  // namespace shoal::experiments
