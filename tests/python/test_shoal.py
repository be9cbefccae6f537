"""pytest suite of the Python module `shoal` (run with PYTHONPATH=<build>/python): queries over
a store filled by a real offline run, a background run with events and cancel, a Python
function as the model, a review with it, the claim check, and the exception classes."""
import json
import os
import shutil
import tempfile

import pytest

import shoal
from careful_model import CarefulModel

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "..", "templates", "tiny")


@pytest.fixture(scope="module")
def tmp():
    path = tempfile.mkdtemp(prefix="shoal-py-")
    os.chmod(path, 0o755)  # the sandbox user enters the work folders
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def finished(tmp):
    """A store filled by a whole offline run (2 ideas, plots, papers, the checks record)."""
    home = os.path.join(tmp, "offline")
    summary = shoal.run(TINY, home, ideas=2, smoke=True)
    return home, summary


def slow_template(tmp, seconds):
    path = os.path.join(tmp, f"slow{seconds}")
    if not os.path.exists(path):
        shutil.copytree(TINY, path)
        exp = os.path.join(path, "experiment.py")
        text = open(exp).read().replace("random.seed(0)", f"import time\ntime.sleep({seconds})\nrandom.seed(0)")
        open(exp, "w").write(text)
    return path


def test_queries_return_frames_of_the_stored_run(finished):
    home, summary = finished
    assert summary["status"] == "done" and summary["done"] == 2
    s = shoal.open(home)
    runs = s.runs()
    assert list(runs["id"]) == [summary["run_id"]]
    assert runs.iloc[0]["status"] == "done" and runs.iloc[0]["model"] == "offline"
    ideas = s.ideas(summary["run_id"])
    assert sorted(ideas["name"]) == ["sweep_lr", "sweep_steps"]
    assert set(ideas["status"]) == {"done"}
    nodes = s.nodes(ideas.iloc[0]["id"])
    assert len(nodes) >= 2 and set(nodes["status"]) == {"done"}
    papers = s.papers(summary["run_id"])
    assert len(papers) == 2 and all(papers["has_pdf"])
    reviews = s.reviews(papers.iloc[0]["id"])
    assert list(reviews["reviewer"]) == ["offline-checks"]
    assert reviews.iloc[0]["overall"] is None or reviews["overall"].isna().all()  # no invented scores
    assert len(s.llm_calls(summary["run_id"])) == 0


def test_artifacts_and_pdf_path(finished):
    home, summary = finished
    s = shoal.open(home)
    ideas = s.ideas(summary["run_id"])
    best = [n for n in s.nodes(ideas.iloc[0]["id"]).to_dict("records") if n["status"] == "done"]
    plots = []
    for n in best:
        arts = s.artifacts("node", n["id"])
        plots += [a for a in (arts.to_dict("records") if len(arts) else []) if a["kind"] == "plot"]
    assert plots, "a plot artifact"
    assert s.artifact(plots[0]["id"]).startswith(b"\x89PNG")
    path = s.pdf_path(s.papers(summary["run_id"]).iloc[0]["id"])
    assert open(path, "rb").read(4) == b"%PDF"
    os.unlink(path)


def test_background_run_delivers_events_in_this_thread(tmp):
    import threading
    seen, threads = [], set()

    def on_event(e):
        seen.append(e)
        threads.add(threading.get_ident())

    r = shoal.run(TINY, os.path.join(tmp, "events"), ideas=1, smoke=True, paper=False, on_event=on_event,
                  background=True)
    assert r.run_id.startswith("run-")
    summary = r.wait()
    assert summary["status"] == "done"
    kinds = [e["kind"] for e in seen]
    assert "stage_started" in kinds and "stage_done" in kinds
    done = [e for e in seen if e["kind"] == "stage_done"]
    assert all("cost_usd" in e["data"] and "seconds" in e["data"] for e in done)
    assert threads == {threading.get_ident()}
    assert r.status()["status"] == "done"


def test_cancel_a_background_run(tmp):
    r = shoal.run(slow_template(tmp, 2), os.path.join(tmp, "cancel"), ideas=2, smoke=True, paper=False,
                  background=True)
    assert r.wait(timeout=1.5) is None  # still going
    r.cancel()
    summary = r.wait(timeout=60)
    assert summary is not None and summary["status"] == "cancelled"
    assert r.status()["status"] == "cancelled"


def idea_reply(name):
    body = {"Name": name, "Title": "Start closer", "Hypothesis": "h", "Experiment": "change the start",
            "Interestingness": 6, "Feasibility": 8, "Novelty": 5}
    return "NEW IDEA JSON:\n```json\n" + json.dumps(body) + "\n```\nI am done\n"


def coder_reply():
    edit = "experiment.py\n```python\n<<<<<<< SEARCH\na, w = 3.0, 0.0\n=======\na, w = 3.0, 1.0\n>>>>>>> REPLACE\n```\n"
    return edit + "\n```json\n" + json.dumps({"plan": "start closer", "args": [], "notes": "n"}) + "\n```\n"


