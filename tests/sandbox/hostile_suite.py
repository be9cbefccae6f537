#!/usr/bin/python3
"""The hostile-code suite (issue 4): each program in programs/ attacks the host from inside
`shoal sandbox`; each test asserts the specific outcome (which limit fired, what error the
program saw) and that the host is untouched: a canary file outside is unchanged, a sentinel
process and this runner are alive, no process of the run survives, loopback servers got no
connection. Must run as root (the way Shoal runs experiments in CI).

usage: hostile_suite.py SHOAL_BINARY PROJECT_DIR [TEST_NAME...]
SHOAL_SANDBOX_CGROUP=none runs it with the "no cgroup" mode forced.
"""
import hashlib, json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time, uuid

SHOAL, PROJECT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
ONLY = sys.argv[3:]
PROGRAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs")
NO_CGROUP = os.environ.get("SHOAL_SANDBOX_CGROUP") == "none"
SECRET = "sk-shoal-hostile-" + uuid.uuid4().hex


class Failure(Exception):
    pass


def check(cond, what, result=None):
    if not cond:
        raise Failure(what + ("\n  result: " + json.dumps(result)[:3000] if result is not None else ""))


class LoopbackServer:
    """A TCP server on 127.0.0.1 (and an abstract unix socket) counting connections."""

    def __init__(self):
        self.connections = 0
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        self.port = self.tcp.getsockname()[1]
        self.abstract = "shoal-hostile-" + uuid.uuid4().hex
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix.bind("\0" + self.abstract)
        self.unix.listen(8)
        for s in (self.tcp, self.unix):
            threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            self.connections += 1
            c.close()


