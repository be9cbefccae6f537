#!/usr/bin/python3
"""bench/schedule: how close the orchestrator comes to the best possible schedule.

Workload (the research loop issue's): N = 16 ideas, every LLM call takes 200 ms (the fake
provider server, real HTTP), every experiment takes 1 s (a real sandboxed run of
bench/schedule_template, which sleeps), 2 executor slots, linear search with R = 3 runs
per idea, no novelty check, plots or paper. Prints:

  1. makespan / lower bound, where the lower bound is the larger of (total experiment time
     / slots) and the longest idea's critical path (the idea stage, then that idea's own
     LLM calls and experiments one after another); target <= 1.15;
  2. the same workload with --parallel 1 --idea-batch 1 (one idea at a time, as
     AI-Scientist v1 runs) and the speed-up;
  3. the orchestrator's own CPU time per idea with a zero-latency LLM and no-op
     experiments (the sandbox's processes are not counted).

usage: bench/schedule.py BUILD/cli/shoal [--ideas N] [--runs R]
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
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "schedule_template")
SERVER = os.path.join(HERE, "..", "tests", "fake_llm", "server.py")
SLOTS = 2


def rules(ideas, runs, delay_ms):
    """Scripted replies: one idea per draft slot, an edit per experiment run."""
    def idea(k):
        body = {"Name": f"idea_{k}", "Title": f"Idea {k}", "Hypothesis": "h", "Experiment": "e",
                "Interestingness": 5, "Feasibility": 5, "Novelty": 5}
        return "NEW IDEA JSON:\n```json\n" + json.dumps(body) + "\n```\nI am done\n"

    def coder(run):
        edit = (f"experiment.py\n```python\n<<<<<<< SEARCH\n# variant: {run - 1}\n=======\n"
                f"# variant: {run}\n>>>>>>> REPLACE\n```\n")
        return edit + "\n```json\n" + json.dumps({"plan": f"variant {run}", "args": [], "notes": "n"}) + "\n```\n"

    r = [{"match": f"this is draft {k} of", "reply": idea(k), "delay_ms": delay_ms} for k in range(ideas, 0, -1)]
    r += [{"match": f"run {k} of at most {runs}, attempt 1 of", "reply": coder(k), "delay_ms": delay_ms}
          for k in range(1, runs + 1)]
    r += [{"match": "Propose the next research idea", "reply": idea(0), "delay_ms": delay_ms},
          {"match": "", "reply": "ALL_DONE", "delay_ms": delay_ms}]
    return {"rules": r, "default_reply": "ALL_DONE"}


class FakeLLM:
    def __init__(self, rule_doc):
        self.rules = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(rule_doc, self.rules)
        self.rules.close()
        self.proc = subprocess.Popen(["/usr/bin/python3", SERVER, "--port", "0", "--rules", self.rules.name],
                                     stdout=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{self.proc.stdout.readline().strip()}/v1"

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        os.unlink(self.rules.name)


def one_run(shoal, home, llm_url, ideas, runs, parallel, batch, smoke):
    args = [shoal, "run", TEMPLATE, "--home", home, "--model", "openai:gpt-4o", "--ideas", str(ideas),
            "--generate", str(ideas), "--parallel", str(parallel), "--idea-batch", str(batch),
            "--max-runs", str(runs), "--no-novelty", "--no-plots", "--no-paper",
            "--set", f"llm_base_url={llm_url}", "--set", f"executor_slots={SLOTS}", "--set", "llm_concurrency=16"]
    if smoke:
        args.append("--smoke")
    env = dict(os.environ, OPENAI_API_KEY="sk-test-openai")
    start = time.monotonic()
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    makespan = time.monotonic() - start
    if r.returncode != 0:
        sys.exit(f"bench/schedule: the run failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    cpu = re.search(r"orchestrator CPU ([0-9.]+) s", r.stdout)
    return makespan, float(cpu.group(1)) if cpu else float("nan"), os.path.join(home, "shoal.db")


def lower_bound(db):
    """(total experiment seconds / slots, longest critical path, ideas done, experiments)."""
    con = sqlite3.connect(db)
    total = con.execute("SELECT coalesce(sum(duration_s), 0), count(*) FROM nodes").fetchone()
    done = con.execute("SELECT count(*) FROM ideas WHERE status = 'done'").fetchone()[0]
    idea_stage = con.execute("SELECT (ended_ms - started_ms) / 1000.0 FROM stage_executions "
                             "WHERE stage = 'ideas'").fetchone()[0]
    longest = 0.0
    for (idea_id,) in con.execute("SELECT id FROM ideas"):
        exp = con.execute("SELECT coalesce(sum(duration_s), 0) FROM nodes WHERE idea_id = ?", (idea_id,)).fetchone()[0]
        llm = con.execute("SELECT coalesce(sum(latency_ms), 0) / 1000.0 FROM llm_calls WHERE idea_id = ?",
                          (idea_id,)).fetchone()[0]
        longest = max(longest, exp + llm)
    return total[0] / SLOTS, idea_stage + longest, done, total[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shoal")
    ap.add_argument("--ideas", type=int, default=16)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    shoal = os.path.abspath(a.shoal)
    tmp = tempfile.mkdtemp(prefix="shoal-schedule-")
    os.chmod(tmp, 0o755)  # the sandbox user enters the work folders
    try:
        llm = FakeLLM(rules(a.ideas, a.runs, 200))
        try:
            figures = {}
            for name, parallel, batch in (("parallel", 8, 8), ("one at a time", 1, 1)):
                makespan, _, db = one_run(shoal, os.path.join(tmp, name.replace(" ", "_")), llm.url, a.ideas, a.runs,
                                          parallel, batch, smoke=False)
                by_slots, path, done, nodes = lower_bound(db)
                bound = max(by_slots, path)
                figures[name] = makespan
                print(f"{name} (--parallel {parallel} --idea-batch {batch}): {done}/{a.ideas} ideas done, "
                      f"{nodes} experiments; makespan {makespan:.1f} s; lower bound {bound:.1f} s "
                      f"(experiments/slots {by_slots:.1f} s, critical path {path:.1f} s); "
                      f"makespan / lower bound = {makespan / bound:.3f}")
            print(f"speed-up of --parallel 8 over one idea at a time: "
                  f"{figures['one at a time'] / figures['parallel']:.2f}x")
        finally:
            llm.close()
        llm = FakeLLM(rules(a.ideas, a.runs, 0))
        try:
            _, cpu, _ = one_run(shoal, os.path.join(tmp, "cpu"), llm.url, a.ideas, a.runs, 8, 8, smoke=True)
            print(f"orchestrator CPU with a zero-latency LLM and no-op experiments: {cpu:.2f} s for {a.ideas} ideas, "
                  f"{1000 * cpu / a.ideas:.0f} ms per idea")
        finally:
            llm.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
