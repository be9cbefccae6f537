"""Shoal from Python: query a Shoal store as frames, launch runs, review PDFs, check claims.

    import shoal
    s = shoal.open("~/shoal-home")
    s.runs()                      # pandas.DataFrame (a list of dicts without pandas)
    run = shoal.run("grokking", home="~/shoal-home", ideas=1, background=True,
                    on_event=lambda e: print(e["kind"], e["message"]))
    run.wait()

Errors are shoal.Error subclasses named for Shoal's error kinds (shoal.InvalidInput,
shoal.NotFound, shoal.BudgetExceeded, shoal.SandboxError, ...).
"""
import atexit
import json
import os
import tempfile
import weakref

from . import _native
from ._native import (BudgetExceeded, Cancelled, Corrupt, Error, Incompatible, InternalError,  # noqa: F401
                      InvalidInput, IoError, NotFound, RateLimited, RemoteError, SandboxError, Timeout,
                      Unauthorized)

try:
    import pandas as _pandas
except ImportError:  # frames are lists of dicts without pandas
    _pandas = None

__all__ = ["open", "run", "review", "generate_ideas", "check_claims", "PythonModel", "Store", "Run", "templates_dir",
           "Error", "BudgetExceeded", "Cancelled", "Corrupt", "Incompatible", "InternalError", "InvalidInput", "IoError",
           "NotFound", "RateLimited", "RemoteError", "SandboxError", "Timeout", "Unauthorized"]

templates_dir = _native.templates_dir


def _frame(text):
    rows = json.loads(text)
    return _pandas.DataFrame(rows) if _pandas is not None else rows


def _home(home):
    return os.path.abspath(os.path.expanduser(home or os.environ.get("SHOAL_HOME", "~/shoal-home")))


def _settings(settings):
    return {str(k): str(v) for k, v in (settings or {}).items()}


class PythonModel:
    """A Python function as the LLM: fn(messages, **params) -> str, or a dict
    {"text": ..., "usage": {"input": N, "output": N}, "cost_usd": X}.

    messages is a list of {"role": "system"|"user"|"assistant", "content": str, "images": int};
    params are temperature, max_tokens and stop. Calls go through Shoal's LLM client like any
    provider's: the response cache, the llm_calls record and the budget apply (model string
    "function:python").
    """

    def __init__(self, fn):
        if not callable(fn):
            raise TypeError("PythonModel needs a callable fn(messages, **params)")
        self.fn = fn


class Store:
    """A Shoal store (HOME/shoal.db) for queries; every call reads the current state."""

    def __init__(self, home):
        self.home = _home(home)
        self._store = _native.Store(self.home)

    def runs(self):
        """Every run, newest first: id, template, model, status, cost_usd, budget_usd, times, config."""
        return _frame(self._store.runs())

    def ideas(self, run):
        """The ideas of a run: name, title, status, stage, rank, novel, best_metric, scores, idea JSON."""
        return _frame(self._store.ideas(run))

    def nodes(self, idea):
        """The experiment nodes of an idea: parent_id, kind, status, plan, command, metric, metrics."""
        return _frame(self._store.nodes(idea))

    def papers(self, run):
        """Every paper attempt of every idea of a run: status, title, abstract, pages, unverified, checks,
        verified (no unverified number) and finished (compiled and verified)."""
        return _frame(self._store.papers(run))

    def reviews(self, paper):
        """The reviews of a paper (AI ensemble, meta-review, humans): every score, decision, text."""
        return _frame(self._store.reviews(paper))

    def llm_calls(self, run):
        """The LLM calls of a run: stage, model, status, tokens, cost_usd, latency_ms (bodies left out)."""
        return _frame(self._store.llm_calls(run))

    def artifacts(self, owner_kind, owner_id):
        """The artifacts of an owner ("node", "paper", "idea", ...): id, kind, name, mime, size."""
        return _frame(self._store.artifacts(owner_kind, owner_id))

    def artifact(self, artifact_id):
        """An artifact's bytes."""
        return self._store.artifact(int(artifact_id))

    def pdf_path(self, paper):
        """Writes the paper's PDF to a temporary file and returns its path (for IFrame / display)."""
        data = self._store.paper_pdf(paper)
        fd, path = tempfile.mkstemp(prefix=f"shoal-{paper}-", suffix=".pdf")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return path


