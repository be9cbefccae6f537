#!/usr/bin/python3
"""bench/search_efficiency: what the offline searches reach at an equal number of runs.

For each template, with the budget N = the one-knob sweep's number of runs (every value of
every knob but the baseline's), in smoke mode:
  * sweep:  `shoal run` with the offline agent's default search (one idea per knob);
  * evolve: `shoal run --search evolve --evolve-evaluations N`, evolve_seed 1..S;
  * random: N distinct combinations of the knobs' values drawn uniformly from the grid
            (never the baseline's), random seeds 1..S, each run as the template's
            `experiment.py` with its smoke_args outside Shoal (the same program, the same
            number of runs; only the sandbox is missing).
The best metric a method reaches counts the baseline's (every method starts from it).
Templates: bench/search_template (four knobs in -3..3 whose pairs interact, optimum 1.0:
no single change reaches it; completed here with bench/schedule_template's plot.py and
LaTeX skeleton) and templates/circle_packing (best known 2.635).
Prints each method's best (mean over seeds, and the worst seed) and its ratio to the
optimum (synthetic) or to the sweep (circle_packing). Not a test: it is not in ctest.

usage: bench/search_efficiency.py BUILD/cli/shoal [--seeds S]
"""
import argparse
import itertools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TEMPLATES = [("synthetic", "search_template", 1.0),  # (name, folder, known optimum)
             ("circle_packing", os.path.join(REPO, "templates", "circle_packing"), None)]
QUIET = ["--smoke", "--no-paper", "--no-plots", "--no-novelty", "--set", "seed_runs=0"]


def run_shoal(shoal, home, tpl, *args):
    """Runs the offline agent; returns the best metric among the run's nodes and their count."""
    r = subprocess.run([shoal, "run", tpl, *QUIET, *args, "--home", home], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"shoal run {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    run_id = next(line.split()[1] for line in r.stdout.splitlines() if line.startswith("run "))
    con = sqlite3.connect(os.path.join(home, "shoal.db"))
    metrics = [m for (m,) in con.execute(
        "SELECT n.metric FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ? "
        "AND n.kind IN ('sweep', 'evolve') AND n.status = 'done' AND n.metric IS NOT NULL", (run_id,))]
    runs = con.execute("SELECT count(*) FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ? "
                       "AND n.kind IN ('sweep', 'evolve')", (run_id,)).fetchone()[0]
    return max(metrics), runs


def synthetic_template(scratch):
    """bench/search_template with the plot.py and LaTeX skeleton it shares with bench/schedule_template."""
    path = os.path.join(scratch, "search_template")
    shutil.copytree(os.path.join(HERE, "search_template"), path)
    shutil.copy(os.path.join(HERE, "schedule_template", "plot.py"), path)
    shutil.copytree(os.path.join(HERE, "schedule_template", "latex"), os.path.join(path, "latex"))
    return path


def run_experiment(tpl, manifest, workdir, args):
    out = f"run_{len(os.listdir(workdir))}"
    cmd = ["/usr/bin/python3", os.path.join(tpl, "experiment.py"), "--out_dir", out,
           *manifest.get("smoke_args", []), *args]
    subprocess.run(cmd, cwd=workdir, check=True, capture_output=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    with open(os.path.join(workdir, out, "final_info.json")) as f:
        info = json.load(f)
    values = [block["means"][manifest["metric"]["name"]] for block in info.values()]
    return sum(values) / len(values)


def random_search(tpl, manifest, budget, seed):
    knobs = manifest["knobs"]
    baseline = tuple(k["baseline"] for k in knobs)
    grid = [c for c in itertools.product(*[k["values"] for k in knobs]) if c != baseline]
    picks = random.Random(seed).sample(grid, budget)
    with tempfile.TemporaryDirectory() as workdir:
        best = run_experiment(tpl, manifest, workdir, [])  # the baseline
        for combo in picks:
            args = [str(a) for k, v in zip(knobs, combo) for a in (k["flag"], v)]
            best = max(best, run_experiment(tpl, manifest, workdir, args))
    return best


def summary(values):
    return sum(values) / len(values), min(values)


def report(shoal, scratch, name, tpl, optimum, seeds):
    """Runs the three methods on one template and prints their figures."""
    with open(os.path.join(tpl, "template.json")) as f:
        manifest = json.load(f)
    budget = sum(len(k["values"]) - 1 for k in manifest["knobs"])
    home = os.path.join(scratch, name + "-home")
    sweep, runs = run_shoal(shoal, home, tpl, "--ideas", str(len(manifest["knobs"])))
    if runs != budget:
        sys.exit(f"{name}: the sweep ran {runs} experiments, expected {budget}")
    evolve = [run_shoal(shoal, home, tpl, "--search", "evolve", "--evolve-evaluations", str(budget),
                        "--set", f"evolve_seed={seed}")[0] for seed in range(1, seeds + 1)]
    rand = [random_search(tpl, manifest, budget, seed) for seed in range(1, seeds + 1)]
    reference = optimum if optimum is not None else sweep
    print(f"\n{name}: {budget} runs per method, smoke mode, {seeds} seeds for evolve and random; "
          f"ratio to the {'optimum ' + str(optimum) if optimum is not None else 'sweep'}")
    print(f"  {'method':8} {'best (mean)':>12} {'worst seed':>11} {'ratio':>7}")
    for method, values in (("sweep", [sweep]), ("random", rand), ("evolve", evolve)):
        mean, worst = summary(values)
        print(f"  {method:8} {mean:12.4f} {worst:11.4f} {mean / reference:7.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shoal")
    ap.add_argument("--seeds", type=int, default=5, help="evolve and random search seeds (1..S)")
    a = ap.parse_args()
    shoal = os.path.abspath(a.shoal)
    scratch = tempfile.mkdtemp(prefix="shoal-search-bench-")
    os.chmod(scratch, 0o755)
    try:
        for name, tpl, optimum in TEMPLATES:
            report(shoal, scratch, name, synthetic_template(scratch) if tpl == "search_template" else tpl, optimum,
                   a.seeds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
