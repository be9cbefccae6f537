#!/usr/bin/python3
"""bench/soak: many ideas at once, with the reviewer web server reading the store meanwhile.

Two runs of N ideas (default 64) with --parallel N and short sandboxed experiments: the
offline agent (on a generated template with N knobs, one idea per knob) and the LLM agent
against the fake provider server (scripted replies, 16 drafts at once). While a run goes,
`shoal serve` on the same store answers a request every 0.2 s. Prints, per run:

  - the orchestrator's peak RSS (target: under 150 MB);
  - its open file descriptors early in the run and once every idea is final (a short window
    before it exits, sampled when caught; tests/python checks the same deterministically in one
    process), and the processes left after the run (a leak shows as growth / leftovers);
  - the web server's p50 / p99 / worst latency while the run writes;
  - whether every idea reached a final state.

Exit status 1 when an idea is not final, a descriptor or process leaks, the web server does
not answer, or --check is given and the peak RSS reaches 150 MB (the CI runs a smaller N).

usage: bench/soak.py BUILD/cli/shoal [--ideas N] [--mode offline|llm|both] [--check]
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from schedule import FakeLLM, TEMPLATE, rules  # noqa: E402  (the fake provider and the scripted replies)

RSS_LIMIT_MB = 150
FINAL = ("done", "failed", "skipped", "cancelled")
problems = []


def knob_template(root, knobs):
    """bench/schedule_template with `knobs` extra flags (--k0 ...), each swept over 0 and 1."""
    path = os.path.join(root, "knobs")
    shutil.copytree(TEMPLATE, path)
    exp = os.path.join(path, "experiment.py")
    flags = "".join(f'parser.add_argument("--k{i}", type=int, default=0)\n' for i in range(knobs))
    text = open(exp).read().replace("args = parser.parse_args()", flags + "args = parser.parse_args()")
    open(exp, "w").write(text)
    manifest = json.load(open(os.path.join(path, "template.json")))
    manifest["name"] = "soak_knobs"
    manifest["knobs"] = [{"flag": f"--k{i}", "values": [0, 1], "baseline": 0, "description": "no-op"}
                         for i in range(knobs)]
    manifest["smoke_args"] = ["--seconds", "0.2"]
    json.dump(manifest, open(os.path.join(path, "template.json"), "w"))
    return path


def rss_mb(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def final_count(db):
    """How many ideas the store lists and how many of them are in a final state."""
    try:
        con = sqlite3.connect(db, uri=True, timeout=0.05)
        try:
            states = [r[0] for r in con.execute("SELECT status FROM ideas")]
        finally:
            con.close()
    except sqlite3.Error:
        return 0, 0
    return len(states), sum(s in FINAL for s in states)


def fd_targets(pid):
    """What each open descriptor of the process points at (socket:[...], a path, pipe:[...]), or None."""
    try:
        out = []
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
            except OSError:
                pass
        return out
    except OSError:
        return None


def start_time(pid):
    """The process's start time in clock ticks (tells a live process from a reused pid), or None."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] == "Z" else fields[19]  # state, ..., starttime (field 22)


def descendants(pid):
    """Every live descendant of `pid` with its start time."""
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                children = open(f"/proc/{p}/task/{t}/children").read().split()
            except OSError:
                continue
            for c in map(int, children):
                if c not in out:
                    out[c] = start_time(c)
                    todo.append(c)
    return out


def left_behind(seen):
    """The processes seen under the run that still live after it exited."""
    return [pid for pid, started in seen.items() if started is not None and start_time(pid) == started]


