#!/usr/bin/python3
"""Whole runs of the offline baseline agent through the real shoal binary, sandbox and store:
a run to the end, SIGKILL during an experiment then resume, a second resume refused while
one runs, shoal cancel, and the bad-input refusals.

usage: test_run_offline.py PATH/TO/shoal
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from run_checks import check, check_finished_run, connect, failures, run_id_of, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "..", "templates", "tiny")




def shoal(*args, **kw):
    return subprocess.run([SHOAL, *args, "--home", HOME], capture_output=True, text=True, timeout=300, **kw)


def start(*args):
    return subprocess.Popen([SHOAL, *args, "--home", HOME], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)






def slow_template(seconds):
    """A copy of tiny whose experiments take `seconds` each."""
    path = os.path.join(TMP, f"slow{seconds}")
    shutil.copytree(TINY, path)
    exp = os.path.join(path, "experiment.py")
    text = open(exp).read().replace("random.seed(0)", f"import time\ntime.sleep({seconds})\nrandom.seed(0)")
    open(exp, "w").write(text)
    return path


def main():
    tpl = os.path.join(TMP, "tiny")
    shutil.copytree(TINY, tpl)
    db = os.path.join(HOME, "shoal.db")

    # 1. a whole offline run
    r = shoal("run", tpl, "--smoke", "--ideas", "2")
    rid = run_id_of(r.stdout)
    check("offline run exits 0", r.returncode == 0, r.stdout + r.stderr)
    check("offline run says it is the baseline agent", "no-LLM baseline" in r.stdout, r.stdout)
    problems = check_finished_run(db, rid) if rid else ["no run id printed"]
    check("offline run store is sound", not problems, "; ".join(problems))
    con = connect(db)
    ideas = con.execute("SELECT name, status FROM ideas WHERE run_id = ? ORDER BY rank", (rid,)).fetchall()
    check("one idea per knob, both done", [tuple(i) for i in ideas] == [("sweep_lr", "done"), ("sweep_steps", "done")],
          str([tuple(i) for i in ideas]))
    sweeps = con.execute("SELECT count(*) FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ? "
                         "AND n.kind = 'sweep' AND n.status = 'done' AND n.metric IS NOT NULL", (rid,)).fetchone()[0]
    check("every non-baseline knob value ran (2 + 1)", sweeps == 3, f"{sweeps} sweep nodes")
    plots = con.execute("SELECT count(*) FROM artifacts WHERE kind = 'plot' AND mime = 'image/png' AND owner_id IN "
                        "(SELECT n.id FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ?)", (rid,)).fetchone()[0]
    check("a plot per idea stored", plots == 2, f"{plots} plots")
    papers = con.execute("SELECT p.status, p.pdf_hash, p.pages FROM papers p JOIN ideas i ON i.id = p.idea_id "
                         "WHERE i.run_id = ?", (rid,)).fetchall()
    check("each idea has a compiled paper with a PDF", len(papers) == 2 and all(
        p["status"] == "compiled" and p["pdf_hash"] and p["pages"] >= 1 for p in papers), str([tuple(p) for p in papers]))
    reviews = con.execute("SELECT r.reviewer, r.overall FROM reviews r JOIN papers p ON p.id = r.paper_id "
                          "JOIN ideas i ON i.id = p.idea_id WHERE i.run_id = ?", (rid,)).fetchall()
    check("offline review records are the automated checks, no invented scores",
          len(reviews) == 2 and all(r["reviewer"] == "offline-checks" and r["overall"] is None for r in reviews),
          str([tuple(r) for r in reviews]))
    status = shoal("status", rid)
    check("status shows the ideas", status.returncode == 0 and "sweep_lr" in status.stdout, status.stdout)
    listed = shoal("list")
    check("list shows the run", rid in listed.stdout, listed.stdout)
    again = shoal("resume", rid)
    check("resume of a done run does nothing", again.returncode == 0 and "already done" in again.stdout, again.stdout)

    # 2. SIGKILL during an experiment, a second resume refused while one runs, then resume to the end
    slow = slow_template(1.5)
    p = start("run", slow, "--smoke", "--ideas", "2", "--parallel", "1", "--no-paper")
    rid2 = None
    def running_node():
        nonlocal rid2
        c = connect(db)
        row = c.execute("SELECT r.id FROM nodes n JOIN ideas i ON i.id = n.idea_id JOIN runs r ON r.id = i.run_id "
                        "WHERE n.status = 'running' AND n.kind = 'sweep' ORDER BY n.created_ms DESC LIMIT 1").fetchone()
        if row:
            rid2 = row[0]
        return row is not None
    check("a sweep experiment starts", wait_for(running_node), "")
    p.send_signal(signal.SIGKILL)
    p.wait()
    check("killed run is left running", connect(db).execute("SELECT status FROM runs WHERE id = ?", (rid2,)).fetchone()[0]
          == "running")
    dead_owner = connect(db).execute("SELECT owner FROM runs WHERE id = ?", (rid2,)).fetchone()[0]
    # what a sandbox that outlived its killed orchestrator looks like: a process naming the work folder
    stray = subprocess.Popen(["bash", "-c", f'exec -a "{HOME}/work/{rid2}/stray-sandbox" sleep 600'])
    first = start("resume", rid2)
    check("resume takes over the dead owner's lock", wait_for(lambda: connect(db).execute(
        "SELECT owner FROM runs WHERE id = ?", (rid2,)).fetchone()[0] not in (None, "", dead_owner)), dead_owner)
    second = shoal("resume", rid2)
    check("a second resume is refused", second.returncode == 3 and "already being run" in second.stderr,
          f"rc {second.returncode}: {second.stderr}")
    out, _ = first.communicate(timeout=300)
    check("resumed run finishes", first.returncode == 0, out)
    problems = check_finished_run(db, rid2)
    check("killed and resumed run is sound", not problems, "; ".join(problems))
    interrupted = connect(db).execute(
        "SELECT count(*) FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ? AND n.limit_hit = 'interrupted'",
        (rid2,)).fetchone()[0]
    check("the killed experiment is marked interrupted", interrupted == 1, f"{interrupted}")
    stray_alive = stray.poll() is None  # the resume finished above: the stray must be gone already
    if stray_alive:
        stray.kill()
    stray.wait()
    check("resume stops what the killed orchestrator left in the work folder", not stray_alive, "still running")

    # 3. shoal cancel stops a running run
    p = start("run", slow, "--smoke", "--ideas", "2", "--parallel", "1", "--no-paper")
    rid3 = None
    def started():
        nonlocal rid3
        row = connect(db).execute("SELECT id FROM runs WHERE status = 'running' ORDER BY created_ms DESC LIMIT 1").fetchone()
        rid3 = row[0] if row else None
        return rid3 is not None and rid3 not in (rid, rid2)
    check("third run starts", wait_for(started), "")
    c = shoal("cancel", rid3)
    check("cancel accepted", c.returncode == 0, c.stderr)
    try:
        out, _ = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out = "did not stop within 30 s"
    check("cancelled run stops", p.returncode == 0 and "cancelled" in out, out)
    con = connect(db)
    check("cancelled run and its open ideas are cancelled",
          con.execute("SELECT status FROM runs WHERE id = ?", (rid3,)).fetchone()[0] == "cancelled" and
          con.execute("SELECT count(*) FROM ideas WHERE run_id = ? AND status NOT IN ('done','cancelled','skipped','failed')",
                      (rid3,)).fetchone()[0] == 0)

    # 4. bad input
    r = shoal("resume", "run-does-not-exist")
    check("unknown run id", r.returncode == 4 and "no run 'run-does-not-exist'" in r.stderr, r.stderr)
    broken = os.path.join(TMP, "broken")
    shutil.copytree(TINY, broken)
    os.remove(os.path.join(broken, "plot.py"))
    r = shoal("run", broken)
    check("template failing check", r.returncode == 3 and "plot.py" in r.stderr and "template check" in r.stderr, r.stderr)
    r = shoal("run", tpl, "--model", "nosuch:model")
    check("unknown model", r.returncode == 3 and "nosuch" in r.stderr, r.stderr)
    r = shoal("run", tpl, "--model", "openai:gpt-4o", "--budget", "0")
    check("zero budget", r.returncode == 3 and "budget" in r.stderr, r.stderr)
    r = shoal("run", tpl, "--model", "openai:gpt-4o", "--budget", "0.01",
              env=dict(os.environ, OPENAI_API_KEY="sk-not-used"))
    check("a budget below one call's worst case", r.returncode == 3 and "cannot pay for one call" in r.stderr, r.stderr)
    r = shoal("run", "no-such-template")
    check("missing template", r.returncode == 4 and "no template folder" in r.stderr, r.stderr)
    runs_after = connect(db).execute("SELECT count(*) FROM runs").fetchone()[0]
    check("refused runs create nothing", runs_after == 3, f"{runs_after} runs")

    censored_paper()


def censored_paper():
    """A template whose metric is censored at a flag's value (steps to fit, the step budget when
    the fit never got close): a smoke run's shorter budget is the bound its paper reports as
    "not reached within 5", never as the measurement 5 ± 0."""
    tpl = os.path.join(TMP, "censored")
    shutil.copytree(TINY, tpl)
    exp = os.path.join(tpl, "experiment.py")
    text = open(exp).read()
    text = text.replace("a, w = 3.0, 0.0\nfor step in range(args.steps):\n",
                        "a, w = 3.0, 0.0\nfit_at = args.steps\nfor step in range(args.steps):\n")
    text = text.replace("    w -= args.lr * 2 * (w * x - a * x) * x\n",
                        "    w -= args.lr * 2 * (w * x - a * x) * x\n"
                        "    if (w - a) ** 2 < 0.01 and fit_at == args.steps:\n        fit_at = step + 1\n")
    text = text.replace('"means": {"loss": loss, "w": w}, "stderrs": {"loss": 0.0, "w": 0.0}',
                        '"means": {"steps_to_fit": fit_at, "loss": loss}, "stderrs": {"steps_to_fit": 0.0, "loss": 0.0}')
    assert "fit_at = step + 1" in text and "steps_to_fit" in text
    open(exp, "w").write(text)
    # a paper template with the sections the offline writer fills (tiny's is a placeholder)
    shutil.rmtree(os.path.join(tpl, "latex"))
    shutil.copytree(os.path.join(HERE, "..", "..", "templates", "grokking", "latex"), os.path.join(tpl, "latex"))
    manifest = json.load(open(os.path.join(tpl, "template.json")))
    manifest.update(name="censored", metric={"name": "steps_to_fit", "condition": None, "higher_is_better": False},
                    metric_bound={"flag": "--steps", "default": 50},
                    knobs=[{"flag": "--lr", "values": [0.01, 0.1], "baseline": 0.1, "description": "step size"}])
    json.dump(manifest, open(os.path.join(tpl, "template.json"), "w"))
    home = os.path.join(TMP, "censored-home")

    def in_home(*args):
        return subprocess.run([SHOAL, *args, "--home", home], capture_output=True, text=True, timeout=300)
    r = in_home("run", tpl, "--smoke", "--ideas", "1")
    check("censored: the run exits 0", r.returncode == 0, r.stdout[-1500:] + r.stderr[-1500:])
    con = connect(os.path.join(home, "shoal.db"))
    row = con.execute("SELECT id FROM papers WHERE status = 'compiled'").fetchone()
    check("censored: a paper was compiled", row is not None, r.stdout[-800:])
    if row is None:
        return
    pdf = os.path.join(TMP, "censored.pdf")
    opened = in_home("open", row[0], pdf)
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout
    check("censored: the paper says the target was not reached within the smoke run's 5 steps",
          opened.returncode == 0 and "not reached" in text and "within 5" in text, text[:3000])
    check("censored: no censored value stated as a measurement", "5 ± 0" not in text and not re.search(r"\b50\b", text), text[:3000])


if __name__ == "__main__":
    SHOAL = os.path.abspath(sys.argv[1])
    TMP = tempfile.mkdtemp()
    os.chmod(TMP, 0o755)
    HOME = os.path.join(TMP, "home")
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)