class Host:
    """What the sandbox must not touch: a canary, a store, another run, a sentinel process."""

    def __init__(self):
        # Not under /tmp: the sandbox has a private /tmp, where paths would merely be shadowed.
        self.base = tempfile.mkdtemp(prefix="shoal-hostile-", dir="/var/tmp")
        os.chmod(self.base, 0o755)
        # The programs run from a copy here, beside the canary and the pretend store they
        # attack, so every path the programs try lies in one folder of this run.
        global PROGRAMS
        PROGRAMS = shutil.copytree(PROGRAMS, os.path.join(self.base, "programs"))
        self.canary = os.path.join(self.base, "canary.txt")
        with open(self.canary, "w") as f:
            f.write("the host's canary\n")
        os.chmod(self.canary, 0o644)
        self.home = os.path.join(self.base, "home")
        os.makedirs(os.path.join(self.home, "runs", "other-run"))
        with open(os.path.join(self.home, "shoal.db"), "w") as f:
            f.write("pretend store\n")
        with open(os.path.join(self.home, "runs", "other-run", "result.json"), "w") as f:
            f.write('{"secret": 1}\n')
        self.sentinel = subprocess.Popen(["sleep", "100000"])
        self.server = LoopbackServer()
        self.runner_hash = digest(SHOAL)
        self.swappiness = open("/proc/sys/vm/swappiness").read().strip()

    def canary_state(self):
        st = os.lstat(self.canary)
        return (digest(self.canary), st.st_uid, st.st_mode)

    def workdir(self, name):
        w = os.path.join(self.home, "runs", name)
        os.makedirs(w)
        return w

    def close(self):
        self.sentinel.kill()
        self.sentinel.wait()
        shutil.rmtree(self.base, ignore_errors=True)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def processes_with(text):
    """Pids whose command line or working folder mentions `text`."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if text in cmd or cwd.startswith(text):
            out.append(int(pid))
    return out


def sandbox(host, workdir, program, args=(), opts=(), timeout=60):
    """Runs a program of programs/ through `shoal sandbox`; returns (JSON result, process)."""
    interpreter = "/usr/bin/python3" if program.endswith(".py") else "/bin/bash"
    env = dict(os.environ, OPENAI_API_KEY=SECRET, ANTHROPIC_API_KEY=SECRET, SHOAL_HOME=host.home)
    cmd = [SHOAL, "sandbox", "--workdir", workdir, "--ro-bind", PROGRAMS, *opts, "--",
           interpreter, os.path.join(PROGRAMS, program), *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if p.returncode != 0:
        raise Failure(f"shoal sandbox exited {p.returncode}: {p.stderr}")
    return json.loads(p.stdout), p


# ---- the tests: each takes the Host and a fresh work folder -------------------------------

def test_loopback_server(host, w):
    r, _ = sandbox(host, w, "net_loopback.py", [str(host.server.port), host.server.abstract])
    out = r["stdout_tail"]
    check(r["exit_code"] == 0 and "CONNECTED" not in out, "the sandbox reached a host socket", r)
    check(out.count("blocked") == 3 and "ConnectionRefusedError" in out, "expected refused connections", r)
    time.sleep(0.2)
    check(host.server.connections == 0, f"the host servers saw {host.server.connections} connections")


def test_interfaces(host, w):
    r, _ = sandbox(host, w, "net_interfaces.py")
    check(r["exit_code"] == 0, "listing interfaces failed", r)
    check("interfaces ['lo']" in r["stdout_tail"] and "proc_net_dev ['lo']" in r["stdout_tail"],
          "the sandbox sees an interface other than loopback", r)


def test_write_outside(host, w):
    before = set(os.listdir(os.path.dirname(w)))
    readme = os.path.join(PROJECT, "README.md")
    with open(readme, "rb") as f:
        readme_before = f.read()
    targets = [host.canary, readme, os.path.join(host.home, "escaped")]
    r, _ = sandbox(host, w, "write_outside.py", targets)
    lines = r["stdout_tail"].splitlines()
    check(r["exit_code"] == 0 and len(lines) == 10, "the program did not try every write", r)
    # A path under /tmp lands in the sandbox's private tmpfs (the project may be checked out
    # under /tmp): allowed there, as long as the host's file is untouched (checked below).
    check(all(l.startswith("refused ") or l.startswith("WROTE /tmp/") for l in lines),
          "a write outside the work folder succeeded", r)
    with open(readme, "rb") as f:
        check(f.read() == readme_before, "the project's README.md was changed from the sandbox")
    check(set(os.listdir(os.path.dirname(w))) == before, "a file appeared next to the work folder")
    check(not os.path.exists(os.path.join(host.home, "escaped")), "a file appeared in the home")


def test_symlink_escape(host, w):
    os.symlink(host.canary, os.path.join(w, "planted"))  # left by an earlier run
    r, _ = sandbox(host, w, "symlink_escape.py", [host.canary])
    out = r["stdout_tail"]
    check(r["exit_code"] == 0 and "WROTE to_canary" not in out and "WROTE to_etc" not in out
          and "WROTE to_root" not in out and "WROTE planted" not in out, "a write through a symlink escaped", r)
    check(os.path.islink(os.path.join(w, "to_canary")), "the program could not even plant its symlink", r)
    check(not os.path.exists("/etc/shoal-escaped"), "/etc/shoal-escaped exists")


def test_read_private(host, w):
    paths = [os.path.join(host.home, "shoal.db"), os.path.join(host.home, "runs", "other-run"),
             os.path.join(PROJECT, "README.md"), "/root", host.canary, "/etc/shadow"]
    r, _ = sandbox(host, w, "read_private.py", paths)
    lines = r["stdout_tail"].splitlines()
    check(r["exit_code"] == 0 and len(lines) == len(paths), "the program did not try every path", r)
    check(all(l.startswith("hidden ") for l in lines), "a private path was readable", r)


def test_api_keys(host, w):
    r, _ = sandbox(host, w, "steal_keys.py", [SECRET[::-1]])
    out = r["stdout_tail"]
    check(r["exit_code"] == 0 and "found []" in out, "the sandbox found an API key", r)
    check("OPENAI_API_KEY" not in out and "pid1_env ['CUDA_VISIBLE_DEVICES', 'HOME'" in out,
          "bwrap (pid 1) holds more than the allow-list", r)


def test_fork_bomb(host, w):
    marker = "forkbomb-" + uuid.uuid4().hex
    start = time.time()
    r, _ = sandbox(host, w, "fork_bomb.sh", [marker], ["--procs", "64", "--timeout", "20"])
    check(r["limit_hit"] == "processes", "the fork bomb was not stopped by the process limit", r)
    check(time.time() - start < 15, "the fork bomb ran for too long", r)


def test_memory_bomb(host, w):
    r, _ = sandbox(host, w, "memory_bomb.py", [], ["--memory", "256M", "--timeout", "30"])
    saw_error = r["exit_code"] == 1 and "MemoryError" in r["stderr_tail"]
    if NO_CGROUP:
        check(r["limit_hit"] == "" and saw_error, "without a cgroup the bomb must see MemoryError (RLIMIT_AS)", r)
    else:
        check(r["limit_hit"] == "memory" or saw_error, "the memory bomb was not stopped by the memory limit", r)
    check(r["peak_memory_bytes"] < 600 << 20, "the memory bomb used far more than its limit", r)


def test_fill_disk(host, w):
    r, _ = sandbox(host, w, "fill_disk.py", [], ["--disk", "40M", "--file-size", "8M", "--timeout", "30"])
    check(r["limit_hit"] == "disk", "filling the disk was not stopped by the disk limit", r)
    used = sum(os.path.getsize(os.path.join(w, f)) for f in os.listdir(w))
    check(used < 200 << 20, f"the work folder grew to {used} bytes", r)


def test_file_size(host, w):
    r, _ = sandbox(host, w, "big_file.py", [], ["--file-size", "4M"])
    check(r["limit_hit"] == "file_size", "the file-size limit was not reported", r)
    check("File too large" in r["stdout_tail"] and r["exit_code"] == 1, "the program did not see EFBIG", r)
    check(os.path.getsize(os.path.join(w, "big.bin")) == 4 << 20, "the file is not capped at 4 MB")


def test_cpu_spin(host, w):
    r, _ = sandbox(host, w, "cpu_spin.py", ["1"], ["--cpu-time", "2", "--timeout", "30"])
    check(r["limit_hit"] == "cpu_time", "a CPU spin was not stopped by the CPU limit", r)
    # Without a cgroup, cpu_s is the last /proc sample before the kernel's SIGXCPU (RLIMIT_CPU
    # at 2 s), so it can lag by up to one poll interval (~0.5 s under load).
    check(1.0 < r["cpu_s"] < 6 and r["wall_s"] < 15, "CPU time or wall time out of range", r)


def test_cpu_spin_many_processes(host, w):
    # Four processes under a per-process RLIMIT_CPU: the tree's total is what counts.
    r, _ = sandbox(host, w, "cpu_spin.py", ["4"], ["--cpu-time", "3", "--timeout", "30"])
    check(r["limit_hit"] == "cpu_time", "spreading CPU over processes escaped the CPU limit", r)
    check(r["cpu_s"] < 8, "the tree used far more CPU than its limit", r)


def test_sleep_forever(host, w):
    marker = "sleeper-" + uuid.uuid4().hex
    r, _ = sandbox(host, w, "sleep_forever.sh", [marker], ["--timeout", "2"])
    check(r["limit_hit"] == "wall_time" and r["signal"] == 9, "sleeping forever was not stopped at the wall time", r)
    check(1.9 < r["wall_s"] < 5, "the wall time was not enforced on time", r)
    check(processes_with(marker) == [], "the sleeper survived")


def test_daemon(host, w):
    marker = "daemon-" + uuid.uuid4().hex
    r, _ = sandbox(host, w, "daemon.py", [marker], ["--timeout", "20"])
    check(r["exit_code"] == 0 and r["limit_hit"] == "" and "parent leaving" in r["stdout_tail"], "the parent failed", r)
    check(r["wall_s"] < 5, "the run waited for its daemon", r)
    time.sleep(0.5)
    check(processes_with(marker) == [] and processes_with(w) == [], "the daemon outlived the run")
    beat = os.path.join(w, "heartbeat")
    first = open(beat).read() if os.path.exists(beat) else None
    time.sleep(0.5)
    check((open(beat).read() if os.path.exists(beat) else None) == first, "the daemon still writes its heartbeat")


def test_kill_orchestrator(host, w):
    r, _ = sandbox(host, w, "kill_orchestrator.py", [str(os.getpid()), str(host.sentinel.pid), str(os.getppid())])
    out = r["stdout_tail"]
    pid_lines = [l for l in out.splitlines() if l.split(" ")[-1] == "ProcessLookupError" and l[8:9].isdigit()]
    check("KILLED" not in out and len(pid_lines) == 3,
          "the sandbox could signal a host process", r)
    check(r["exit_code"] == 0 and "still here" in out, "kill -1 inside should reach no host process", r)


def test_edit_runner(host, w):
    r, _ = sandbox(host, w, "edit_runner.py", [SHOAL], ["--timeout", "3"])
    out = r["stdout_tail"]
    check("DONE" not in out and out.count("refused") == 7, "the sandbox changed its runner or its limits", r)
    check(open("/proc/sys/vm/swappiness").read().strip() == host.swappiness, "a host sysctl changed")
    check(r["limit_hit"] == "wall_time" and 2.9 < r["wall_s"] < 6, "the timeout did not hold", r)
    check(digest(SHOAL) == host.runner_hash, "the shoal binary changed")


def test_ptrace(host, w):
    r, _ = sandbox(host, w, "ptrace_parent.py", [str(os.getpid())])
    out = r["stdout_tail"]
    check(r["exit_code"] == 0 and "ATTACHED" not in out and "READ" not in out, "ptrace or process_vm_readv worked", r)
    check(out.count("EPERM") >= 3, "expected EPERM from the seccomp filter", r)


def test_huge_stdout(host, w):
    r, _ = sandbox(host, w, "huge_stdout.sh", [], ["--output", "2M", "--tail", "4K", "--timeout", "30"])
    check(r["limit_hit"] == "output", "endless output was not stopped by the output limit", r)
    check(r["stdout_bytes"] > 2 << 20 and r["stdout_bytes"] < 64 << 20, "output count out of range", r)
    check(len(r["stdout_tail"]) <= 4096 and r["stdout_tail"].endswith("output\n"), "the tail is not the last 4K", r)


TESTS = [v for k, v in list(globals().items()) if k.startswith("test_")]


def main():
    if os.geteuid() != 0:
        print("hostile_suite: must run as root (it checks the unprivileged sandbox user); not run")
        return 77
    host = Host()
    failed = []
    try:
        for test in TESTS:
            name = test.__name__[5:]
            if ONLY and name not in ONLY:
                continue
            w = host.workdir(name)
            before = host.canary_state()
            start = time.time()
            try:
                test(host, w)
                check(host.canary_state() == before, "the canary changed")
                check(host.sentinel.poll() is None, "the sentinel process died")
                time.sleep(0.1)
                check(processes_with(w) == [], "a process of the run survives")
                check(host.server.connections == 0, "a host server saw a connection")
                print(f"ok   {name} ({time.time() - start:.1f} s)", flush=True)
            except (Failure, subprocess.TimeoutExpired, json.JSONDecodeError) as e:
                failed.append(name)
                print(f"FAIL {name}: {e}", flush=True)
    finally:
        host.close()
    mode = "no cgroup (forced)" if NO_CGROUP else "cgroups where writable"
    print(f"{len(failed)} failed: {failed}" if failed else f"all passed ({mode})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
