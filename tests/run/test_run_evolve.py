#!/usr/bin/python3
"""The offline evolution (--search evolve) through the real shoal binary, sandbox and store:
a run on circle_packing stores one node per combination (no combination twice) and reports
the best; a run killed during an experiment and resumed replays its search without running
a finished combination again; a small grid ends when every combination ran; with a model list, an
unknown model is refused before the run starts.

usage: test_run_evolve.py PATH/TO/shoal
"""
import json
import os
import shutil
import signal
import subprocess

from run_checks import check, check_finished_run, connect, run_id_of, run_test_script, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
TINY = os.path.join(HERE, "..", "templates", "tiny")


SHOAL = TMP = HOME = None  # set by start()


def shoal(*args, **kw):
    return subprocess.run([SHOAL, *args, "--home", HOME], capture_output=True, text=True, timeout=300, **kw)


def evolve_nodes(con, run_id):
    return con.execute("SELECT n.id, n.command, n.status, n.metric, n.parent_id, n.plan FROM nodes n "
                       "JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ? AND n.kind = 'evolve' "
                       "ORDER BY n.created_ms", (run_id,)).fetchall()


def main():
    db = os.path.join(HOME, "shoal.db")

    # 1. a whole run on circle_packing: six combinations, then the best
    tpl = os.path.join(TMP, "circle_packing")
    shutil.copytree(os.path.join(REPO, "templates", "circle_packing"), tpl)
    r = shoal("run", tpl, "--smoke", "--search", "evolve", "--evolve-evaluations", "6", "--set", "seed_runs=0")
    rid = run_id_of(r.stdout)
    check("evolve run exits 0", r.returncode == 0, r.stdout + r.stderr)
    problems = check_finished_run(db, rid) if rid else ["no run id printed"]
    check("evolve run store is sound", not problems, "; ".join(problems))
    con = connect(db)
    ideas = con.execute("SELECT name, status, best_metric FROM ideas WHERE run_id = ?", (rid,)).fetchall()
    check("one idea, the evolution, done", [(i["name"], i["status"]) for i in ideas] == [("evolve_knobs", "done")],
          str([tuple(i) for i in ideas]))
    nodes = evolve_nodes(con, rid)
    check("six evolve nodes, all done with a metric", len(nodes) == 6 and all(
        n["status"] == "done" and n["metric"] is not None for n in nodes), str([tuple(n) for n in nodes]))
    searches = [json.loads(row[0]) for row in con.execute(
        "SELECT n.search_json FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ? AND n.kind = 'evolve'",
        (rid,))]
    check("every node's search_json says how the offline evolution made it",
          len(searches) == 6 and all(x["strategy"] == "evolve" and x["model"] == "offline" and x["island"] == 0 and
                                     x["operator"] in ("random", "crossover") and x["generation"] >= 1 and
                                     x["cost_usd"] == 0 and "duration_s" in x["descriptors"] and "cell" in x and
                                     (len(x["parents"]) == 2) == (x["operator"] == "crossover") for x in searches),
          str(searches))
    commands = [n["command"] for n in nodes]
    check("no combination ran twice", len(set(commands)) == len(commands), "\n".join(commands))
    check("every run names all five knobs", all(all(f in c for f in ("--layout", "--rows", "--jitter", "--iters", "--lr"))
                                                for c in commands), "\n".join(commands))
    check("plans say where each combination came from", all("offline evolve run_" in n["plan"] and
                                                            ("random member of the first population" in n["plan"] or "crossover of" in n["plan"])
                                                            for n in nodes), "\n".join(n["plan"] for n in nodes))
    best = max(n["metric"] for n in nodes)
    check("the idea's best metric is its best combination's", ideas and ideas[0]["best_metric"] == best,
          f"{ideas[0]['best_metric'] if ideas else None} vs {best}")
    ids = {n["id"] for n in nodes}
    check("children name a parent of this idea (the first population none)",
          all(n["parent_id"] in ids if "crossover of" in n["plan"] else n["parent_id"] in ("", None) for n in nodes),
          str([(n["parent_id"], n["plan"]) for n in nodes]))

    # the paper describes the search it ran, in the stored counts, not a one-knob sweep
    paper = con.execute("SELECT p.id FROM papers p JOIN ideas i ON i.id = p.idea_id WHERE i.run_id = ? "
                        "AND p.status = 'compiled'", (rid,)).fetchone()
    check("the evolution's paper compiled", paper is not None, r.stdout[-2000:])
    if paper:
        pdf = os.path.join(TMP, "evolve.pdf")
        shoal("open", paper["id"], pdf)
        text = " ".join(subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout.split())
        check("the paper's method names the genetic algorithm and its counts",
              "genetic algorithm" in text and "evaluated 6 combinations besides the baseline" in text, text[:3000])
        check("the paper does not describe a one-knob sweep", "one setting of the template" not in text, text[:3000])
        check("the flags print with two hyphens", "--layout" in text, text[:1500])

    # 2. killed during an experiment, then resumed: nothing finished runs again
    slow = os.path.join(TMP, "slow")
    shutil.copytree(TINY, slow)
    exp = os.path.join(slow, "experiment.py")
    text = open(exp).read().replace("random.seed(0)", "import time\ntime.sleep(0.7)\nrandom.seed(0)")
    open(exp, "w").write(text)
    p = subprocess.Popen([SHOAL, "run", slow, "--smoke", "--search", "evolve", "--evolve-evaluations", "8",
                          "--set", "parallel_nodes=1", "--set", "seed_runs=1", "--no-paper", "--home", HOME],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    rid2 = None

    def two_done():
        nonlocal rid2
        row = connect(db).execute("SELECT id FROM runs WHERE id != ? ORDER BY created_ms DESC LIMIT 1", (rid,)).fetchone()
        rid2 = row[0] if row else None
        return rid2 and sum(n["status"] == "done" for n in evolve_nodes(connect(db), rid2)) >= 2
    check("the evolution gets under way", wait_for(two_done, timeout=120), "")
    p.send_signal(signal.SIGKILL)
    p.wait()
    before = {n["command"]: n["id"] for n in evolve_nodes(connect(db), rid2) if n["status"] == "done"}
    r = shoal("resume", rid2)
    check("resumed evolve run finishes", r.returncode == 0, r.stdout + r.stderr)
    problems = check_finished_run(db, rid2)
    check("killed and resumed evolve run is sound", not problems, "; ".join(problems))
    con = connect(db)
    done = [n for n in evolve_nodes(con, rid2) if n["status"] == "done"]
    done_commands = [n["command"] for n in done]
    # tiny: --lr has 3 values and --steps 2, so 5 combinations besides the baseline's
    check("the small grid ends after its 5 other combinations", len(done) == 5, "\n".join(done_commands))
    check("no combination finished twice", len(set(done_commands)) == len(done_commands), "\n".join(done_commands))
    check("the runs finished before the kill were reused, not re-run",
          all(any(n["id"] == node_id for n in done) for node_id in before.values()) and len(before) >= 2, str(before))
    seeds = con.execute("SELECT count(*) FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ? AND "
                        "n.kind = 'seed' AND n.status = 'done' AND n.parent_id IN (SELECT n2.id FROM nodes n2 "
                        "WHERE n2.kind = 'evolve')", (rid2,)).fetchone()[0]
    check("the best two combinations were re-run with a seed", seeds == 2, f"{seeds} seed nodes")
    total = con.execute("SELECT count(*) FROM nodes").fetchone()[0]
    again = shoal("resume", rid2)
    check("a resume of the finished run does nothing", again.returncode == 0 and "already done" in again.stdout and
          connect(db).execute("SELECT count(*) FROM nodes").fetchone()[0] == total, again.stdout)

    # 3. evolve with models (test_run_evolve_llm.py runs it): each model of --model a,b is checked
    # before anything starts
    runs = connect(db).execute("SELECT count(*) FROM runs").fetchone()[0]
    r = shoal("run", tpl, "--search", "evolve", "--model", "openai:gpt-4o,nosuchprovider:m1", "--budget", "1",
              env=dict(os.environ, OPENAI_API_KEY="sk-not-used"))
    check("evolve with an unknown second model is refused before the run starts",
          r.returncode != 0 and "nosuchprovider" in r.stderr and
          connect(db).execute("SELECT count(*) FROM runs").fetchone()[0] == runs, r.stderr)


def start(shoal_path, tmp, home):
    global SHOAL, TMP, HOME
    SHOAL, TMP, HOME = shoal_path, tmp, home
    main()


if __name__ == "__main__":
    run_test_script(start)
