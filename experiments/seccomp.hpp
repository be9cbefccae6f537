// A seccomp filter for sandboxed jobs (given to bwrap with --seccomp): debugging and
// kernel-facing calls a research script never needs fail with EPERM (ptrace,
// process_vm_readv/writev, mount, keyctl, bpf, perf_event_open, module loading, ...), and
// any foreign syscall ABI (x86 32-bit, x32) kills the process.
#pragma once

#include <string>

namespace shoal::experiments {

// The filter as the raw bytes of a struct sock_filter array (what bwrap reads from its fd);
// empty on an architecture this filter does not know (the job then runs without one).
std::string seccomp_filter();

}  // namespace shoal::experiments
