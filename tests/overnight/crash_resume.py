#!/usr/bin/python3
"""Crash safety: a whole LLM run (ideas, novelty with a literature search, experiments in the
real sandbox, plots, paper, review) against the fake LLM server, with the orchestrator killed
by SIGKILL at 20 random moments (seeded; the moments are drawn over the measured duration of
an uninterrupted run) and resumed each time. At the end: every idea is in a final state, the
store passes the run checks (integrity_check, no stage completed twice, no artifact missing or
mismatched, costs add up), the outcome equals the uninterrupted run's, and no LLM call that
had been answered was asked again, except one answered just before a kill and never recorded.

usage: crash_resume.py PATH/TO/shoal [--kills N] [--seed S]
"""
import collections
import json
import os
import random
import signal
import subprocess
import threading
import time

import overnight
from overnight import run_checks

DELAY_MS = 150       # each LLM answer
EXPERIMENT_S = 0.8   # each experiment run


def collect(proc, lines):
    """Reads the process's output into `lines` until it ends (a thread)."""
    for line in proc.stdout:
        lines.append(line)


def newest_run(h, home):
    """The run id of the home's newest run, or None."""
    r = h.run(home, "list", "--json")
    runs = json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else []
    return runs[0]["id"] if runs else None


def progress_marks(db, rid):
    """Times (ms) at which the run made lasting progress: stages done, LLM answers recorded,
    experiment runs finished.
    Both survive a kill, so their count only grows across restarts."""
    con = run_checks.connect(db)
    marks = [r[0] for r in con.execute("SELECT created_ms FROM events WHERE run_id = ? AND kind = 'stage_done'", (rid,))]
    # one mark per distinct request: a rejected reply asked anew after a restart is not new progress
    marks += [r[0] for r in con.execute("SELECT min(created_ms) FROM llm_calls WHERE run_id = ? AND status = 'ok' "
                                        "GROUP BY request_hash", (rid,))]
    # experiment runs that finished (seed runs make no LLM call); an interrupted one is not progress
    marks += [r[0] for r in con.execute(
        "SELECT n.ended_ms FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ? AND n.ended_ms IS NOT NULL "
        "AND n.status IN ('done', 'failed', 'incomparable') AND coalesce(n.limit_hit, '') <> 'interrupted'", (rid,))]
    return sorted(marks)


def kill_points(ref_db, ref_rid, moments):
    """Each moment (seconds into the uninterrupted run) as (progress count reached, seconds after it)."""
    start = run_checks.connect(ref_db).execute("SELECT created_ms FROM runs WHERE id = ?", (ref_rid,)).fetchone()[0]
    marks = [(m - start) / 1000 for m in progress_marks(ref_db, ref_rid)]
    points = []
    for moment in moments:
        reached = sum(1 for m in marks if m <= moment)
        points.append((reached, moment - (marks[reached - 1] if reached else 0)))
    return points


def wait_for_progress(proc, db, run_id, reached):
    """Waits until the run (its id from `run_id()`, None until known) has made `reached` marks of
    progress; False if the process ended first."""
    while proc.poll() is None:
        rid = run_id()
        if reached == 0 or (rid and os.path.exists(db) and len(progress_marks(db, rid)) >= reached):
            return True
        time.sleep(0.02)
    return False


def running_stages(db):
    """Stages the store shows running (after a kill: the ones it interrupted)."""
    if not os.path.exists(db):
        return ["(no store yet)"]
    rows = run_checks.connect(db).execute("SELECT stage FROM stage_executions WHERE status = 'running'").fetchall()
    return sorted({r["stage"] for r in rows}) or ["(between stages)"]


def unexplained_repeats(answered, kills):
    """Request bodies answered twice with no kill between the two arrivals: paid twice for nothing."""
    bad = []
    for digest, times in answered.items():
        times = sorted(times)
        for first, second in zip(times, times[1:]):
            if not any(first <= k <= second for k in kills):
                bad.append((digest[:12], first, second))
    return bad


