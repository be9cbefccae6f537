"""A template in AI-Scientist's format (tests/templates/seir: no template.json, a filecontents
bibliography in latex/template.tex, final_info.json with a 100x4 solution array and several
metrics, an ideas.json archive) run end to end with a model played by a Python function, with
no literature reachable. What a lab member bringing such a template must get: the template's
references in the paper, a headline metric inferred and its direction settled once, the tree
search improving on it, results shown to the model as a compact digest, a fabricated number
caught, and ideas marked "unchecked" rather than "novel" in the store, `shoal status` and the
web API."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

import shoal
from careful_model import CarefulModel, fenced_json, last_block

HERE = os.path.dirname(os.path.abspath(__file__))
SEIR = os.path.join(HERE, "..", "templates", "seir")
DEAD = "http://127.0.0.1:9"  # nothing listens: every literature engine fails at once
SETTINGS = {"literature_s2_url": DEAD, "literature_openalex_url": DEAD, "literature_arxiv_url": DEAD,
            "literature_max_retries": 0, "novelty_rounds": 2, "paper_citation_rounds": 2, "plot_fix_rounds": 0,
            "review_reflections": 0}


def shoal_bin():
    if os.environ.get("SHOAL_BIN"):
        return os.environ["SHOAL_BIN"]
    # build/python/shoal/__init__.py -> build/cli/shoal
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(shoal.__file__))), "cli", "shoal")


class SeirModel(CarefulModel):
    """Answers as a careful model would on the SEIR template, except that its results section
    states one number it made up (a 44.2% drop) and it leaves that number in when asked to fix
    it: the claim check must catch it."""

    def __init__(self):
        super().__init__()
        self.prompts = []  # (kind, characters of every message)
        self.seen = {}     # what some prompts showed, by name

    def __call__(self, messages, **params):
        kind, reply = self.answer(messages)
        self.asked[kind] += 1
        self.prompts.append((kind, sum(len(m["content"]) if isinstance(m["content"], str) else 0 for m in messages)))
        return reply

    def edit_contacts(self, text, plan, step=0.2):
        old = re.findall(r"contact_scale = ([0-9.]+)", text)[-1]
        new = f"{max(0.2, float(old) - step):.1f}"
        edit = ("experiment.py\n```python\n<<<<<<< SEARCH\ncontact_scale = " + old + "\n=======\ncontact_scale = " + new +
                "\n>>>>>>> REPLACE\n```\n")
        return "Fewer contacts.\n\n" + edit + "\n" + fenced_json(
            {"plan": plan + f" (contact_scale {new})", "args": [], "notes": "Contacts scaled to " + new + "."})

    def answer(self, messages):
        last = messages[-1]["content"]
        system = messages[0]["content"] if messages[0]["role"] == "system" else ""
        everything = "\n".join(m["content"] for m in messages if isinstance(m["content"], str))
        if "Propose the next research idea" in last:
            self.seen["idea_prompt"] = last
            body = {"Name": "halved_contacts", "Title": "Halving contacts to flatten the SEIR peak",
                    "Hypothesis": "Fewer contacts lower the infected peak.",
                    "Experiment": "Scale contacts down in experiment.py and compare the infected peak with the baseline.",
                    "Interestingness": 6, "Feasibility": 9, "Novelty": 5}
            return "idea", "THOUGHT:\nA simple intervention.\n\nNEW IDEA JSON:\n" + fenced_json(body)
        if "deciding whether a research idea is novel" in system:
            if "could not be run" in last:
                return "novelty", fenced_json({"Decision": "novel", "Query": "", "Reasons": "Nothing found to compare.",
                                               "Papers": []})
            self.seen["novelty_prompt"] = last
            return "novelty_search", fenced_json({"Decision": "search", "Query": "SEIR contact reduction peak"})
        if "does not say whether a larger or a smaller value" in last:
            self.seen["direction_prompt"] = last
            return "direction", fenced_json({"higher_is_better": False,
                                             "reason": "The task asks to keep the infected peak low."})
        if "(the new one is node" in last:
            return "tree_improve", self.edit_contacts(last, "improve: fewer contacts")
        if "(the fixed version is node" in last:
            return "tree_debug", self.edit_contacts(last, "debug", 0.0)
        if "(draft" in last:
            return "tree_draft", self.edit_contacts(last, "draft: fewer contacts", 0.1)
        if re.search(r"run [12] of at most \d+, attempt 1", last):
            self.seen.setdefault("linear_prompts", []).append(last)
            return "linear", self.edit_contacts(everything, "fewer contacts")
        if re.search(r"run \d+ of at most \d+", last):
            return "linear_done", "ALL_DONE"
        if "TASK: citation search query" in last:
            self.seen.setdefault("cite_prompts", []).append(last)
            if "TASK: citation search query 1 " in last:
                return "cite_query", fenced_json({"query": "SEIR model interventions", "done": False})
            return "cite_query", fenced_json({"query": "", "done": True})
        if "TASK: draft section" in last:
            section = re.search(r"TASK: draft section (.*?)\.\n", last).group(1)
            body = "This section (" + section + ") describes the runs as measured."
            if section.lower() == "introduction":
                body = "Compartment models \\citep{kermack1927} predict the course of an epidemic."
            if section.lower() == "results":
                peaks = [float(x) for x in re.findall(r"infected_peak = ([0-9.]+)", everything)]
                base, best = peaks[0], min(peaks)
                body = (f"The infected peak falls from {100 * base:.1f}\\% to {100 * best:.1f}\\%, "
                        "a 44.2\\% drop.")
            return "section", "```latex\n" + body + "\n```\n"
        if "TASK: review paper" in last:
            self.seen.setdefault("review_prompts", []).append((system, last))
        if "TASK: write title and abstract" in last:
            return "title", ("```latex title\nHalving contacts flattens the SEIR peak\n```\n```latex abstract\n"
                             "We scale down contacts in an SEIR model and measure the infected peak.\n```\n")
        return super().answer(messages)


@pytest.fixture(scope="module")
def home():
    path = tempfile.mkdtemp(prefix="shoal-seir-")
    os.chmod(path, 0o755)  # the sandbox user enters the work folders
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def linear_run(home):
    model = SeirModel()
    summary = shoal.run(SEIR, os.path.join(home, "linear"), model=shoal.PythonModel(model), ideas=1, search="linear",
                        max_runs=3, novelty=True, settings=SETTINGS)
    return model, summary


def test_run_ends_done_with_the_inferred_metric(home, linear_run):
    model, summary = linear_run
    assert summary["status"] == "done" and summary["done"] == 1, summary
    # The direction was asked once, with the metric named and the task shown.
    assert model.asked["direction"] == 1
    assert "`infected_peak`" in model.seen["direction_prompt"]
    assert "keep the peak of the infected share" in model.seen["direction_prompt"]
    s = shoal.open(os.path.join(home, "linear"))
    idea = s.ideas(summary["run_id"]).iloc[0]
    nodes = s.nodes(idea["id"]).to_dict("records")
    done = [n for n in nodes if n["status"] == "done"]
    assert done and all(n["metric"] is not None for n in done)
    # Lower is better: the idea's best is the smallest peak, below the baseline's 0.1728.
    assert idea["best_metric"] == pytest.approx(min(n["metric"] for n in done))
    assert idea["best_metric"] < 0.17
    status = subprocess.run([shoal_bin(), "status", summary["run_id"], "--home", os.path.join(home, "linear")],
                            capture_output=True, text=True)
    assert "metric: infected_peak, lower is better" in status.stdout, status.stdout


def test_no_prompt_holds_an_empty_metric_or_raw_arrays(linear_run):
    model, _ = linear_run
    # The coder saw each result as a digest: the solution array summarised, never its rows.
    for prompt in model.seen["linear_prompts"][1:]:
        assert "solution: array 100x4" in prompt
        assert "[0.99" not in prompt.replace(" ", "")
    # Prompt budget per idea: the whole run's prompts (idea, novelty, 3 experiment steps, plots,
    # write-up, review) stay under 150,000 characters; with the raw final_info in each prompt a
    # single results listing was 4,300 characters per run.
    total = sum(chars for _, chars in model.prompts)
    assert total < 150_000, (total, len(model.prompts))


def test_earlier_ideas_are_shown(linear_run):
    model, _ = linear_run
    assert "early_lockdown" in model.seen["idea_prompt"]
    assert "early_lockdown" in model.seen["novelty_prompt"]


def test_the_template_bibliography_reaches_the_paper(home, linear_run):
    model, summary = linear_run
    s = shoal.open(os.path.join(home, "linear"))
    paper = s.papers(summary["run_id"]).iloc[-1]
    checks = paper["checks"]
    assert checks["bibtex_errors"] == []
    assert set(checks["citations"]["cited"]) >= {"kermack1927"}
    assert checks["citations"]["unresolved"] == []
    pdf = s.pdf_path(paper["id"])
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    assert "Halving contacts flattens the SEIR peak" in text  # the title the model wrote
    refs = text[text.rfind("References"):]
    os.unlink(pdf)
    assert "Kermack" in refs and "mathematical theory of epidemics" in refs, refs[:600]
    # The failed citation search was told to the model in the next round.
    assert any("could not be run" in p or "failed" in p for p in model.seen["cite_prompts"][1:]), model.seen["cite_prompts"]


def test_reviewers_get_guidelines_and_the_evidence(home, linear_run):
    model, summary = linear_run
    reviews = model.seen["review_prompts"]
    assert len(reviews) == 3  # the default ensemble
    system, prompt = reviews[0]
    assert "Failure modes of papers written by automated systems" in system
    assert "Overall (1 to 10)" in system
    assert "The evidence behind the paper, as measured and stored" in prompt
    assert "mean of 3 seed runs" in prompt  # the chosen version, re-run with seed_runs=3
    assert "44.2" in prompt  # the claim check's finding
    s = shoal.open(os.path.join(home, "linear"))
    paper = s.papers(summary["run_id"]).iloc[-1]
    kinds = list(s.reviews(paper["id"])["reviewer_kind"])
    assert kinds.count("ai") == 3 and kinds.count("meta") == 1


def test_a_fabricated_number_is_caught(home, linear_run):
    _, summary = linear_run
    s = shoal.open(os.path.join(home, "linear"))
    paper = s.papers(summary["run_id"]).iloc[-1]
    unverified = [c["text"] for c in paper["unverified"]]
    assert unverified == ["44.2\\%"], unverified
    assert paper["unverified"][0]["problem"] == "no_match"
    assert paper["checks"]["passed"] is False
    # Unverified, so not a finished paper, and its first page says so.
    assert not bool(paper["verified"]) and not bool(paper["finished"])
    assert summary["papers_finished"] == 0 and summary["papers_unverified"] == 1, summary
    pdf = s.pdf_path(paper["id"])
    first_page = subprocess.run(["pdftotext", "-l", "1", pdf, "-"], capture_output=True, text=True).stdout
    os.unlink(pdf)
    assert "Unverified: 1 number in this paper does not match the stored results" in " ".join(first_page.split())


def test_unreachable_literature_is_unchecked_everywhere(home, linear_run):
    _, summary = linear_run
    where = os.path.join(home, "linear")
    idea = shoal.open(where).ideas(summary["run_id"]).iloc[0]
    assert idea["novelty_verdict"] == "unchecked (literature unreachable)"
    status = subprocess.run([shoal_bin(), "status", summary["run_id"], "--home", where], capture_output=True, text=True)
    assert "unchecked" in status.stdout, status.stdout
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([shoal_bin(), "serve", "--home", where, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/api/v1/runs/{summary['run_id']}/ideas"
        for _ in range(100):
            try:
                body = json.load(urllib.request.urlopen(url, timeout=2))
                break
            except OSError:
                time.sleep(0.1)
        verdicts = {i["name"]: i["novelty_verdict"] for i in body["ideas"]}
        assert verdicts["halved_contacts"] == "unchecked (literature unreachable)", verdicts
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_tree_search_improves_the_inferred_metric(home):
    model = SeirModel()
    summary = shoal.run(SEIR, os.path.join(home, "tree"), model=shoal.PythonModel(model), ideas=1, search="tree",
                        novelty=False, paper=False,
                        settings=dict(SETTINGS, drafts=1, max_nodes=4, parallel_nodes=1, seed_runs=0))
    assert summary["status"] == "done", summary
    s = shoal.open(os.path.join(home, "tree"))
    idea = s.ideas(summary["run_id"]).iloc[0]
    nodes = [n for n in s.nodes(idea["id"]).to_dict("records") if n["status"] == "done"]
    drafts = [n for n in nodes if n["kind"] == "draft"]
    improved = [n for n in nodes if n["kind"] == "improve"]
    assert drafts and improved and model.asked["tree_improve"] >= 2
    # Each improve step hangs off the best so far and lowers the peak further.
    assert min(n["metric"] for n in improved) < drafts[0]["metric"]
    assert idea["best_metric"] == pytest.approx(min(n["metric"] for n in nodes))
