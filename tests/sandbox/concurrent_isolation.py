#!/usr/bin/python3
"""Isolation between runs (issue 19): while the fork bomb, the memory bomb and the disk filler
of programs/ run over and over through `shoal sandbox`, three offline runs of the tiny template
(separate homes, each with its experiments and a LaTeX paper) and `shoal doctor` (a LaTeX
compile) run beside them. Every run must end done, every hostile program must still be stopped
by its own limit, and a spy job must see and signal none of the other jobs' processes. As root,
each job holds its own sandbox user, so the fork bomb's process limit is its alone.

usage: concurrent_isolation.py SHOAL_BINARY
"""
import json, os, pwd, shutil, sqlite3, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "run"))
from run_checks import check, failures  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SHOAL = os.path.abspath(sys.argv[1])
TINY = os.path.join(HERE, "..", "templates", "tiny")
RUNS = 3

SPY = r"""
import os, sys
mine = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
reachable = []
for pid in range(1, 1 << 16):
    try:
        os.kill(pid, 0)
        reachable.append(pid)
    except ProcessLookupError:
        pass
    except PermissionError:
        reachable.append(pid)
print(os.getuid(), len(mine), ' '.join(map(str, reachable)))
"""


def sandbox(base, name, program, opts):
    """One hostile program through `shoal sandbox`: its JSON result."""
    work = os.path.join(base, "hostile", name)
    os.makedirs(work, exist_ok=True)
    interpreter = "/usr/bin/python3" if program.endswith(".py") else "/bin/bash"
    programs = os.path.join(base, "programs")
    r = subprocess.run([SHOAL, "sandbox", "--workdir", work, "--ro-bind", programs, *opts, "--", interpreter,
                        os.path.join(programs, program), "bomb-marker"], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, SHOAL_HOME=os.path.join(base, "hostile-home")))
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"error": r.stdout + r.stderr}


def hostile_loop(base, stop, outcomes):
    """Runs the three hostile programs in turn, again and again, until `stop` is set."""
    programs = [("fork", "fork_bomb.sh", ["--procs", "64", "--timeout", "20"], ("processes",)),
                ("memory", "memory_bomb.py", ["--memory", "256M", "--timeout", "30"], ("memory", "")),
                ("disk", "fill_disk.py", ["--disk", "40M", "--file-size", "8M", "--timeout", "30"], ("disk",))]
    while not stop.is_set():
        for name, program, opts, allowed in programs:
            r = sandbox(base, name, program, opts)
            contained = r.get("limit_hit") in allowed and (r.get("limit_hit") or "MemoryError" in r.get("stderr_tail", ""))
            outcomes.append((name, bool(contained), r))


def main():
    base = tempfile.mkdtemp(prefix="shoal-concurrent-", dir="/var/tmp")
    shutil.copytree(os.path.join(HERE, "programs"), os.path.join(base, "programs"))
    stop, outcomes = threading.Event(), []
    bombs = threading.Thread(target=hostile_loop, args=(base, stop, outcomes))
    try:
        bombs.start()
        time.sleep(2)  # the fork bomb is at its limit by now
        runs = []
        start = time.time()
        for i in range(RUNS):
            home = os.path.join(base, f"home{i}")
            tpl = shutil.copytree(TINY, os.path.join(base, f"tiny{i}"))
            runs.append((home, subprocess.Popen([SHOAL, "run", tpl, "--smoke", "--ideas", "1", "--home", home],
                                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
        doctor = subprocess.Popen([SHOAL, "doctor", "--model", "offline", "--home", os.path.join(base, "doctor-home")],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        spy_work = os.path.join(base, "spy")
        os.makedirs(spy_work)
        spy = subprocess.run([SHOAL, "sandbox", "--workdir", spy_work, "--", "/usr/bin/python3", "-c", SPY],
                             capture_output=True, text=True, timeout=120,
                             env=dict(os.environ, SHOAL_HOME=os.path.join(base, "spy-home")))
        for i, (home, p) in enumerate(runs):
            out, _ = p.communicate(timeout=240)
            check(f"run {i} exits 0 beside the hostile programs", p.returncode == 0, out)
            con = sqlite3.connect(os.path.join(home, "shoal.db"))
            statuses = [r[0] for r in con.execute("SELECT status FROM ideas")]
            papers = [r[0] for r in con.execute("SELECT status FROM papers")]
            run_status = [r[0] for r in con.execute("SELECT status FROM runs")]
            check(f"run {i}: the run and its one idea are done (the rest skipped)",
                  run_status == ["done"] and sorted(statuses) == ["done", "skipped"],
                  f"runs {run_status}, ideas {statuses}\n{out}")
            check(f"run {i}: its paper compiled with pdflatex", papers == ["compiled"], f"papers {papers}")
        runs_s = time.time() - start
        out, _ = doctor.communicate(timeout=240)
        check("doctor's LaTeX compile passes beside the hostile programs", "ok   tex: pdflatex compiles" in out, out)
        try:
            result = json.loads(spy.stdout)
        except ValueError:
            result = {"stdout_tail": "", "error": spy.stdout + spy.stderr}
        words = result.get("stdout_tail", "").split()
        check("the spy job ran", result.get("exit_code") == 0 and len(words) >= 2, json.dumps(result)[:3000])
        if len(words) >= 2:
            own = int(words[1])
            reachable = [int(w) for w in words[2:]]
            check("the spy sees and signals only its own processes (its PID namespace)",
                  len(reachable) <= own and own <= 4, f"{own} own, reachable {reachable}")
            if os.geteuid() == 0:
                check("the spy runs as a sandbox user, not root", int(words[0]) != 0, words[0])
        print(f"# {RUNS} runs and doctor finished in {runs_s:.1f} s beside the hostile programs", flush=True)
    finally:
        stop.set()
        bombs.join(timeout=180)
    for kind in ("fork", "memory", "disk"):
        seen = [o for o in outcomes if o[0] == kind]
        bad = [o[2] for o in seen if not o[1]]
        check(f"every {kind} bomb ({len(seen)} rounds) was stopped by its own limit", bool(seen) and not bad, json.dumps(bad[:1])[:3000])
    if os.geteuid() == 0:
        # Killed jobs' processes leave within moments (a PID namespace is torn down after its
        # init): allow 5 s.
        deadline, left = time.time() + 5, ["?"]
        while left and time.time() < deadline:
            left = []
            for e in pwd.getpwall():
                if e.pw_name.startswith("shoal-sandbox-"):
                    r = subprocess.run(["pgrep", "-u", str(e.pw_uid)], capture_output=True, text=True)
                    left += r.stdout.split()
            time.sleep(0.2)
        check("no pool member has a process left", not left, str(left))
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)
