#!/usr/bin/python3
"""shoal export and shoal reproduce of a real paper: an offline run of the tiny template (real
sandbox, store and pdflatex), exported (every file present, the manifest's hashes those of the
files and of the store's blobs, a non-empty folder refused), then re-run: reproduced (exit 0),
with a seed re-run whose SHOAL_SEED changes the numbers, and after the test alters a stored
metric in the database: 'differs' with both numbers, exit 3. With --web (a build with the web
UI), the web API's paper carries the newest reproduction.

usage: test_export_reproduce.py PATH/TO/shoal [--web]
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request

from run_checks import check, connect, failures, run_id_of

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "..", "templates", "tiny")


FAKE_KEY = "sk-test-export-0123456789abcdef"


def shoal(*args):
    env = {**os.environ, "OPENAI_API_KEY": FAKE_KEY}
    return subprocess.run([SHOAL, *args, "--home", HOME], capture_output=True, text=True, timeout=300, env=env)


def api_paper(paper_id):
    """GET /api/v1/papers/ID from a `shoal serve` on a free port."""
    serve = subprocess.Popen([SHOAL, "serve", "--port", "0", "--home", HOME], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        url = None
        for line in serve.stdout:
            if "http://" in line:
                url = line[line.index("http://"):].split()[0].rstrip("/")
                break
        if url is None:
            return None
        with urllib.request.urlopen(f"{url}/api/v1/papers/{paper_id}", timeout=30) as r:
            return json.load(r)
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def seeded_template():
    """tiny, with its random seed taken from SHOAL_SEED (0 without), so a seed re-run differs."""
    path = os.path.join(TMP, "tiny")
    shutil.copytree(TINY, path)
    exp = os.path.join(path, "experiment.py")
    text = open(exp).read()
    assert "random.seed(0)" in text
    open(exp, "w").write(text.replace("random.seed(0)", 'random.seed(int(os.environ.get("SHOAL_SEED", "0")))'))
    return path


def final_info_with_seed(tpl, args, seed):
    """What tiny reports for `args` under SHOAL_SEED=seed, run here (outside Shoal)."""
    out = os.path.join(TMP, f"local_seed_{seed}")
    subprocess.run(["/usr/bin/python3", "experiment.py", "--out_dir", out, *args], cwd=tpl, check=True,
                   env={**os.environ, "SHOAL_SEED": str(seed)}, capture_output=True)
    return open(os.path.join(out, "final_info.json")).read()


def check_export(db, paper_id, out):
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    con = connect(db)
    paper = con.execute("SELECT * FROM papers WHERE id = ?", (paper_id,)).fetchone()
    idea = con.execute("SELECT * FROM ideas WHERE id = ?", (paper["idea_id"],)).fetchone()
    run = con.execute("SELECT * FROM runs WHERE id = ?", (idea["run_id"],)).fetchone()
    files = {f["path"]: f for f in manifest["files"]}

    on_disk = set()
    for root, _, names in os.walk(out):
        for n in names:
            on_disk.add(os.path.relpath(os.path.join(root, n), out))
    check("export: the manifest lists every file on disk but itself", on_disk - {"manifest.json"} == set(files),
          f"unlisted {sorted(on_disk - set(files) - {'manifest.json'})}, missing {sorted(set(files) - on_disk)}")
    bad = [p for p, f in files.items() if p in on_disk and (sha256(os.path.join(out, p)) != f["sha256"]
                                                             or os.path.getsize(os.path.join(out, p)) != f["size"])]
    check("export: each file's SHA-256 and size are the manifest's", not bad and files, str(bad))
    blob_bad = []
    for p, f in files.items():
        if f["blob"] is None:
            continue
        row = con.execute("SELECT data FROM blobs WHERE hash = ?", (f["blob"],)).fetchone()
        if row is None or hashlib.sha256(row[0]).hexdigest() != f["sha256"] or f["blob"] != f["sha256"]:
            blob_bad.append(p)
    check("export: files copied from the store match its blobs", not blob_bad, str(blob_bad))

    want = {"paper/paper.pdf": paper["pdf_hash"], "paper/template.tex": paper["tex_hash"],
            "paper/references.bib": paper["bib_hash"]}
    check("export: the PDF, LaTeX and BibTeX are the paper's blobs",
          all(p in files and files[p]["blob"] == h for p, h in want.items()), str({p: files.get(p) for p in want}))
    with open(os.path.join(out, "paper/paper.pdf"), "rb") as f:
        check("export: paper.pdf is a PDF", f.read(5) == b"%PDF-")

    chosen = con.execute("SELECT * FROM nodes WHERE id = ?", (manifest["chosen_node"],)).fetchone()
    check("export: the chosen node is a done node of the paper's idea",
          chosen is not None and chosen["idea_id"] == idea["id"] and chosen["status"] == "done", str(manifest["chosen_node"]))
    best = con.execute("SELECT id FROM nodes WHERE idea_id = ? AND status = 'done' AND metric IS NOT NULL "
                       "ORDER BY metric ASC LIMIT 1", (idea["id"],)).fetchone()  # tiny: lower loss is better
    check("export: the chosen node is the idea's best (lowest loss)", best and best["id"] == manifest["chosen_node"],
          f"{manifest['chosen_node']} vs {best and best['id']}")
    snapshot = json.loads(con.execute("SELECT data FROM blobs WHERE hash = ?", (chosen["code_hash"],)).fetchone()[0])
    check("export: code/ holds the chosen version's code",
          all(open(os.path.join(out, "code", n)).read() == text for n, text in snapshot.items()) and snapshot,
          str(list(snapshot)))
    diff = open(os.path.join(out, "code.diff")).read()
    template_code = open(os.path.join(TMP, "tiny", "experiment.py")).read()
    check("export: code.diff is empty when the version kept the template's code (the offline agent sweeps flags)",
          (diff == "") == (snapshot["experiment.py"] == template_code), diff[:300])

    nodes = con.execute("SELECT * FROM nodes WHERE idea_id = ? OR id = ?", (idea["id"], manifest["nodes"][0]["id"])).fetchall()
    done = [n for n in nodes if n["status"] == "done"]
    def has(node_id, ending):
        return any(p.startswith(f"runs/{node_id}/") and p.endswith(ending) for p in files)
    missing = [n["id"] for n in done if not has(n["id"], "/final_info.json") or not has(n["id"], ".log")]
    check("export: every done run has its final_info.json and log (the baseline too)",
          not missing and len(done) >= 2, f"missing {missing} of {len(done)}")
    listed = {n["id"]: n for n in manifest["nodes"]}
    check("export: the manifest gives each run's command and seed as stored",
          all(n["id"] in listed and listed[n["id"]]["command"] == n["command"] and listed[n["id"]]["seed"] == n["seed"]
              for n in nodes), str(list(listed)))
    plots = con.execute("SELECT count(DISTINCT a.name) FROM artifacts a JOIN nodes n ON n.id = a.owner_id "
                        "WHERE a.kind = 'plot' AND n.idea_id = ?", (idea["id"],)).fetchone()[0]
    check("export: the plots", plots >= 1 and len([p for p in files if p.startswith("plots/")]) == plots,
          f"{plots} stored")
    reviews = json.load(open(os.path.join(out, "reviews.json")))
    stored_reviews = con.execute("SELECT count(*) FROM reviews WHERE paper_id = ?", (paper_id,)).fetchone()[0]
    check("export: reviews.json holds the paper's reviews", len(reviews) == stored_reviews >= 1, str(len(reviews)))
    text = open(os.path.join(out, "llm_calls.json")).read()
    check("export: no API key in llm_calls.json (the environment's key is redacted)",
          FAKE_KEY not in text and "[redacted]" in text, text[:400])
    check("export: no API key in any exported file",
          not [p for p in files if FAKE_KEY.encode() in open(os.path.join(out, p), "rb").read()])
    calls = json.load(open(os.path.join(out, "llm_calls.json")))
    stored_calls = con.execute("SELECT count(*) FROM llm_calls WHERE idea_id = ?", (idea["id"],)).fetchone()[0]
    check("export: llm_calls.json holds the idea's calls", len(calls) == stored_calls, f"{len(calls)} vs {stored_calls}")

    check("export: manifest names the paper, idea and run",
          manifest["paper"]["id"] == paper_id and manifest["idea"]["id"] == idea["id"] and manifest["run"]["id"] == run["id"]
          and manifest["idea"]["novelty_verdict"] == "not checked")
    check("export: manifest names the template and its hash",
          manifest["template"]["name"] == run["template"] and manifest["template"]["hash"] == run["template_hash"]
          and len(run["template_hash"]) == 64, str(manifest["template"]))
    check("export: manifest has the Shoal version", manifest["shoal_version"] not in ("", "unknown"), manifest["shoal_version"])
    sandbox = manifest["sandbox"]
    local_python = subprocess.run(["/usr/bin/python3", "-c", "import platform; print(platform.python_version())"],
                                  capture_output=True, text=True).stdout.strip()
    check("export: manifest has the sandbox's Python and packages",
          sandbox.get("python") == local_python and isinstance(sandbox.get("packages"), dict)
          and "error" not in sandbox, json.dumps({k: v for k, v in sandbox.items() if k != "packages"}))
    check("export: manifest has the model and cost of the idea's LLM calls",
          manifest["llm"]["calls"] == stored_calls and manifest["run"]["model"] == run["model"]
          and "cost_usd" in manifest["llm"], json.dumps(manifest["llm"]))
    return manifest


def main():
    tpl = seeded_template()
    db = os.path.join(HOME, "shoal.db")

    r = shoal("run", tpl, "--smoke", "--ideas", "1")
    rid = run_id_of(r.stdout)
    check("offline run exits 0", r.returncode == 0 and rid, r.stdout + r.stderr)
    if not rid:
        return
    con = connect(db)
    row = con.execute("SELECT p.id FROM papers p JOIN ideas i ON i.id = p.idea_id WHERE i.run_id = ? "
                      "AND p.status = 'compiled'", (rid,)).fetchone()
    check("the run wrote a compiled paper", row is not None)
    if row is None:
        return
    paper_id = row[0]

    # 1. export (with an LLM call of the idea whose stored request holds an API key by mistake:
    # the export must not write it)
    idea_id = con.execute("SELECT idea_id FROM papers WHERE id = ?", (paper_id,)).fetchone()[0]
    w = sqlite3.connect(db)
    w.execute("INSERT INTO llm_calls (run_id, idea_id, stage, provider, model, request_hash, request_json, response_json, "
              "status, created_ms) VALUES (?, ?, 'experiments', 'openai', 'gpt-test', 'h', ?, '{}', 'ok', 1)",
              (rid, idea_id, json.dumps({"model": "gpt-test", "api_key": FAKE_KEY})))
    w.commit()
    w.close()
    out = os.path.join(TMP, "export")
    e = shoal("export", paper_id, out)
    check("export exits 0", e.returncode == 0, e.stdout + e.stderr)
    manifest = check_export(db, paper_id, out) if e.returncode == 0 else None
    before = sha256(os.path.join(out, "manifest.json")) if manifest else None
    again = shoal("export", paper_id, out)
    check("export into a non-empty folder is refused, naming it (exit 3)",
          again.returncode == 3 and out in again.stderr and "not empty" in again.stderr, again.stderr)
    check("the refused export left the folder as it was",
          before is not None and sha256(os.path.join(out, "manifest.json")) == before)
    unknown = shoal("export", "paper-nope", os.path.join(TMP, "export2"))
    check("export of an unknown paper: not found (exit 4), no folder made",
          unknown.returncode == 4 and "paper-nope" in unknown.stderr and not os.path.exists(os.path.join(TMP, "export2")),
          unknown.stderr)

    # 2. reproduce: the chosen version, plus a seed re-run the test adds as the seed stage stores one
    chosen = connect(db).execute("SELECT * FROM nodes WHERE id = ?", (manifest["chosen_node"] if manifest else "",)).fetchone()
    if chosen is None:
        check("a chosen node to re-run", False)
        return
    words = chosen["command"].split()
    seeded = final_info_with_seed(tpl, words[4:], 7)
    check("SHOAL_SEED changes tiny's numbers (so the seed check below means something)", seeded != chosen["metrics_json"])
    w = sqlite3.connect(db)
    w.execute("INSERT INTO nodes (id, idea_id, template_hash, parent_id, kind, code_hash, command, plan, step, seed, status, "
              "exit_code, signal, limit_hit, metrics_json, metric, stdout_tail, stderr_tail, duration_s, created_ms, ended_ms) "
              "SELECT 'node-test-seed7', idea_id, template_hash, id, 'seed', code_hash, command || ' [SHOAL_SEED=7]', "
              "'seed 7', step, 7, 'done', 0, 0, '', ?, ?, '', '', 0, created_ms + 1, ended_ms FROM nodes WHERE id = ?",
              (seeded, json.loads(seeded)["fit"]["means"]["loss"], chosen["id"]))
    # the seeds' mean, as the seed stage stores it (no command of its own; the best metric of the
    # idea, so the evidence puts it first): it stands for its version and is not re-run itself
    w.execute("INSERT INTO nodes (id, idea_id, template_hash, parent_id, kind, code_hash, command, plan, step, status, "
              "metrics_json, metric, duration_s, created_ms) SELECT 'node-test-mean', idea_id, template_hash, id, "
              "'seed_mean', code_hash, '', 'seed mean', step, 'done', metrics_json, -1.0, 0, created_ms + 2 "
              "FROM nodes WHERE id = ?", (chosen["id"],))
    w.commit()
    w.close()

    rep = shoal("reproduce", paper_id)
    check("reproduce of the untouched paper exits 0 and says reproduced",
          rep.returncode == 0 and "reproduced: all" in rep.stdout, rep.stdout + rep.stderr)
    rows = connect(db).execute("SELECT outcome, details_json FROM reproductions WHERE paper_id = ? ORDER BY id",
                               (paper_id,)).fetchall()
    details = json.loads(rows[-1]["details_json"]) if rows else {}
    check("the reproduction is recorded as reproduced", len(rows) == 1 and rows[0]["outcome"] == "reproduced", str(rows))
    check("both runs re-ran: the chosen node (no seed) and the seed 7 re-run (the seed mean stands for the chosen node)",
          [(r["node_id"], r["seed"], r["match"]) for r in details.get("runs", [])]
          == [(chosen["id"], None, True), ("node-test-seed7", 7, True)], json.dumps(details.get("runs"))[:600])
    check("every metric was compared (loss and w, per run)",
          all(len(r["metrics"]) == 2 for r in details.get("runs", [])), json.dumps(details)[:600])

    # 3. a stored metric altered in the database
    stored = json.loads(chosen["metrics_json"])
    true_loss = stored["fit"]["means"]["loss"]
    stored["fit"]["means"]["loss"] = true_loss + 0.125
    w = sqlite3.connect(db)
    w.execute("UPDATE nodes SET metrics_json = ? WHERE id = ?", (json.dumps(stored), chosen["id"]))
    w.commit()
    w.close()
    bad = shoal("reproduce", paper_id)
    check("reproduce of an altered paper exits 3 and says it differs",
          bad.returncode == 3 and "differs: 1 of 4 metric(s)" in bad.stdout and "DIFFERS" in bad.stdout,
          f"rc {bad.returncode}\n{bad.stdout}{bad.stderr}")
    check("the table shows the stored and the measured loss",
          "%.10g" % (true_loss + 0.125) in bad.stdout and "%.10g" % true_loss in bad.stdout, bad.stdout)
    last = connect(db).execute("SELECT outcome, details_json FROM reproductions WHERE paper_id = ? ORDER BY id DESC LIMIT 1",
                               (paper_id,)).fetchone()
    metrics = [m for r in json.loads(last["details_json"])["runs"] for m in r["metrics"] if not m["match"]]
    check("the newest reproduction is 'differs' with the stored and measured numbers",
          last["outcome"] == "differs" and len(metrics) == 1 and metrics[0]["metric"] == "loss"
          and metrics[0]["stored"] == true_loss + 0.125 and abs(metrics[0]["measured"] - true_loss) < 1e-12,
          str(metrics))

    if WEB:
        api = api_paper(paper_id) or {}
        rep = api.get("reproduction") or {}
        check("the web API's paper carries the newest reproduction with its numbers",
              rep.get("outcome") == "differs" and rep.get("id") == connect(db).execute(
                  "SELECT max(id) FROM reproductions").fetchone()[0]
              and any(m["stored"] == true_loss + 0.125 for r in rep["details"]["runs"] for m in r["metrics"]),
              json.dumps(api)[:600])

    # 4. a template changed since the run is refused before anything runs
    with open(os.path.join(tpl, "prompt.json"), "a") as f:
        f.write("\n")
    changed = shoal("reproduce", paper_id)
    check("reproduce refuses a template that changed since the run (exit 3, names it)",
          changed.returncode == 3 and "has changed since run" in changed.stderr and tpl in changed.stderr, changed.stderr)


if __name__ == "__main__":
    SHOAL = os.path.abspath(sys.argv[1])
    WEB = "--web" in sys.argv[2:]
    TMP = tempfile.mkdtemp()
    os.chmod(TMP, 0o755)
    HOME = os.path.join(TMP, "home")
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"{len(failures)} failure(s)" if failures else "all checks passed")
    sys.exit(1 if failures else 0)
