#!/usr/bin/python3
"""The evolution with a model (--search evolve, two models) through the real shoal binary,
sandbox and store, against the fake provider server (scripted replies, real HTTP), on the tiny
template: generations progress, the MAP-Elites archive fills, a near-duplicate is rejected
without a run, a crossover prompt shows both parents' code, the bandit gives most picks to the
model whose edits improve the metric, the best program's seeds are aggregated; a run killed
(SIGKILL) mid-generation (during runs, and during LLM calls) and resumed pays for no LLM call
twice and reruns no finished node; evolve_budget_usd stops the evolution; and a short evolution
on circle_packing (smoke) packs better than its baseline.

The scripted models: gpt-4o moves the start point w0 of tiny's descent closer to the target
(lower loss) one step per edit, and on a crossover adds a line; gpt-4o-mini makes the loss worse
once (its edit no longer applies after that).

usage: test_run_evolve_llm.py PATH/TO/shoal
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

from run_checks import FakeProvider as Server, check, check_finished_run, connect, run_id_of, run_test_script, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "..", "templates", "tiny")
STEPS = ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "2.75", "2.9", "2.95"]
GENERATIONS = 4


def edit(search, replace, path="experiment.py"):
    if not search.endswith("\n"):
        search, replace = search + "\n", replace + "\n"
    return path + "\n```python\n<<<<<<< SEARCH\n" + search + "=======\n" + replace + ">>>>>>> REPLACE\n```\n"


def coder(edits, plan):
    return "The change.\n\n" + edits + "\n```json\n" + json.dumps({"plan": plan, "args": []}) + "\n```\n"


def idea_reply():
    body = {"Name": "closer_start", "Title": "Closer start", "Hypothesis": "a start near the target lowers the loss",
            "Experiment": "move the start point", "Interestingness": 6, "Feasibility": 8, "Novelty": 5}
    return "THOUGHT:\nok.\n\nNEW IDEA JSON:\n```json\n" + json.dumps(body, indent=2) + "\n```\nI am done\n"


def rules(delay_ms=0):
    r = [{"match": "Propose the next research idea", "reply": idea_reply()},
         # the model whose edits do not improve: the loss made worse (applies once per line of descent)
         {"model": "gpt-4o-mini", "match": "a, w = 3.0,",
          "reply": coder(edit("loss = (w - a) ** 2\n", "loss = (w - a) ** 2 + 1.0\n"), "penalise the loss"),
          "delay_ms": delay_ms},
         # a crossover (two parents' code shown): bring in a line
         {"model": "gpt-4o", "match": "# The second parent",
          "reply": coder(edit("random.seed(0)\n", "random.seed(0)\ncrossed = 1\n"), "combine the parents"),
          "delay_ms": delay_ms}]
    # the improving model: the start point one step closer, matched on the parent's code
    for i in range(len(STEPS) - 1, 0, -1):
        r.append({"model": "gpt-4o", "match": f"a, w = 3.0, {STEPS[i - 1]}\n",
                  "reply": coder(edit(f"a, w = 3.0, {STEPS[i - 1]}\n", f"a, w = 3.0, {STEPS[i]}\n"),
                                 f"start the descent nearer the target (step {i})"),
                  "delay_ms": delay_ms})
    return {"rules": r, "default_reply": "ALL_DONE"}


SHOAL = TMP = SRV = None
RUN_ARGS = ["--model", "openai:gpt-4o,openai:gpt-4o-mini", "--search", "evolve", "--budget", "5", "--smoke",
            "--ideas", "1", "--generate", "1", "--no-novelty", "--no-plots", "--no-paper",
            "--set", "reflections=0", "--set", f"evolve_generations={GENERATIONS}", "--set", "parallel_nodes=4",
            "--set", "evolve_islands=2", "--set", "evolve_descriptors=w", "--set", "evolve_cells=4",
            "--set", "evolve_crossover=0.4", "--set", "evolve_migration_every=2", "--set", "seed_runs=2"]


def shoal(home, *args, background=False):
    cmd = [SHOAL, *args, "--home", home, "--set", f"llm_base_url={SRV.url}/v1"]
    env = dict(os.environ, OPENAI_API_KEY="sk-test-openai")
    if background:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)


def evolve_nodes(con, rid):
    rows = con.execute("SELECT n.id, n.status, n.metric, n.parent_id, n.code_hash, n.search_json, n.command FROM nodes n "
                       "JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ? AND n.kind = 'evolve' ORDER BY n.created_ms",
                       (rid,)).fetchall()
    return [dict(r, search=json.loads(r["search_json"])) for r in rows]


def start_line(con, code_hash):
    files = json.loads(con.execute("SELECT data FROM blobs WHERE hash = ?", (code_hash,)).fetchone()[0])
    m = re.search(r"a, w = 3\.0, [0-9.]+\n", files["experiment.py"])
    return m.group(0) if m else None


def whole_run(home):
    SRV.reset(rules())
    started = time.time()
    r = shoal(home, "run", TINY, *RUN_ARGS)
    rid = run_id_of(r.stdout)
    check("evolve run with two models exits 0", r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:])
    db = os.path.join(home, "shoal.db")
    problems = check_finished_run(db, rid) if rid else ["no run id"]
    check("the store is sound", not problems, "; ".join(problems))
    print(f"     (whole run {time.time() - started:.1f} s)")
    con = connect(db)
    nodes = evolve_nodes(con, rid)
    by_id = {n["id"]: n for n in nodes}
    keys = {"strategy", "generation", "island", "operator", "parents", "model", "cost_usd", "descriptors", "cell"}
    check("every evolve node's search_json has the documented keys",
          nodes and all(keys <= set(n["search"]) and n["search"]["strategy"] == "evolve" for n in nodes),
          str([n["search"] for n in nodes if not keys <= set(n["search"])][:3]))
    gens = sorted({n["search"]["generation"] for n in nodes})
    check("generations progress from the baseline (0) to the last", gens == list(range(GENERATIONS + 1)), str(gens))
    roots = [n for n in nodes if n["search"]["operator"] == "baseline"]
    check("one generation-0 node, the baseline's results", len(roots) == 1 and roots[0]["search"]["generation"] == 0
          and roots[0]["search"]["parents"] == [], str([n["search"] for n in roots]))
    cells = {tuple(n["search"]["cell"]) for n in nodes if n["search"]["cell"] is not None}
    check("the archive fills several cells", len(cells) >= 3, str(cells))
    check("both islands hold programs", {n["search"]["island"] for n in nodes} == {0, 1},
          str({n["search"]["island"] for n in nodes}))
    check("the parents of every node are nodes of the evolution",
          all(p in by_id for n in nodes for p in n["search"]["parents"]), "")

    # a near-duplicate is rejected without a run
    rejected = [n for n in nodes if n["status"] == "rejected"]
    check("near-duplicates are rejected", len(rejected) >= 1, str(len(rejected)))
    check("a rejected node names a node it is too close to, over the threshold",
          all(n["search"]["rejected"]["similar_to"] in by_id and n["search"]["rejected"]["similarity"] > 0.95
              for n in rejected), str([n["search"].get("rejected") for n in rejected]))
    logs = con.execute("SELECT count(*) FROM artifacts WHERE owner_id IN (%s)" % ",".join("?" * len(rejected)),
                       [n["id"] for n in rejected]).fetchone()[0] if rejected else 0
    check("a rejected candidate never ran (no log, no exit code)", logs == 0 and all(
        con.execute("SELECT exit_code FROM nodes WHERE id = ?", (n["id"],)).fetchone()[0] is None for n in rejected),
        f"{logs} artifacts")
    check("only rejected nodes carry 'rejected'",
          all(("rejected" in n["search"]) == (n["status"] == "rejected") for n in nodes), "")

    # a crossover shows both parents' code
    crossovers = [n for n in nodes if n["search"]["operator"] == "crossover"]
    check("crossovers have two parents", crossovers and all(len(n["search"]["parents"]) == 2 for n in crossovers),
          str([n["search"]["parents"] for n in crossovers]))
    requests = [json.loads(r[0]) for r in con.execute(
        "SELECT request_json FROM llm_calls WHERE run_id = ? AND stage = 'experiments'", (rid,))]
    texts = ["\n".join(m["content"] if isinstance(m["content"], str) else json.dumps(m["content"])
                       for m in q.get("messages", [])) for q in requests]
    shown = 0
    for n in crossovers:
        a, b = (start_line(con, by_id[p]["code_hash"]) for p in n["search"]["parents"])
        if a and b and a != b:
            shown += any(a in t and b in t for t in texts)
    distinct = sum(1 for n in crossovers if len({start_line(con, by_id[p]["code_hash"]) for p in n["search"]["parents"]}) == 2)
    check("some crossover combined two programs of different start points", distinct >= 1, str(len(crossovers)))
    check("every such crossover's prompt holds both parents' code", shown == distinct, f"{shown} of {distinct}")

    # the bandit shifts to the model whose edits improve
    calls = dict(con.execute("SELECT model, count(*) FROM llm_calls WHERE run_id = ? AND stage = 'experiments' "
                             "GROUP BY model", (rid,)).fetchall())
    picks = {}
    for n in nodes:
        if n["search"]["operator"] in ("mutate", "crossover"):
            picks[n["search"]["model"]] = picks.get(n["search"]["model"], 0) + 1
    good = picks.get("openai:gpt-4o", 0)
    bad = picks.get("openai:gpt-4o-mini", 0)
    print(f"     ({len(nodes)} nodes, {len(rejected)} rejected, {len(crossovers)} crossovers ({shown} of {distinct} with "
          f"different parents checked), cells {sorted(cells)}, picks {picks}, calls {calls})")
    check("both models were tried", bad >= 1 and good >= 1, str(picks))
    check("the improving model gets most of the picks (and most calls)", good > 2 * bad and
          calls.get("gpt-4o", 0) > calls.get("gpt-4o-mini", 0), f"picks {picks}, calls {calls}")
    check("candidates' costs are recorded", all(n["search"]["cost_usd"] > 0 for n in nodes
                                                if n["search"]["operator"] in ("mutate", "crossover")), "")
    # fitness improves over generations
    best0 = roots[0]["metric"]
    best = min(n["metric"] for n in nodes if n["metric"] is not None and n["status"] == "done")
    check("the best program beats the baseline", best < best0, f"{best} vs {best0}")

    # the best program's seeds are aggregated
    seeds = con.execute("SELECT n.parent_id, n.metric FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ? "
                        "AND n.kind = 'seed_mean' AND n.status = 'done'", (rid,)).fetchall()
    check("the best programs' seed runs are aggregated into seed means", len(seeds) >= 1 and all(
        s[0] in by_id for s in seeds), str([tuple(s) for s in seeds]))
    idea = con.execute("SELECT best_metric FROM ideas WHERE run_id = ?", (rid,)).fetchone()
    check("the idea reports a seed mean as its best", idea and any(abs(idea[0] - s[1]) < 1e-12 for s in seeds),
          f"{idea[0] if idea else None} vs {[s[1] for s in seeds]}")
    return len(requests)


def in_generation_2_runs(db):
    """Generation 2's candidates are written and its first run has started."""
    return connect(db).execute("SELECT count(*) FROM nodes WHERE kind = 'evolve' AND step = 2").fetchone()[0] > 0


