// Processes a killed orchestrator left behind: a sandbox (bwrap and what runs in it) whose
// parent died during its start can outlive it. A resumed run, once it holds the run's lock,
// kills every process whose command line names the run's work folder.
#pragma once

#include <filesystem>

namespace shoal::agent {

// Sends SIGKILL to every process (other than this one) whose command line contains
// `work_root` followed by '/'; returns how many it signalled. Reads /proc; never fails.
int kill_stray_processes(const std::filesystem::path& work_root);

}  // namespace shoal::agent
