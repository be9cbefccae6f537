# Tries to ptrace-attach to pid 1 (bwrap), its parent and the pids in argv, and to read
# another process's memory with process_vm_readv. Prints the errno each saw.
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
PTRACE_ATTACH = 16
for pid in [1, os.getppid()] + [int(p) for p in sys.argv[1:]]:
    r = libc.ptrace(PTRACE_ATTACH, pid, 0, 0)
    print("ptrace", pid, "ATTACHED" if r == 0 else errno.errorcode.get(ctypes.get_errno()))
buf = ctypes.create_string_buffer(8)
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
local = iovec(ctypes.cast(buf, ctypes.c_void_p), 8)
remote = iovec(0x400000, 8)
r = libc.process_vm_readv(1, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
print("process_vm_readv", "READ" if r >= 0 else errno.errorcode.get(ctypes.get_errno()))
