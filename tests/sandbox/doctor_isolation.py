#!/usr/bin/python3
"""`shoal doctor` reports the isolation jobs get (issue 19): as root, the sandbox user pool
with as many members as the machine has (shoal-sandbox-0..N-1) and the cgroups found; not as
root, that jobs share the user's own uid. Then a pool member is held through its lock file
and the doctor counts it busy.

usage: doctor_isolation.py SHOAL_BINARY
"""
import fcntl, os, pwd, re, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "run"))
from run_checks import check, failures  # noqa: E402

SHOAL = os.path.abspath(sys.argv[1])


def doctor(home):
    r = subprocess.run([SHOAL, "doctor", "--model", "offline", "--home", home], capture_output=True, text=True, timeout=120)
    line = next((l for l in r.stdout.splitlines() if " isolation: " in l), "")
    return r, line


def main():
    tmp = tempfile.mkdtemp(prefix="shoal-doctor-iso-")
    try:
        r, line = doctor(os.path.join(tmp, "home"))
        check("doctor passes", r.returncode == 0, r.stdout + r.stderr)
        check("the cgroups found are named", re.search(r"cgroups: (cgroup v[12]|no writable memory cgroup)", line) is not None, line)
        if os.geteuid() != 0:
            check("not root: jobs share the user's uid", line.startswith("ok   isolation: jobs run as you"), line)
            return
        names = set(e.pw_name for e in pwd.getpwall())
        n = 0
        while f"shoal-sandbox-{n}" in names:
            n += 1
        check("the machine has a pool (scripts/setup made it)", n > 0, str(n))
        want = rf"^ok   isolation: sandbox user pool: {n} users \(shoal-sandbox-0\.\.shoal-sandbox-{n - 1}\), \d+ busy"
        check("doctor reports the pool with its size", re.match(want, line) is not None, line)
        busy_before = int(re.search(r"(\d+) busy", line).group(1)) if re.search(r"(\d+) busy", line) else -1
        # Hold the last member the way a running job does: its doctor count goes up by one.
        os.makedirs("/run/shoal/uids", exist_ok=True)
        lock = open(f"/run/shoal/uids/shoal-sandbox-{n - 1}.lock", "a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _, held = doctor(os.path.join(tmp, "home"))
            busy = re.search(r"(\d+) busy", held)
            check("a held member counts as busy", busy is not None and int(busy.group(1)) >= 1 and int(busy.group(1)) >= busy_before,
                  f"{line} / {held}")
        finally:
            lock.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)