def in_generation_2_calls(db):
    """Generation 1 has run and the model is writing generation 2's candidates."""
    con = connect(db)
    ran = con.execute("SELECT count(*) FROM nodes WHERE kind = 'evolve' AND step = 1 AND status = 'done'").fetchone()[0]
    started = con.execute("SELECT count(*) FROM nodes WHERE kind = 'evolve' AND step = 2").fetchone()[0]
    return ran > 0 and started == 0 and SRV.stats()["in_flight"] > 0


def killed_run(home, name, when):
    """SIGKILL when `when(db)` holds (mid-generation), then resume."""
    db = os.path.join(home, "shoal.db")
    SRV.reset(rules(delay_ms=150))
    p = shoal(home, "run", TINY, *RUN_ARGS, background=True)
    in_flight = []

    def moment():
        if os.path.exists(db) and when(db):
            in_flight.append(SRV.stats()["in_flight"])
            return True
        return False
    check(f"{name}: the kill moment comes", wait_for(moment, timeout=120), "")
    p.send_signal(signal.SIGKILL)
    out, _ = p.communicate()
    rid = run_id_of(out)
    finished_before = {r[0] for r in connect(db).execute(
        "SELECT id FROM nodes WHERE kind = 'evolve' AND status = 'done'")}
    calls_before = connect(db).execute("SELECT count(*) FROM llm_calls WHERE status = 'ok'").fetchone()[0]
    time.sleep(0.2)
    r = shoal(home, "resume", rid)
    check(f"{name}: the resumed evolve run exits 0", r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:])
    problems = check_finished_run(db, rid)
    check(f"{name}: the store is sound after kill + resume", not problems, "; ".join(problems))
    con = connect(db)
    repeated = con.execute("SELECT request_hash, count(*) FROM llm_calls WHERE status = 'ok' "
                           "GROUP BY request_hash HAVING count(*) > 1").fetchall()
    check(f"{name}: no answered LLM call was paid for twice", not repeated, str([tuple(x) for x in repeated]))
    paid = con.execute("SELECT count(*) FROM llm_calls WHERE status = 'ok'").fetchone()[0]
    requests = SRV.stats()["requests"]
    print(f"     ({name}: {requests} provider requests, {paid} paid calls, in flight at the kill {in_flight})")
    check(f"{name}: the server saw no more requests than were paid for plus those cut off by the kill",
          requests <= paid + max(in_flight + [0]) and paid >= calls_before,
          f"{requests} requests, {paid} paid calls, in flight at the kill {in_flight}")
    nodes = evolve_nodes(con, rid)
    check(f"{name}: the evolution went on to its last generation after the resume",
          max(n["search"]["generation"] for n in nodes) == GENERATIONS, "")
    check(f"{name}: nodes finished before the kill were reused, not run again",
          finished_before and finished_before <= {n["id"] for n in nodes if n["status"] == "done"}, "")
    cost = con.execute("SELECT cost_usd FROM runs WHERE id = ?", (rid,)).fetchone()[0]
    total = con.execute("SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE run_id = ?", (rid,)).fetchone()[0]
    check(f"{name}: the run's cost is the sum of its calls, each paid once", abs(cost - total) < 1e-9 and cost > 0, f"{cost} {total}")


