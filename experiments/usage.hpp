// What a running job uses, measured from outside: its processes (by PID namespace), their
// CPU time and memory, and the size of its work folder.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace shoal::experiments {

struct TreeUsage {
  int tasks = 0;           // threads of all processes in the namespace
  double cpu_s = 0;        // user+system of live processes and of the children they reaped
  int64_t rss_bytes = 0;   // resident memory of all processes now
};

// The PID namespace of a process as its /proc/PID/ns/pid link reads ("pid:[4026532182]");
// "" when the process is gone.
std::string pid_namespace_of(pid_t pid);

// Sums /proc for every process in PID namespace `ns` (as pid_namespace_of gives it).
TreeUsage scan_pid_namespace(const std::string& ns);

// Bytes allocated on disk under `dir` (files, folders, links; symlinks never followed).
int64_t disk_usage(const std::filesystem::path& dir);

// A regular file under `dir` at least `bytes` long (symlinks never followed).
bool has_file_of_size(const std::filesystem::path& dir, int64_t bytes);

}  // namespace shoal::experiments