def open(home=None):  # noqa: A001 (the module's entry point, as in shoal.open)
    """Opens the store of a Shoal home (default $SHOAL_HOME or ~/shoal-home); NotFound if none."""
    return Store(home)


_running = weakref.WeakSet()  # background runs, paused at interpreter exit (see _pause_all)


@atexit.register
def _pause_all():
    """Pauses the runs still going while the interpreter can still run their Python models."""
    for r in list(_running):
        if not r.done():
            r.stop()
            r.wait()


class Run:
    """A run driven by a C++ thread. wait() delivers its events to on_event in this thread."""

    def __init__(self, handle, on_event):
        self._handle = handle
        self._on_event = on_event
        self.run_id = handle.run_id
        _running.add(self)

    def wait(self, timeout=None):
        """Waits for the run to end (or `timeout` seconds); returns the summary dict once it ended,
        None on timeout. Events (stage_started, stage_done with cost_usd and seconds, ...) are
        passed to on_event meanwhile; the GIL is free while C++ works."""
        ended = self._handle.wait(-1.0 if timeout is None else float(timeout), self._on_event)
        return json.loads(self._handle.result()) if ended else None

    def done(self):
        return self._handle.done()

    def cancel(self):
        """Cancels the run for good (as `shoal cancel`); the thread stops within a second."""
        self._handle.cancel()

    def stop(self):
        """Pauses the run; `shoal resume RUN` continues it."""
        self._handle.stop()

    def status(self):
        """The run's row (status, cost_usd, ...) and its ideas counted by status."""
        return json.loads(self._handle.status())


def run(template, home=None, *, ideas=None, model=None, budget=None, parallel=None, search=None, smoke=False,
        paper=True, novelty=True, max_runs=None, settings=None, on_event=None, background=False):
    """Creates a run of `template` (a folder or a bundled name) and drives it.

    model: a model string ("openai:gpt-4o", "offline", ...) or a PythonModel; unset: the setting.
    budget: dollars (0: no cap). settings: other settings by name ({"llm_base_url": ...}).
    on_event(dict) is called in this thread for each stage event. background=True returns the
    Run at once (use .wait(), .cancel(), .status()); else waits and returns the summary dict.
    Bad input (an unknown model, a broken template, a zero budget) raises before any spend.
    """
    options = {"smoke": bool(smoke), "paper": bool(paper), "novelty": bool(novelty)}
    for key, value in (("ideas", ideas), ("budget_usd", budget), ("parallel", parallel), ("search", search),
                       ("max_runs", max_runs)):
        if value is not None:
            options[key] = value
    fn = None
    if isinstance(model, PythonModel):
        fn = model.fn
    elif model is not None:
        options["model"] = str(model)
    handle = _native.start_run(_home(home), str(template), json.dumps(options), _settings(settings), fn)
    r = Run(handle, on_event)
    return r if background else r.wait()


def review(pdf_path, model=None, *, home=None, ensemble=None, reflections=None, images=None, settings=None):
    """Reviews a PDF on the NeurIPS form; returns {"reviews": [...], "meta": ..., "failures": [...], ...}.

    model: a model string or a PythonModel. A PDF with no text layer raises InvalidInput."""
    fn = model.fn if isinstance(model, PythonModel) else None
    name = "" if model is None or fn is not None else str(model)
    text = _native.review_pdf(_home(home), os.fspath(pdf_path), name, _settings(settings), fn,
                              -1 if ensemble is None else int(ensemble), -1 if reflections is None else int(reflections),
                              -1 if images is None else int(images))
    return json.loads(text)


def generate_ideas(template, n, model=None, *, reflections=2, home=None, settings=None):
    """Runs the idea stage alone: `n` ideas for `template` (each refined over `reflections`
    rounds, avoiding the template's earlier ideas), stored as a run of their own; returns
    them as a frame. model: a model string or a PythonModel (the offline agent has no ideas
    of its own: InvalidInput)."""
    fn = model.fn if isinstance(model, PythonModel) else None
    name = "" if model is None or fn is not None else str(model)
    return _frame(_native.generate_ideas(_home(home), str(template), int(n), int(reflections), name,
                                         _settings(settings), fn))


def check_claims(tex, known):
    """Matches every number in the abstract, results and conclusion of LaTeX `tex` against the
    measured numbers `known` (rounding and percentages allowed); returns {"checked", "unmatched"}."""
    return json.loads(_native.check_claims(str(tex), [float(x) for x in known]))