def test_python_function_as_the_model(tmp):
    calls = []

    def model(messages, **params):
        calls.append((messages, params))
        last = messages[-1]["content"]
        if "Propose the next research idea" in last:
            return {"text": idea_reply("closer_start"), "usage": {"input": 100, "output": 20}}
        if "run 1 of at most 1" in last:
            return coder_reply()
        if "plot.py wrote these figures" in last:
            return "```json\n" + json.dumps({"captions": {"loss.png": "Loss per run."}}) + "\n```"
        return "ALL_DONE"

    home = os.path.join(tmp, "pymodel")
    summary = shoal.run(TINY, home, model=shoal.PythonModel(model), ideas=1, max_runs=1, smoke=True, paper=False,
                        novelty=False, settings={"plot_fix_rounds": 0})
    assert summary["status"] == "done" and summary["done"] == 1
    assert calls and all("temperature" in p and "max_tokens" in p for _, p in calls)
    s = shoal.open(home)
    llm = s.llm_calls(summary["run_id"])
    assert len(llm) >= 2
    assert set(llm["provider"]) == {"function"}
    assert int(llm["tokens_in"].max()) >= 100  # the usage the function reported
    idea = s.ideas(summary["run_id"]).iloc[0]
    assert idea["name"] == "closer_start" and idea["status"] == "done"
    assert any(n["plan"] == "start closer" for n in s.nodes(idea["id"]).to_dict("records"))


def test_review_with_a_python_model(finished, tmp):
    home, summary = finished
    s = shoal.open(home)
    pdf = s.pdf_path(s.papers(summary["run_id"]).iloc[0]["id"])
    form = {"Summary": "A sweep.", "Strengths": ["real runs"], "Weaknesses": ["one template"], "Originality": 2,
            "Quality": 3, "Clarity": 3, "Significance": 2, "Questions": ["seeds?"], "Limitations": ["small"],
            "Ethical Concerns": False, "Soundness": 3, "Presentation": 3, "Contribution": 2, "Overall": 5,
            "Confidence": 4, "Decision": "Reject"}
    review = shoal.review(pdf, shoal.PythonModel(lambda messages, **p: "```json\n" + json.dumps(form) + "\n```"),
                          home=os.path.join(tmp, "review-home"), ensemble=2, reflections=0, images=0)
    assert len(review["reviews"]) == 2 and not review["failures"]
    assert review["reviews"][0]["Overall"] == 5 and review["meta"]["Overall"] == 5
    os.unlink(pdf)


def test_check_claims():
    tex = ("\\documentclass{article}\\begin{document}\\begin{abstract}We reach 87.3\\% accuracy and a loss of "
           "0.52.\\end{abstract}\\section{Results}The loss is 0.91.\\end{document}")
    report = shoal.check_claims(tex, [0.873, 0.5214])
    assert [c["text"] for c in report["unmatched"]] == ["0.91"]
    assert len(report["checked"]) == 3


def test_errors_are_shoal_exceptions(tmp):
    assert issubclass(shoal.NotFound, shoal.Error) and shoal.BudgetExceeded.kind == "budget_exceeded"
    with pytest.raises(shoal.NotFound, match="shoal init"):
        shoal.open(os.path.join(tmp, "no-such-home"))
    with pytest.raises(shoal.InvalidInput):
        shoal.run(TINY, os.path.join(tmp, "bad"), model="nosuch:model")
    with pytest.raises(shoal.NotFound, match="no template folder"):
        shoal.run("no-such-template", os.path.join(tmp, "bad"))
    with pytest.raises(shoal.InvalidInput):
        shoal.review(os.path.join(TINY, "template.json"), "offline")
    with pytest.raises(TypeError):
        shoal.PythonModel(42)


def test_generate_ideas_alone(tmp):
    seen = []

    def model(messages, **params):
        seen.append(messages[-1]["content"])
        n = sum("Propose the next research idea" in m for m in seen)
        return idea_reply(f"idea_number_{n}")

    home = os.path.join(tmp, "ideas-only")
    ideas = shoal.generate_ideas(TINY, 2, shoal.PythonModel(model), reflections=0, home=home)
    assert sorted(ideas["name"]) == ["idea_number_1", "idea_number_2"]
    runs = shoal.open(home).runs()
    assert list(runs["status"]) == ["done"]
    assert len(shoal.open(home).llm_calls(runs.iloc[0]["id"])) == 2
    with pytest.raises(shoal.InvalidInput):
        shoal.generate_ideas(TINY, 2, "offline", home=home)


