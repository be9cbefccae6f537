# Tries to edit the runner (the shoal binary at argv[1]) and to extend its own limits:
# raise its rlimits, rewrite cgroup files, change the timeout through /proc; then outstays
# the wall time.
import os, resource, time, sys
attempts = []
def attempt(name, fn):
    try:
        fn()
        attempts.append("DONE " + name)
    except (OSError, ValueError) as e:
        attempts.append("refused " + name + " " + type(e).__name__)
attempt("edit runner", lambda: open(sys.argv[1], "ab").write(b"x"))
attempt("raise process limit", lambda: resource.setrlimit(resource.RLIMIT_NPROC, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)))
attempt("raise memory limit", lambda: resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)))
attempt("raise parent limit", lambda: resource.prlimit(1, resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)))
attempt("cgroup memory", lambda: open("/sys/fs/cgroup/memory/memory.limit_in_bytes", "w").write("-1"))
def write_now(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text)
    finally:
        os.close(fd)
attempt("host sysctl", lambda: write_now("/proc/sys/vm/swappiness", b"1"))
attempt("sysrq", lambda: write_now("/proc/sysrq-trigger", b"h"))
print("\n".join(attempts), flush=True)
time.sleep(1000)