def packing_rules():
    """circle_packing: gpt-4o jitters the start and refines it longer, one step per edit; gpt-4o-mini
    shrinks the radii."""
    jittered = "np.clip(centres + rng.normal(0.0, 0.03, size=centres.shape), 0.0, 1.0)"
    steps = ["centres, iters", f"{jittered}, max(iters, 1000)", f"{jittered}, max(iters, 2000)",
             f"{jittered}, max(iters, 3000)"]
    r = [{"match": "Propose the next research idea", "reply": idea_reply()},
         {"model": "gpt-4o-mini", "match": "def construct(",
          "reply": coder(edit("    return centres, make_valid(centres, lp_radii(centres))",
                              "    return centres, make_valid(centres, 0.9 * lp_radii(centres))", "packing.py"),
                         "smaller radii")},
         {"model": "gpt-4o", "match": "# The second parent",
          "reply": coder(edit("N = 26\n", "N = 26\nCROSSED = 1\n", "packing.py"), "combine the parents")}]
    for i in range(len(steps) - 1, 0, -1):
        r.append({"model": "gpt-4o", "match": f"centres = refine({steps[i - 1]}, lr)",
                  "reply": coder(edit(f"    centres = refine({steps[i - 1]}, lr)",
                                      f"    centres = refine({steps[i]}, lr)", "packing.py"),
                                 f"jitter the start and refine it longer (step {i})")})
    return {"rules": r, "default_reply": "ALL_DONE"}