class WebProbe(threading.Thread):
    """Asks the web server for the runs list every 0.2 s and keeps the latencies."""

    def __init__(self, shoal, home):
        super().__init__(daemon=True)
        self.proc = subprocess.Popen([shoal, "serve", "--home", home, "--port", "0"], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        first = self.proc.stdout.readline()
        self.url = first.split()[2].rstrip("/") if first.startswith("shoal serve: http") else None
        self.latencies, self.errors, self.stop = [], 0, threading.Event()

    def run(self):
        while self.url and not self.stop.is_set():
            start = time.monotonic()
            try:
                urllib.request.urlopen(self.url + "/api/v1/runs", timeout=5).read()
                self.latencies.append(1000 * (time.monotonic() - start))
            except OSError:
                self.errors += 1
            self.stop.wait(0.2)

    def close(self):
        self.stop.set()
        self.join()
        self.proc.terminate()
        self.proc.wait()


def soak(shoal, home, label, args, env, n_ideas):
    os.makedirs(home)
    subprocess.run([shoal, "init", "--home", home], check=True, capture_output=True)
    web = WebProbe(shoal, home)
    if not web.url:
        problems.append(f"{label}: shoal serve did not start")
    web.start()
    run = subprocess.Popen([shoal, "run", *args, "--home", home], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, env=env)
    # Descriptors are counted through the run; the leak check uses the counts taken after every
    # idea is final, when no idea's sockets, pipes or files should be open. That window is short
    # (the run then closes the store and exits), so sampling turns fast once one idea is left.
    peak, fds, seen, after = 0.0, [], {}, []
    db = f"file:{home}/shoal.db?mode=ro"
    fast = False
    while run.poll() is None:
        if not fast:
            peak = max(peak, rss_mb(run.pid))
            seen.update(descendants(run.pid))
        total, done = final_count(db)
        t = fd_targets(run.pid)
        if t is not None:
            fds.append(len(t))
            if total and done == total and t:  # (an exiting process lists none, not even its stdio)
                after.append(t)
        fast = total > 0 and done >= total - 1
        time.sleep(0 if fast else 0.1)
    out = run.stdout.read()
    web.close()
    time.sleep(0.5)
    leftovers = left_behind(seen)
    con = sqlite3.connect(f"file:{home}/shoal.db?mode=ro", uri=True)
    states = [r[0] for r in con.execute("SELECT status FROM ideas")]
    final = sum(s in FINAL for s in states)
    lat = sorted(web.latencies)
    p = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]) if lat else (lambda q: float("nan"))
    early = fds[len(fds) // 10] if fds else 0
    rest = min(after, key=len) if after else None
    print(f"{label}: {len(states)} ideas, {final} final, exit {run.returncode}; orchestrator peak RSS {peak:.0f} MB "
          f"(target < {RSS_LIMIT_MB}); fds early {early}, peak {max(fds, default=0)}, after the last idea "
          f"{len(rest) if rest is not None else 'not sampled'} ({len(after)} samples); {len(seen)} processes under the run, {len(leftovers)} left after it; web /api/v1/runs "
          f"{len(lat)} requests during the run, p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, worst "
          f"{lat[-1] if lat else float('nan'):.1f} ms, {web.errors} errors")
    if run.returncode != 0 or final != len(states) or not states:
        problems.append(f"{label}: the run did not finish every idea (exit {run.returncode}):\n{out[-2000:]}")
    # a leak grows with the work (ideas, experiments); a few lazily opened files (WAL, sockets kept
    # by the HTTP connection pool) do not
    if rest is not None and len(rest) > early + max(8, n_ideas // 2):
        kinds = {}
        for t in rest:
            k = re.sub(r"\[\d+\]$", "", t)
            kinds[k] = kinds.get(k, 0) + 1
        problems.append(f"{label}: {len(rest)} descriptors open after the last idea (early in the run {early}): "
                        + ", ".join(f"{k} x{n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])))
    if leftovers:
        problems.append(f"{label}: process(es) {leftovers} left behind")
    if web.errors or not lat:
        problems.append(f"{label}: the web server failed {web.errors} request(s)")
    return peak


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shoal")
    ap.add_argument("--ideas", type=int, default=64)
    ap.add_argument("--mode", choices=["offline", "llm", "both"], default="both")
    ap.add_argument("--check", action="store_true", help="also fail when the peak RSS reaches the target")
    a = ap.parse_args()
    shoal = os.path.abspath(a.shoal)
    tmp = tempfile.mkdtemp(prefix="shoal-soak-")
    os.chmod(tmp, 0o755)
    peaks = []
    common = ["--parallel", str(a.ideas), "--smoke", "--no-paper", "--set", "executor_slots=2"]
    try:
        if a.mode in ("offline", "both"):
            tpl = knob_template(tmp, a.ideas)
            peaks.append(soak(shoal, os.path.join(tmp, "offline"), f"offline agent, {a.ideas} ideas",
                              [tpl, "--ideas", str(a.ideas), *common], dict(os.environ), a.ideas))
        if a.mode in ("llm", "both"):
            llm = FakeLLM(rules(a.ideas, 2, 0))
            try:
                peaks.append(soak(shoal, os.path.join(tmp, "llm"), f"fake LLM, {a.ideas} ideas",
                                  [TEMPLATE, "--model", "openai:gpt-4o", "--ideas", str(a.ideas), "--generate",
                                   str(a.ideas), "--idea-batch", "16", "--max-runs", "2", "--no-novelty", "--no-plots",
                                   "--set", f"llm_base_url={llm.url}", *common],
                                  dict(os.environ, OPENAI_API_KEY="sk-test-openai"), a.ideas))
            finally:
                llm.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if a.check and any(pk >= RSS_LIMIT_MB for pk in peaks):
        problems.append(f"peak RSS {max(peaks):.0f} MB reaches the {RSS_LIMIT_MB} MB target")
    for p in problems:
        print("FAIL " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
