// The seccomp filter of sandboxed jobs (see seccomp.hpp), written as classic BPF.
#include "experiments/seccomp.hpp"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>

#include <vector>

namespace shoal::experiments {

std::string seccomp_filter() {
#if defined(__x86_64__)
  const unsigned arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
  const unsigned arch = AUDIT_ARCH_AARCH64;
#else
  return {};
#endif
  const unsigned blocked[] = {
    SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_mount, SYS_umount2, SYS_pivot_root,
    SYS_setns, SYS_keyctl, SYS_add_key, SYS_request_key, SYS_bpf, SYS_perf_event_open, SYS_userfaultfd,
    SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_kexec_load, SYS_open_by_handle_at,
    SYS_swapon, SYS_swapoff, SYS_reboot, SYS_acct, SYS_quotactl, SYS_fsopen, SYS_fsmount, SYS_move_mount,
    SYS_open_tree, SYS_fsconfig, SYS_fspick,
  };
  std::vector<sock_filter> f;
  auto stmt = [&](unsigned short code, unsigned k) { f.push_back(BPF_STMT(code, k)); };
  auto jump = [&](unsigned short code, unsigned k, unsigned char jt, unsigned char jf) {
    f.push_back(BPF_JUMP(code, k, jt, jf));
  };
  // A foreign ABI (32-bit calls on a 64-bit kernel) is killed: its numbers differ.
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
  jump(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0);
  stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
#if defined(__x86_64__)
  // x32 calls carry bit 30.
  jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
  stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
#endif
  for (unsigned nr : blocked) {
    jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
    stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
  }
  stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  return std::string(reinterpret_cast<const char*>(f.data()), f.size() * sizeof(sock_filter));
}

}  // namespace shoal::experiments