def packing_run(home):
    """The evolution on circle_packing (smoke): a few generations raise sum_radii over the baseline."""
    tpl = os.path.join(TMP, "circle_packing")
    shutil.copytree(os.path.join(HERE, "..", "..", "templates", "circle_packing"), tpl)
    SRV.reset(packing_rules())
    started = time.time()
    args = [a if a != f"evolve_generations={GENERATIONS}" else "evolve_generations=2" for a in RUN_ARGS]
    args = [a if a != "evolve_descriptors=w" else "evolve_descriptors=duration_s" for a in args]
    args = [a if a != "seed_runs=2" else "seed_runs=1" for a in args]
    r = shoal(home, "run", tpl, *args)
    rid = run_id_of(r.stdout)
    check("circle_packing: the evolve run exits 0", r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:])
    db = os.path.join(home, "shoal.db")
    problems = check_finished_run(db, rid) if rid else ["no run id"]
    check("circle_packing: the store is sound", not problems, "; ".join(problems))
    print(f"     (circle_packing run {time.time() - started:.1f} s)")
    con = connect(db)
    nodes = evolve_nodes(con, rid)
    gens = sorted({n["search"]["generation"] for n in nodes})
    check("circle_packing: generations 0 to 2", gens == [0, 1, 2], str(gens))
    base = [n["metric"] for n in nodes if n["search"]["operator"] == "baseline"]
    best = max([n["metric"] for n in nodes if n["status"] == "done" and n["metric"] is not None] or [0])
    print(f"     (circle_packing: baseline sum_radii {base[0] if base else None}, best program {best})")
    check("circle_packing: a program packs better than the baseline", base and best > base[0], f"{best} vs {base}")
    seeds = con.execute("SELECT count(*) FROM nodes WHERE kind = 'seed_mean' AND status = 'done'").fetchone()[0]
    check("circle_packing: the best programs are confirmed with seeds", seeds >= 1, str(seeds))


