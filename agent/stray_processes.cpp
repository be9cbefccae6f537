#include "agent/stray_processes.hpp"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

namespace shoal::agent {
namespace fs = std::filesystem;

int kill_stray_processes(const fs::path& work_root) {
  const std::string needle = work_root.string() + "/";
  int killed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == ::getpid()) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(needle) == std::string::npos) continue;
    if (::kill(pid, SIGKILL) == 0) ++killed;
  }
  return killed;
}

}  // namespace shoal::agent