def test_run_settings_take_effect(tmp):
    """seed_runs, drafts and review_ensemble given as settings reach the stages of a whole run
    (tree search, paper and review) driven by a careful model, and are stored with the run."""
    model = CarefulModel()
    home = os.path.join(tmp, "settings")
    summary = shoal.run(TINY, home, model=shoal.PythonModel(model), ideas=1, search="tree", smoke=True, novelty=False,
                        settings={"seed_runs": 3, "drafts": 1, "parallel_nodes": 1, "max_nodes": 3, "review_ensemble": 2,
                                  "paper_citation_rounds": 0, "plot_fix_rounds": 0, "review_reflections": 0})
    assert summary["status"] == "done" and summary["done"] == 1, summary
    s = shoal.open(home)
    run_id = summary["run_id"]
    idea = s.ideas(run_id).iloc[0]
    kinds = list(s.nodes(idea["id"])["kind"])
    assert kinds.count("draft") == 1 and model.asked["tree_draft"] == 1
    # The best two versions re-run with seeds 1..3 each, one seed mean per version.
    seeds = {}
    for n in s.nodes(idea["id"]).to_dict("records"):
        if n["kind"] == "seed":
            seeds.setdefault(n["parent_id"], set()).add(n["seed"])
    assert list(seeds.values()) in ([{1, 2, 3}], [{1, 2, 3}, {1, 2, 3}]), seeds
    assert kinds.count("seed_mean") == len(seeds)
    paper = s.papers(run_id).iloc[-1]
    reviews = s.reviews(paper["id"])
    assert list(reviews["reviewer_kind"]).count("ai") == 2 and model.asked["review"] == 2
    assert list(reviews["reviewer_kind"]).count("meta") == 1
    stored = s.runs().set_index("id").loc[run_id]["config"]
    assert stored["settings"]["seed_runs"] == "3" and stored["settings"]["review_ensemble"] == "2"


def test_runs_leave_no_descriptors_open(tmp, monkeypatch):
    """A notebook kernel runs many runs in one process: after each run returns, its sockets to the
    provider, sandbox pipes and store files are closed, so the open descriptors do not grow with
    the ideas run (8 ideas at once against the fake provider leave what 2 ideas left)."""
    import sys
    sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
    from schedule import FakeLLM, TEMPLATE, rules

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-openai")
    llm = FakeLLM(rules(8, 2, 0))

    def one(name, ideas):
        summary = shoal.run(TEMPLATE, os.path.join(tmp, name), model="openai:gpt-4o", ideas=ideas, parallel=ideas,
                            max_runs=2, smoke=True, paper=False, novelty=False,
                            settings={"llm_base_url": llm.url, "generate": ideas, "idea_batch": ideas,
                                      "executor_slots": 2, "plots": "false"})
        assert summary["status"] == "done" and summary["done"] == ideas, summary
        return sorted(os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                      if os.path.exists(f"/proc/self/fd/{fd}") or os.path.islink(f"/proc/self/fd/{fd}"))

    try:
        one("fd-warm", 2)  # lazily created things (the connection pool, loaded libraries) exist now
        after_two = one("fd-two", 2)
        after_eight = one("fd-eight", 8)
    finally:
        llm.close()
    assert len(after_eight) <= len(after_two) + 2, (after_two, after_eight)


def test_idea_generation_learns_from_earlier_runs(tmp):
    """A second run of a template shows the first run's ideas with what came of them: the one
    carried out with its best metric, the one its experiments could not run as failed."""
    prompts = []

    def model(messages, **params):
        last = messages[-1]["content"]
        if "Propose the next research idea" in last:
            prompts.append(last)
            return idea_reply(["closer_start", "broken_start", "third_start"][min(len(prompts), 3) - 1])
        if "run 1 of at most 1" in last:
            if "broken_start" in json.dumps(messages):  # this idea's edit does not apply: no usable run
                return "experiment.py\n```python\n<<<<<<< SEARCH\nno such line\n=======\nx\n>>>>>>> REPLACE\n```\n"
            return coder_reply()
        return "ALL_DONE"

    home = os.path.join(tmp, "archive")
    options = dict(model=shoal.PythonModel(model), max_runs=1, smoke=True, paper=False, novelty=False,
                   settings={"plots": "false", "generate": 2, "max_attempts": 1})
    first = shoal.run(TINY, home, ideas=2, **options)
    ideas = {i["name"]: i for i in shoal.open(home).ideas(first["run_id"]).to_dict("records")}
    assert ideas["closer_start"]["status"] == "done" and ideas["broken_start"]["status"] == "failed", ideas
    best = ideas["closer_start"]["best_metric"]
    prompts.clear()
    shoal.run(TINY, home, ideas=1, **dict(options, settings={"plots": "false", "generate": 1}))
    assert prompts, "the second run asked for no idea"
    shown = prompts[0]
    assert f"- closer_start: Start closer [carried out, best loss {best:.4g}]" in shown, shown
    assert "- broken_start: Start closer [failed: its experiments gave no usable result]" in shown, shown
    assert "a negative result counts" in shown