def main():
    args = overnight.parse_args(kills=20, seed=10)
    check = overnight.check
    h = overnight.Harness(args.shoal, experiment_s=EXPERIMENT_S)
    try:
        ref_db, ref_rid, duration, ref_stats = h.reference(check, "reference", delay_ms=DELAY_MS)
        print(f"uninterrupted run: {duration:.1f} s, {ref_stats['requests']} LLM requests", flush=True)

        # the kill moments: sorted uniform draws over the uninterrupted run's duration, each turned
        # into "once the run has made the progress the uninterrupted one had made by then, wait
        # as long as it had been working on since": so the kills spread over every stage even
        # though each restart redoes the stage it interrupted
        rng = random.Random(args.seed)
        moments = sorted(rng.uniform(0, 0.85 * duration) for _ in range(args.kills))
        points = kill_points(ref_db, ref_rid, moments)

        home = os.path.join(h.tmp, "crash")
        db = os.path.join(home, "shoal.db")
        h.llm.reset(overnight.rules_doc(delay_ms=DELAY_MS))
        rid, kills, hit = None, [], collections.Counter()
        began = time.time()
        for reached, after in points:
            proc = (h.start(home, "resume", rid) if rid else h.start(home, "run", h.template, *overnight.RUN_ARGS,
                                                                           "--budget", "5"))
            lines = []
            reader = threading.Thread(target=collect, args=(proc, lines))
            reader.start()
            try:
                if not wait_for_progress(proc, db, lambda: rid or run_checks.run_id_of("".join(lines)), reached):
                    raise StopIteration
                proc.wait(timeout=after)
                finished = True
            except StopIteration:
                finished = True
            except subprocess.TimeoutExpired:
                finished = False
                proc.send_signal(signal.SIGKILL)
                kills.append(time.time())
                proc.wait()
            reader.join()
            rid = rid or run_checks.run_id_of("".join(lines)) or newest_run(h, home)
            if finished:
                print(f"the run ended before kill {len(kills) + 1}: exit {proc.returncode}", flush=True)
                break
            for stage in running_stages(db):
                hit[stage] += 1
        check(f"{args.kills} kills delivered", len(kills) == args.kills, f"{len(kills)} kills")
        print("kills by running stage: " + ", ".join(f"{k} {v}" for k, v in sorted(hit.items())), flush=True)
        check("kills land in several stages", len([s for s in hit if not s.startswith("(")]) >= 3, dict(hit))

        r = h.run(home, "resume", rid) if rid else None
        check("final resume exits 0", r is not None and r.returncode == 0, r and (r.stdout + r.stderr))
        print(f"crash run: {time.time() - began:.1f} s with {len(kills)} kills", flush=True)
        problems = run_checks.check_finished_run(db, rid) if rid else ["no run id"]
        check("store is sound after every kill and resume", not problems, "; ".join(problems))
        final = run_checks.connect(db).execute("SELECT name, status FROM ideas WHERE run_id = ?", (rid,)).fetchall()
        check("every idea in a final state", final and all(i["status"] in run_checks.FINAL for i in final),
              [tuple(i) for i in final])
        want, got = overnight.outcome(ref_db, ref_rid), overnight.outcome(db, rid)
        check("same outcome as the uninterrupted run", want == got, f"want {want}, got {got}")
        want, got = overnight.artifact_counts(ref_db), overnight.artifact_counts(db)
        check("no artifact missing or duplicated: the uninterrupted run's artifacts", want == got,
              f"missing {dict(want - got)}, extra {dict(got - want)}")
        check("no completed LLM call recorded twice", not overnight.repeated_ok_calls(db),
              overnight.repeated_ok_calls(db))
        stats = h.llm.stats()
        repeats = unexplained_repeats(stats["answered"], kills)
        check("no answered LLM call asked again without a kill in between", not repeats, repeats[:5])
        again = sum(len(t) - 1 for t in stats["answered"].values())
        print(f"LLM requests: {stats['requests']} (uninterrupted {ref_stats['requests']}); answered again after "
              f"a kill: {again}", flush=True)
        most = stats["max_in_flight"] * len(kills)
        check("answered again at most the calls in flight at the kills", again <= most, f"{again} > {most}")
        time.sleep(1)
        # a sandbox (bwrap) can outlive an orchestrator SIGKILLed while it started; each resume
        # kills what still runs in the run's work folder (agent/stray_processes.cpp)
        left = h.leftovers()
        check("no process outlived the killed orchestrators and the resumes", not left, left)
    finally:
        h.close()
    overnight.finish()


if __name__ == "__main__":
    main()
