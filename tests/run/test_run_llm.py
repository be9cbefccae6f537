#!/usr/bin/python3
"""Whole runs of the LLM agent against the fake provider server (scripted replies, real
HTTP), on the tiny template with the real sandbox: linear and tree search to the end, and
SIGKILL during an LLM call and during an experiment, then resume: the run completes, no
stage completes twice, and no LLM call that had completed is made again (the server counts).

usage: test_run_llm.py PATH/TO/shoal
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from run_checks import FakeProvider as Server, check, check_finished_run, connect, failures, run_id_of, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "..", "templates", "tiny")




def idea(name, title):
    body = {"Name": name, "Title": title, "Hypothesis": "h of " + name, "Experiment": "change the start point",
            "Interestingness": 6, "Feasibility": 8, "Novelty": 5}
    return "THOUGHT:\nok.\n\nNEW IDEA JSON:\n```json\n" + json.dumps(body, indent=2) + "\n```\nI am done\n"


def edit(search, replace):
    return "experiment.py\n```python\n<<<<<<< SEARCH\n" + search + "=======\n" + replace + ">>>>>>> REPLACE\n```\n"


def coder(edits, plan):
    return "Here is the change.\n\n" + edits + "\n```json\n" + json.dumps(
        {"plan": plan, "args": [], "notes": "notes for " + plan}) + "\n```\n"


def novel():
    return "THOUGHT:\nok.\n\nRESPONSE:\n```json\n" + json.dumps(
        {"Decision": "novel", "Query": "", "Reasons": "nothing like it", "Papers": []}) + "\n```\n"


def rules(idea_delay_ms=0):
    r = [
        {"match": "plot.py wrote these figures",
         "reply": "```json\n" + json.dumps({"captions": {"loss.png": "Final loss of each run."}}) + "\n```"},
        # linear search: run 1 edits, run 2 stops
        {"match": "run 1 of at most 2, attempt 1 of", "reply": coder(edit("a, w = 3.0, 0.0\n", "a, w = 3.0, 1.0\n"),
                                                                    "start closer")},
        {"match": "run 2 of at most 2", "reply": "ALL_DONE"},
        # tree search: every draft/improve/debug answer makes a small valid change
        {"match": "(draft", "reply": coder(edit("a, w = 3.0, 0.0\n", "a, w = 3.0, 2.0\n"), "draft: start at 2")},
        {"match": "(the fixed version is node", "reply": coder(edit("a, w = 3.0, 0.0\n", "a, w = 3.0, 2.5\n"), "debug")},
        {"match": "(the new one is node", "reply": coder(edit("a, w = 3.0, 2.0\n", "a, w = 3.0, 2.9\n"), "improve")},
        {"match": "These edit blocks did not apply", "reply": "ALL_DONE"},
        {"match": "\"Name\": \"alpha_idea\"", "reply": novel()},
        {"match": "\"Name\": \"beta_idea\"", "reply": novel()},
        {"match": "- alpha_idea:", "reply": idea("beta_idea", "Beta"), "delay_ms": idea_delay_ms},
        {"match": "Propose the next research idea", "reply": idea("alpha_idea", "Alpha"), "delay_ms": idea_delay_ms},
    ]
    return {"rules": r, "default_reply": "ALL_DONE"}


def shoal(home, *args, background=False, key="sk-test-openai"):
    cmd = [SHOAL, *args, "--home", home, "--set", f"llm_base_url={SRV.url}/v1", "--set", "literature_max_retries=0",
           "--set", "literature_s2_url=http://127.0.0.1:9", "--set", "literature_openalex_url=http://127.0.0.1:9",
           "--set", "literature_arxiv_url=http://127.0.0.1:9"]
    env = dict(os.environ, OPENAI_API_KEY=key)
    if background:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)






RUN_ARGS = ["--model", "openai:gpt-4o", "--budget", "5", "--smoke", "--ideas", "2", "--generate", "2",
            "--max-runs", "2", "--no-paper"]


def whole_run(name, tpl, extra):
    home = os.path.join(TMP, name)
    SRV.reset(rules())
    r = shoal(home, "run", tpl, *RUN_ARGS, *extra)
    rid = run_id_of(r.stdout)
    check(f"{name}: run exits 0", r.returncode == 0, r.stdout + r.stderr)
    db = os.path.join(home, "shoal.db")
    problems = check_finished_run(db, rid) if rid else ["no run id"]
    check(f"{name}: store is sound", not problems, "; ".join(problems))
    con = connect(db)
    done = con.execute("SELECT count(*) FROM ideas WHERE run_id = ? AND status = 'done'", (rid,)).fetchone()[0]
    check(f"{name}: both ideas done", done == 2, f"{done}")
    calls = con.execute("SELECT count(*), sum(cost_usd) FROM llm_calls WHERE run_id = ?", (rid,)).fetchone()
    check(f"{name}: LLM calls recorded with cost", calls[0] > 0 and calls[1] > 0, str(tuple(calls)))
    return db, rid, SRV.stats()["requests"]


def killed_run(name, tpl, reference_requests, when):
    """Starts the run, SIGKILLs it when `when(db)` holds, resumes; checks the requests."""
    home = os.path.join(TMP, name)
    db = os.path.join(home, "shoal.db")
    SRV.reset(rules(idea_delay_ms=1500 if name.endswith("llm") else 0))
    p = shoal(home, "run", tpl, *RUN_ARGS, background=True)
    in_flight = []
    def moment():
        if when(db):
            in_flight.append(SRV.stats()["in_flight"])
            return True
        return False
    check(f"{name}: the kill moment comes", wait_for(moment), "")
    p.send_signal(signal.SIGKILL)
    out, _ = p.communicate()
    rid = run_id_of(out)
    time.sleep(0.3)
    r = shoal(home, "resume", rid)
    check(f"{name}: resumed run exits 0", r.returncode == 0, r.stdout + r.stderr)
    problems = check_finished_run(db, rid)
    check(f"{name}: store is sound after kill + resume", not problems, "; ".join(problems))
    # a call recorded as answered is answered from the store afterwards, never asked again
    repeated = connect(db).execute("SELECT request_hash, count(*) FROM llm_calls WHERE status = 'ok' "
                                   "GROUP BY request_hash HAVING count(*) > 1").fetchall()
    check(f"{name}: no completed LLM call made again", not repeated, str([tuple(r) for r in repeated]))
    # the server saw at most the uninterrupted run's requests plus those cut off by the kill
    # (at most one per idea in flight: 2 ideas at once)
    requests = SRV.stats()["requests"]
    check(f"{name}: server requests bounded", requests <= reference_requests + 2,
          f"{requests} requests, uninterrupted run {reference_requests}, in flight when sampled {in_flight}")


REVIEW_FORM = {"Summary": "A sweep.", "Strengths": ["real runs"], "Weaknesses": ["one template"], "Originality": 2,
               "Quality": 3, "Clarity": 3, "Significance": 2, "Questions": ["seeds?"], "Limitations": ["small"],
               "Ethical Concerns": False, "Soundness": 3, "Presentation": 3, "Contribution": 2, "Overall": 5,
               "Confidence": 4, "Decision": "Reject"}


def settings_reach_the_run(tpl):
    """--set seed_runs, drafts (shoal run) and review_ensemble (shoal review) take effect."""
    db, rid, _ = whole_run("tree_settings", tpl, ["--search", "tree", "--max-nodes", "3", "--set", "seed_runs=3",
                                                  "--set", "drafts=1", "--set", "parallel_nodes=1"])
    con = connect(db)
    kinds = [k for (k,) in con.execute("SELECT n.kind FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ?",
                                       (rid,))]
    check("--set seed_runs=3: three seed runs per idea", kinds.count("seed") == 2 * 3, str(kinds))
    check("--set drafts=1 (one node expanded at a time): one draft per idea", kinds.count("draft") == 2, str(kinds))
    stored = json.loads(con.execute("SELECT config_json FROM runs WHERE id = ?", (rid,)).fetchone()[0])
    check("the run stores its settings", stored["settings"]["seed_runs"] == "3", str(stored))

    # An offline paper to review, then a review with an ensemble of 2 set on the command line.
    home = os.path.join(TMP, "offline_paper")
    r = subprocess.run([SHOAL, "run", tpl, "--home", home, "--smoke", "--ideas", "1"], capture_output=True, text=True,
                       timeout=300)
    check("offline run for a paper exits 0", r.returncode == 0, r.stdout + r.stderr)
    pdf = connect(os.path.join(home, "shoal.db")).execute(
        "SELECT b.data FROM papers p JOIN blobs b ON b.hash = p.pdf_hash WHERE p.status = 'compiled'").fetchone()
    check("offline run wrote a paper", pdf is not None, "")
    if pdf is None:
        return
    path = os.path.join(TMP, "paper.pdf")
    with open(path, "wb") as f:
        f.write(pdf[0])
    SRV.reset({"rules": [{"match": "TASK: review paper", "reply": "```json\n" + json.dumps(REVIEW_FORM) + "\n```"},
                         {"match": "TASK: meta-review", "reply": "```json\n" + json.dumps(REVIEW_FORM) + "\n```"}],
               "default_reply": "```json\n" + json.dumps(REVIEW_FORM) + "\n```\nI am done"})
    r = shoal(home, "review", path, "--model", "openai:gpt-4o", "--no-images", "--json", "--set", "review_ensemble=2")
    check("shoal review exits 0", r.returncode == 0, r.stdout + r.stderr)
    reviews = json.loads(r.stdout)["reviews"] if r.returncode == 0 else []
    check("--set review_ensemble=2: two reviews", len(reviews) == 2, r.stdout[-500:])
    # Asked again: the response cache answers; with --fresh the model is asked anew.
    before = SRV.stats()["requests"]
    r = shoal(home, "review", path, "--model", "openai:gpt-4o", "--no-images", "--json", "--set", "review_ensemble=2")
    check("a second review is answered from the cache", r.returncode == 0 and SRV.stats()["requests"] == before,
          f"{SRV.stats()['requests']} requests, {before} before")
    r = shoal(home, "review", path, "--model", "openai:gpt-4o", "--no-images", "--json", "--set", "review_ensemble=2",
              "--fresh")
    check("--fresh asks the model anew", r.returncode == 0 and SRV.stats()["requests"] > before,
          f"{SRV.stats()['requests']} requests, {before} before")


def events_of(db, rid):
    return [k for (k,) in connect(db).execute("SELECT kind FROM events WHERE run_id = ? ORDER BY id", (rid,))]


def outage_mid_run(tpl):
    """The provider answers 529 for a while in the middle of a run (patience 1 s, so every call
    in flight gives up): the ideas are parked, not failed; the run waits for the provider,
    probes it, and finishes by itself with nothing failed."""
    home = os.path.join(TMP, "outage")
    db = os.path.join(home, "shoal.db")
    SRV.reset(rules())
    p = shoal(home, "run", tpl, *RUN_ARGS, "--search", "linear", "--set", "llm_patience_s=1", "--set", "llm_probe_s=1",
              background=True)
    mid = wait_for(lambda: os.path.exists(db) and connect(db).execute(
        "SELECT count(*) FROM nodes WHERE idea_id IS NOT NULL").fetchone()[0] > 0)
    check("outage: the run reaches its experiments", mid, "")
    outage = dict(rules(), outage_s=6)
    SRV.post("/_rules", outage)
    out, _ = p.communicate(timeout=300)
    rid = run_id_of(out)
    check("outage: the run exits 0 by itself", p.returncode == 0, out[-2000:])
    con = connect(db)
    statuses = [s for (s,) in con.execute("SELECT status FROM ideas WHERE run_id = ?", (rid,))]
    check("outage: every idea done, none failed", statuses == ["done", "done"], str(statuses))
    kinds = events_of(db, rid)
    check("outage: the run waited for the provider and saw it back",
          "provider_waiting" in kinds and "provider_back" in kinds, str(kinds[-20:]))
    problems = check_finished_run(db, rid)
    check("outage: store is sound", not problems, "; ".join(problems))


def revoked_key(tpl):
    """A revoked key pauses the whole run at once, naming the variable; a resume with a good
    key finishes it."""
    home = os.path.join(TMP, "revoked")
    db = os.path.join(home, "shoal.db")
    SRV.reset(rules())
    started = time.monotonic()
    r = shoal(home, "run", tpl, *RUN_ARGS, "--search", "linear", key="sk-revoked")
    rid = run_id_of(r.stdout)
    check("revoked key: the run stops within seconds", time.monotonic() - started < 30, f"{time.monotonic() - started:.1f} s")
    check("revoked key: paused, exit 8", r.returncode == 8, r.stdout[-1500:] + r.stderr[-1500:])
    run = connect(db).execute("SELECT status, error FROM runs WHERE id = ?", (rid,)).fetchone()
    check("revoked key: the run's message names OPENAI_API_KEY", run and run[0] == "paused" and "OPENAI_API_KEY" in run[1],
          str(run))
    failed = connect(db).execute("SELECT count(*) FROM ideas WHERE run_id = ? AND status = 'failed'", (rid,)).fetchone()[0]
    check("revoked key: no idea failed", failed == 0, f"{failed}")
    r = shoal(home, "resume", rid)
    check("revoked key: resume with a good key finishes", r.returncode == 0, r.stdout[-1500:] + r.stderr[-1500:])
    done = connect(db).execute("SELECT count(*) FROM ideas WHERE run_id = ? AND status = 'done'", (rid,)).fetchone()[0]
    check("revoked key: both ideas done after the resume", done == 2, f"{done}")


def main():
    tpl = os.path.join(TMP, "tiny")
    shutil.copytree(TINY, tpl)
    _, _, reference = whole_run("linear", tpl, ["--search", "linear"])
    db, rid, _ = whole_run("tree", tpl, ["--search", "tree", "--max-nodes", "4"])
    con = connect(db)
    seeds = con.execute("SELECT count(*) FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ? "
                        "AND n.kind = 'seed'", (rid,)).fetchone()[0]
    check("tree: the best node re-run with seeds", seeds >= 2, f"{seeds}")
    settings_reach_the_run(tpl)
    outage_mid_run(tpl)
    revoked_key(tpl)

    slow = os.path.join(TMP, "slow")
    shutil.copytree(TINY, slow)
    exp = os.path.join(slow, "experiment.py")
    text = open(exp).read().replace("random.seed(0)", "import time\ntime.sleep(1.5)\nrandom.seed(0)")
    with open(exp, "w") as f:
        f.write(text)
    SRV.reset(rules())
    _, _, slow_reference = whole_run("slow_reference", slow, ["--search", "linear"])

    def in_llm_call(db):
        return SRV.stats()["in_flight"] > 0 and os.path.exists(db) and connect(db).execute(
            "SELECT count(*) FROM llm_calls").fetchone()[0] >= 1
    killed_run("kill_during_llm", slow, slow_reference, in_llm_call)

    def in_experiment(db):
        return os.path.exists(db) and connect(db).execute(
            "SELECT count(*) FROM nodes WHERE status = 'running' AND idea_id IS NOT NULL").fetchone()[0] > 0
    killed_run("kill_during_experiment", slow, slow_reference, in_experiment)


if __name__ == "__main__":
    SHOAL = os.path.abspath(sys.argv[1])
    TMP = tempfile.mkdtemp()
    os.chmod(TMP, 0o755)
    SRV = Server()
    try:
        main()
    finally:
        SRV.proc.kill()
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)
