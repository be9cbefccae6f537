"""What the overnight-hardening tests share: a whole LLM run of the tiny template against the
fake LLM server (the scripted replies of tests/run/test_run_llm.py, plus a novelty search
that reaches the fake literature server), the store checks of tests/run/run_checks.py, and
the outcome of a run reduced to what must not depend on crashes or faults."""
import argparse
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "run"))
import run_checks  # noqa: E402  (tests/run)
import test_run_llm as scripted  # noqa: E402  (tests/run: the scripted replies and the fake LLM server)

LITERATURE = os.path.join(HERE, "..", "fake_literature", "server.py")
TINY = os.path.join(HERE, "..", "templates", "tiny")
RUN_ARGS = ["--model", "openai:gpt-4o", "--smoke", "--ideas", "2", "--generate", "2", "--max-runs", "2",
            "--search", "linear"]


def check(name, ok, detail=""):
    """run_checks.check with any detail (shown as text); returns `ok`."""
    run_checks.check(name, ok, str(detail))
    return ok


def parse_args(**options):
    """The script's arguments: PATH/TO/shoal, then --NAME VALUE for each option (its default
    gives the type)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("shoal")
    for name, default in options.items():
        ap.add_argument("--" + name, type=type(default), default=default)
    return ap.parse_args()


def finish():
    """Ends the test script: the number of failed checks, exit status 1 if any."""
    print(f"{len(run_checks.failures)} failure(s)")
    sys.exit(1 if run_checks.failures else 0)


class Literature(scripted.Server):
    """The fake literature server (Semantic Scholar, OpenAlex, arXiv) with fault rules; post and
    stats as the fake LLM server's."""

    def __init__(self):  # noqa: super().__init__ would start the LLM server
        self.proc = subprocess.Popen(["/usr/bin/python3", LITERATURE, "--port", "0"], stdout=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{self.proc.stdout.readline().strip()}"

    def reset(self, rules):
        self.post("/_rules", {"rules": rules})
        self.post("/_reset", {})


REVIEW_FORM = {"Summary": "A tiny study.", "Strengths": ["clear"], "Weaknesses": ["small"], "Originality": 2,
               "Quality": 3, "Clarity": 3, "Significance": 2, "Questions": ["more seeds?"], "Limitations": ["toy"],
               "Ethical Concerns": False, "Soundness": 3, "Presentation": 3, "Contribution": 2, "Overall": 5,
               "Confidence": 4, "Decision": "Reject"}


def rules_doc(fault_rate=None, **every_rule):
    """test_run_llm's scripted run, with one novelty search per idea before the verdict, and
    reviews on the NeurIPS form (the write-up takes the default replies). `every_rule` fields
    (delay_ms: each answer takes this long, like a real provider's; usage: the tokens counted)
    go into every rule that lacks them, and a last rule answers the rest with them."""
    search = "THOUGHT:\nlet me look.\n\nRESPONSE:\n```json\n" + json.dumps(
        {"Decision": "search", "Query": "gradient descent learning rate", "Reasons": "", "Papers": []}) + "\n```\n"
    doc = scripted.rules()
    form = "```json\n" + json.dumps(REVIEW_FORM) + "\n```\n"
    doc["rules"] = [{"match": "TASK: reflect on review", "reply": "The review stands as written. I am done"},
                    {"match": "TASK: meta-review", "reply": form},
                    {"match": "TASK: review paper", "reply": form},
                    {"match": "Results of the search", "reply": scripted.novel()},
                    {"match": "deciding whether a research idea is novel", "reply": search}] + doc["rules"]
    if every_rule:
        for rule in doc["rules"]:
            for key, value in every_rule.items():
                rule.setdefault(key, value)
        doc["rules"].append(dict(every_rule, reply=doc["default_reply"]))
    if fault_rate:
        doc["fault_rate"] = fault_rate
    return doc


class Harness:
    """One temp folder, the two fake servers, and `shoal` pointed at them."""

    def __init__(self, shoal, experiment_s=0.0):
        self.shoal_bin = os.path.abspath(shoal)
        self.tmp = tempfile.mkdtemp()
        os.chmod(self.tmp, 0o755)  # the sandbox's user must reach the template copies
        self.llm = scripted.Server()
        self.lit = Literature()
        self.template = os.path.join(self.tmp, "tiny")
        shutil.copytree(TINY, self.template)
        if experiment_s:  # each experiment run (and the baseline) takes this long, like a real one
            path = os.path.join(self.template, "experiment.py")
            with open(path) as f:
                text = f.read().replace("random.seed(0)", f"import time\ntime.sleep({experiment_s})\nrandom.seed(0)")
            with open(path, "w") as f:
                f.write(text)

    def leftovers(self):
        """Processes still running on this harness's temp folder (by their command line): sandboxes
        that outlived a SIGKILLed orchestrator."""
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if (self.tmp + "/").encode() in f.read():
                        found.append(int(pid))
            except OSError:
                pass
        return found

    def close(self):
        """Stops the servers and every process left on the temp folder, then removes it."""
        for proc in (self.llm.proc, self.lit.proc):
            proc.kill()
            proc.wait()
        for pid in self.leftovers():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def command(self, home, *args, settings=()):
        cmd = [self.shoal_bin, *args, "--home", home, "--set", f"llm_base_url={self.llm.url}/v1"]
        for key in ("literature_s2_url", "literature_openalex_url", "literature_arxiv_url"):
            cmd += ["--set", f"{key}={self.lit.url}"]
        for s in settings:
            cmd += ["--set", s]
        return cmd

    def env(self):
        return dict(os.environ, OPENAI_API_KEY="sk-test-openai")

    def run(self, home, *args, settings=(), timeout=300):
        return subprocess.run(self.command(home, *args, settings=settings), capture_output=True, text=True,
                              timeout=timeout, env=self.env())

    def start(self, home, *args, settings=()):
        return subprocess.Popen(self.command(home, *args, settings=settings), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=self.env())

    def reference(self, check, name, budget="5", **every_rule):
        """An uninterrupted, fault-free run: (db, run id, seconds, LLM server stats)."""
        home = os.path.join(self.tmp, name)
        self.llm.reset(rules_doc(**every_rule))
        self.lit.reset([])
        began = time.time()
        r = self.run(home, "run", self.template, *RUN_ARGS, "--budget", budget)
        seconds = time.time() - began
        rid = run_checks.run_id_of(r.stdout)
        check(f"{name}: run exits 0", r.returncode == 0, r.stdout + r.stderr)
        db = os.path.join(home, "shoal.db")
        problems = run_checks.check_finished_run(db, rid) if rid else ["no run id"]
        check(f"{name}: store is sound", not problems, "; ".join(problems))
        return db, rid, seconds, self.llm.stats()


def outcome(db, rid):
    """What a run ended with, independent of ids and timing: each idea's status and best metric
    (by name), the set of (idea name, stage) that completed, the novelty verdicts."""
    con = run_checks.connect(db)
    names = {r["id"]: r["name"] for r in con.execute("SELECT id, name FROM ideas WHERE run_id = ?", (rid,))}
    ideas = {r["name"]: (r["status"], None if r["best_metric"] is None else round(r["best_metric"], 9), r["novel"])
             for r in con.execute("SELECT name, status, best_metric, novel FROM ideas WHERE run_id = ?", (rid,))}
    done = sorted((names.get(r["idea_id"], r["idea_id"] or ""), json.loads(r["data_json"])["stage"])
                  for r in con.execute("SELECT idea_id, data_json FROM events WHERE run_id = ? AND kind = 'stage_done'",
                                       (rid,)))
    return {"ideas": ideas, "stage_done": done}


def repeated_ok_calls(db):
    """Request hashes the store recorded as answered ('ok') and used more than once. A reply a
    stage rejected (unusable JSON: `rejected` set) is never served from the cache again, so a
    resume asks for it anew by design; only a used reply paid for twice is a repeat."""
    return [tuple(r) for r in run_checks.connect(db).execute(
        "SELECT request_hash, count(*) FROM llm_calls WHERE status = 'ok' AND coalesce(rejected, '') = '' "
        "GROUP BY request_hash HAVING count(*) > 1")]


def artifact_counts(db):
    """How many artifacts of each (owner kind, kind, name) the store holds (ids differ between
    runs; names and kinds do not)."""
    return collections.Counter((r["owner_kind"], r["kind"], r["name"]) for r in run_checks.connect(db).execute(
        "SELECT owner_kind, kind, name FROM artifacts"))