def capped_run(home):
    """evolve_budget_usd: the evolution stops when its own dollars are spent (the run goes on)."""
    SRV.reset(rules())
    r = shoal(home, "run", TINY, *RUN_ARGS, "--set", "evolve_budget_usd=0.000001")
    rid = run_id_of(r.stdout)
    check("capped: the run exits 0", r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:])
    con = connect(os.path.join(home, "shoal.db"))
    nodes = evolve_nodes(con, rid)
    gens = {n["search"]["generation"] for n in nodes}
    check("capped: the evolution stops after the generation that spent its dollars", gens == {0, 1}, str(gens))
    seeds = con.execute("SELECT count(*) FROM nodes WHERE kind = 'seed_mean' AND status = 'done'").fetchone()[0]
    check("capped: the best programs are still confirmed with seeds", seeds >= 1, str(seeds))


def overlap_run(home):
    """evolve_overlap: generation g+1 is proposed while g runs; every generation still runs, each
    answered call is paid once, and a second run of the same search pays for nothing new."""
    SRV.reset(rules())
    r = shoal(home, "run", TINY, *RUN_ARGS, "--set", "evolve_overlap=true")
    rid = run_id_of(r.stdout)
    check("overlap: the run exits 0", r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:])
    con = connect(os.path.join(home, "shoal.db"))
    nodes = evolve_nodes(con, rid)
    gens = {n["search"]["generation"] for n in nodes}
    check("overlap: every generation made programs", gens == set(range(GENERATIONS + 1)), str(gens))
    repeated = con.execute("SELECT request_hash, count(*) FROM llm_calls WHERE status = 'ok' AND run_id = ? "
                           "GROUP BY request_hash HAVING count(*) > 1", (rid,)).fetchall()
    check("overlap: no answered call was paid for twice", not repeated, str([tuple(x) for x in repeated]))
    problems = check_finished_run(os.path.join(home, "shoal.db"), rid) if rid else ["no run id printed"]
    check("overlap: the store is sound", not problems, "; ".join(problems))


def main(shoal_path, tmp, home):
    global SHOAL, TMP, SRV
    SHOAL, TMP = shoal_path, tmp
    SRV = Server()
    try:
        whole_run(os.path.join(tmp, "whole"))
        capped_run(os.path.join(tmp, "capped"))
        overlap_run(os.path.join(tmp, "overlap"))
        packing_run(os.path.join(tmp, "packing"))
        killed_run(os.path.join(tmp, "killed_runs"), "kill during generation 2's runs", in_generation_2_runs)
        killed_run(os.path.join(tmp, "killed_calls"), "kill during generation 2's LLM calls", in_generation_2_calls)
    finally:
        SRV.proc.kill()


if __name__ == "__main__":
    run_test_script(main)
