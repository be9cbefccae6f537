"""What the whole-run tests share: the store checks (read the SQLite file a run wrote and
assert what every finished run must satisfy) and the small helpers of the test scripts."""
import collections
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

FINAL = {"done", "failed", "skipped", "cancelled"}
failures = []  # the names of the failed checks of this test script


def check(name, ok, detail=""):
    """Prints one check's outcome; a failed one is remembered in `failures`."""
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        failures.append(name)


def run_id_of(text):
    """The run id from `shoal run`'s first line ("run ID (...)"), or None."""
    for line in text.splitlines():
        if line.startswith("run "):
            return line.split()[1]
    return None


def wait_for(predicate, timeout=60, interval=0.05):
    """Polls `predicate` until it holds (True) or `timeout` seconds pass (False); an exception
    (a database still being created) counts as not yet."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            if predicate():
                return True
        except Exception:  # noqa: BLE001
            pass
        time.sleep(interval)
    return False


def run_test_script(main):
    """Runs main(shoal, tmp, home) for a test script called as `SCRIPT PATH/TO/shoal`: tmp is a
    fresh folder (mode 755: the sandbox's users read it), home a Shoal home inside it. Removes
    tmp afterwards and exits 1 when a check failed."""
    shoal = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp()
    os.chmod(tmp, 0o755)
    try:
        main(shoal, tmp, os.path.join(tmp, "home"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


def connect(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    return con


def check_finished_run(db, run_id, want_status="done"):
    """Returns a list of problems (empty when the run is sound)."""
    problems = []
    con = connect(db)
    run = con.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    if run is None:
        return [f"no run {run_id}"]
    if run["status"] != want_status:
        problems.append(f"run status {run['status']} (want {want_status}): {run['error']}")
    ideas = con.execute("SELECT * FROM ideas WHERE run_id = ?", (run_id,)).fetchall()
    if not ideas:
        problems.append("the run has no ideas")
    for idea in ideas:
        if idea["status"] not in FINAL:
            problems.append(f"idea {idea['name']} is {idea['status']}, not final")
    # every stage finished once: one stage_done event per (idea, stage), no 'running' rows
    done_events = collections.Counter(
        (r["idea_id"] or "", json.loads(r["data_json"])["stage"])
        for r in con.execute("SELECT idea_id, data_json FROM events WHERE run_id = ? AND kind = 'stage_done'", (run_id,)))
    for key, n in done_events.items():
        if n != 1:
            problems.append(f"stage {key} completed {n} times")
    for row in con.execute("SELECT * FROM stage_executions WHERE run_id = ?", (run_id,)):
        if row["status"] == "running":
            problems.append(f"stage {row['stage']} of {row['idea_id']} still running")
        if row["status"] == "done" and (row["idea_id"] or "", row["stage"]) not in done_events:
            problems.append(f"stage {row['stage']} of {row['idea_id']} done without its event")
    # nodes form proper trees: parents exist, belong to the same idea, no cycles
    nodes = {r["id"]: r for r in con.execute(
        "SELECT n.* FROM nodes n JOIN ideas i ON i.id = n.idea_id WHERE i.run_id = ?", (run_id,))}
    for node in nodes.values():
        seen, cur = set(), node
        while cur["parent_id"]:
            if cur["id"] in seen:
                problems.append(f"node {node['id']}: cycle")
                break
            seen.add(cur["id"])
            parent = nodes.get(cur["parent_id"])
            if parent is None:
                problems.append(f"node {cur['id']}: parent {cur['parent_id']} missing or of another idea's run")
                break
            if parent["idea_id"] != cur["idea_id"]:
                problems.append(f"node {cur['id']}: parent of another idea")
            cur = parent
        if node["status"] in ("pending", "running"):
            problems.append(f"node {node['id']} left {node['status']}")
    # the same experiment (idea, parent, code, command) finished at most once
    runs = collections.Counter((n["idea_id"], n["parent_id"], n["code_hash"], n["command"]) for n in nodes.values()
                               if n["status"] in ("done", "failed") and n["limit_hit"] != "interrupted")
    for key, n in runs.items():
        if n > 1:
            problems.append(f"experiment ran {n} times: {key[3][:80]}")
    # artifacts: present and hashed
    for a in con.execute("SELECT a.id, a.hash, b.data, b.size FROM artifacts a LEFT JOIN blobs b ON b.hash = a.hash"):
        if a["data"] is None:
            problems.append(f"artifact {a['id']}: blob {a['hash']} missing")
        elif hashlib.sha256(a["data"]).hexdigest() != a["hash"] or len(a["data"]) != a["size"]:
            problems.append(f"artifact {a['id']}: blob does not match its hash")
    # costs add up: the run's cost is the sum of its calls
    total = con.execute("SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE run_id = ?", (run_id,)).fetchone()[0]
    if abs(total - run["cost_usd"]) > 1e-9:
        problems.append(f"run cost {run['cost_usd']} != sum of its LLM calls {total}")
    stage_total = con.execute("SELECT coalesce(sum(cost_usd), 0) FROM stage_executions WHERE run_id = ?",
                              (run_id,)).fetchone()[0]
    if stage_total > total + 1e-9:
        problems.append(f"stages cost {stage_total} more than the run's calls {total}")
    if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        problems.append("integrity_check failed")
    return problems


FAKE_PROVIDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fake_llm", "server.py")


class FakeProvider:
    """tests/fake_llm/server.py on a free port: its URL, its rules and its request statistics."""

    def __init__(self):
        self.proc = subprocess.Popen(["/usr/bin/python3", FAKE_PROVIDER, "--port", "0"], stdout=subprocess.PIPE,
                                     text=True)
        self.url = f"http://127.0.0.1:{self.proc.stdout.readline().strip()}"

    def post(self, path, body):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req).read()

    def stats(self):
        return json.loads(urllib.request.urlopen(self.url + "/_stats").read())

    def reset(self, rule_doc):
        """Forgets the requests so far and answers by `rule_doc` ({"rules": [...], "default_reply": ...})."""
        self.post("/_reset", {})
        self.post("/_rules", rule_doc)
