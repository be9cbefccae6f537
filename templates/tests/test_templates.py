"""Checks that every template folder honours the template contract.

Run from the repository root:
    OMP_NUM_THREADS=1 /usr/bin/python3 -m unittest discover -s templates/tests

For each template (a folder of templates/ that holds experiment.py) it checks:
  * template.json, prompt.json and seed_ideas.json have the documented shape;
  * every knob flag appears in `experiment.py --help`, and a bad argument
    makes experiment.py exit non-zero with a message;
  * two smoke runs (template.json's smoke_args) write a well-formed
    final_info.json holding metric.name, identical byte for byte;
  * the run writes nothing outside its --out_dir;
  * plot.py, run where only run_0 exists, writes at least one PNG;
  * latex/template.tex compiles with pdflatex + bibtex (skipped if absent).

The experiment runs of all templates start together in setUpModule (two per
template, in parallel), so the whole file takes about as long as the slowest
template's smoke run plus its plot.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TEMPLATES_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_INTERPRETER = "/usr/bin/python3"
SMOKE_TIMEOUT_S = 120


def template_names():
    return sorted(d for d in os.listdir(TEMPLATES_DIR)
                  if os.path.isfile(os.path.join(TEMPLATES_DIR, d, "experiment.py")))


def load_json(*parts):
    with open(os.path.join(TEMPLATES_DIR, *parts)) as f:
        return json.load(f)


def manifest(name):
    path = os.path.join(TEMPLATES_DIR, name, "template.json")
    return load_json(name, "template.json") if os.path.isfile(path) else {}


def interpreter(name):
    interp = manifest(name).get("interpreter", DEFAULT_INTERPRETER)
    return interp if os.path.exists(interp) else sys.executable


def child_env():
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def snapshot(folder):
    """Relative paths and modification times of all files under folder."""
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            out[os.path.relpath(p, folder)] = os.stat(p).st_mtime_ns
    return out


# ----------------------------------------------------------------------------
# Smoke runs, started once for all templates
# ----------------------------------------------------------------------------
RUNS = {}  # name -> {"workdir", "before", "procs": [(out_dir, Popen)], "results": [...]}


def setUpModule():
    for name in template_names():
        workdir = tempfile.mkdtemp(prefix=f"shoal-template-{name}-")
        tdir = os.path.join(TEMPLATES_DIR, name)
        entry = {"workdir": workdir, "before": snapshot(tdir), "procs": []}
        # Run in a private copy of the cwd so stray writes would be visible.
        for run in ("run_0", "run_again"):
            cmd = [interpreter(name), os.path.join(tdir, "experiment.py"),
                   "--out_dir", run] + [str(a) for a in manifest(name).get("smoke_args", [])]
            proc = subprocess.Popen(cmd, cwd=workdir, env=child_env(), stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            entry["procs"].append((run, proc))
        RUNS[name] = entry


def tearDownModule():
    for entry in RUNS.values():
        for _, proc in entry["procs"]:
            if proc.poll() is None:
                proc.kill()
        shutil.rmtree(entry["workdir"], ignore_errors=True)


def smoke_results(name):
    """Wait for (once) and return [(out_dir, returncode, output)] of the smoke runs."""
    entry = RUNS[name]
    if "results" not in entry:
        entry["results"] = []
        for run, proc in entry["procs"]:
            try:
                out, _ = proc.communicate(timeout=SMOKE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
            entry["results"].append((run, proc.returncode, out))
    return entry["results"]


# ----------------------------------------------------------------------------
# Tests, generated per template
# ----------------------------------------------------------------------------
class TemplateChecks:
    name = None  # set by the generated subclasses

    @property
    def tdir(self):
        return os.path.join(TEMPLATES_DIR, self.name)

    def run_py(self, args, cwd=None, timeout=120):
        return subprocess.run([interpreter(self.name)] + args, cwd=cwd or self.tdir,
                              env=child_env(), capture_output=True, text=True, timeout=timeout)

    # --- static files -------------------------------------------------------
    def test_files_present(self):
        for f in ("experiment.py", "plot.py", "prompt.json", "seed_ideas.json",
                  os.path.join("latex", "template.tex"), os.path.join("latex", "references.bib")):
            self.assertTrue(os.path.isfile(os.path.join(self.tdir, f)), f"missing {f}")

    def test_prompt_json(self):
        prompt = load_json(self.name, "prompt.json")
        for key in ("system", "task_description"):
            self.assertIsInstance(prompt.get(key), str, key)
            self.assertGreater(len(prompt[key].strip()), 20, key)

    def test_seed_ideas_json(self):
        ideas = load_json(self.name, "seed_ideas.json")
        self.assertIsInstance(ideas, list)
        self.assertGreaterEqual(len(ideas), 1)
        for idea in ideas:
            for key in ("Name", "Title", "Experiment"):
                self.assertIsInstance(idea.get(key), str, key)
            self.assertRegex(idea["Name"], r"^[a-z0-9_]+$")
            for key in ("Interestingness", "Feasibility", "Novelty"):
                self.assertIsInstance(idea.get(key), int, key)
                self.assertTrue(1 <= idea[key] <= 10, key)

    def test_template_json(self):
        m = manifest(self.name)
        if not m:
            self.skipTest("no template.json (defaults apply)")
        self.assertEqual(m.get("name"), self.name)
        self.assertIsInstance(m.get("description"), str)
        self.assertIsInstance(m.get("timeout_s"), int)
        self.assertIsInstance(m.get("expected_runtime_s"), int)
        self.assertLess(m["expected_runtime_s"], m["timeout_s"])
        metric = m.get("metric", {})
        self.assertIsInstance(metric.get("name"), str)
        self.assertIn("condition", metric)
        self.assertIsInstance(metric.get("higher_is_better"), bool)
        self.assertIsInstance(m.get("seeds"), int)
        self.assertIsInstance(m.get("smoke_args"), list)
        for f in m.get("editable", []):
            self.assertTrue(os.path.isfile(os.path.join(self.tdir, f)), f)
        for knob in m.get("knobs", []):
            self.assertTrue(knob["flag"].startswith("--"), knob)
            self.assertIsInstance(knob["values"], list)
            self.assertIn(knob["baseline"], knob["values"], knob["flag"])
            self.assertIsInstance(knob.get("description"), str)

    def test_help_lists_knobs(self):
        res = self.run_py(["experiment.py", "--help"])
        self.assertEqual(res.returncode, 0, res.stderr)
        for flag in ["--out_dir", "--seeds"] + [k["flag"] for k in manifest(self.name).get("knobs", [])]:
            self.assertIn(flag, res.stdout, f"{flag} missing from --help")

    def test_bad_argument_fails(self):
        with tempfile.TemporaryDirectory() as tmp:
            res = self.run_py(["experiment.py", "--out_dir", os.path.join(tmp, "r"), "--seeds", "0"])
            self.assertNotEqual(res.returncode, 0)
            self.assertIn("seeds", res.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "r")), "wrote output on bad args")

    # --- smoke runs ------------------------------------------------------------
    def test_smoke_run_and_plot(self):
        results = smoke_results(self.name)
        workdir = RUNS[self.name]["workdir"]
        for run, rc, out in results:
            self.assertEqual(rc, 0, f"{run} failed:\n{out[-3000:]}")
            self.assertTrue(out.strip(), "no progress printed")
        with open(os.path.join(workdir, "run_0", "final_info.json")) as f:
            info = json.load(f)
        self.assertIsInstance(info, dict)
        self.assertTrue(info)
        for cond, block in info.items():
            self.assertEqual(set(block) & {"means", "stderrs"}, {"means", "stderrs"}, cond)
            self.assertEqual(set(block["means"]), set(block["stderrs"]), cond)
            for v in list(block["means"].values()) + list(block["stderrs"].values()):
                self.assertIsInstance(v, (int, float))
        metric = manifest(self.name).get("metric", {})
        if metric.get("name"):
            cond = metric.get("condition")
            conds = [cond] if cond else list(info)
            for c in conds:
                self.assertIn(metric["name"], info[c]["means"], c)

        # Nothing written next to run_0 (besides the two out_dirs) or in the template.
        self.assertEqual(sorted(os.listdir(workdir)), ["run_0", "run_again"])
        self.assertEqual(snapshot(self.tdir), RUNS[self.name]["before"], "template folder changed")

        # Determinism: same seed and arguments give the same final_info.json.
        with open(os.path.join(workdir, "run_0", "final_info.json"), "rb") as a, \
                open(os.path.join(workdir, "run_again", "final_info.json"), "rb") as b:
            self.assertEqual(a.read(), b.read(), "two identical smoke runs differ")

        # plot.py with only run_0 present.
        plot_dir = os.path.join(workdir, "plots")
        os.makedirs(plot_dir)
        shutil.copytree(os.path.join(workdir, "run_0"), os.path.join(plot_dir, "run_0"))
        res = self.run_py([os.path.join(self.tdir, "plot.py")], cwd=plot_dir)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertTrue([f for f in os.listdir(plot_dir) if f.endswith(".png")], "no PNG written")

    # --- LaTeX ---------------------------------------------------------------------
    @unittest.skipUnless(shutil.which("pdflatex") and shutil.which("bibtex"), "no pdflatex/bibtex")
    def test_latex_compiles(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(self.tdir, "latex"), tmp, dirs_exist_ok=True)
            latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "template"]
            for cmd in (latex, ["bibtex", "template"], latex, latex):
                res = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=120)
                self.assertEqual(res.returncode, 0, f"{cmd[0]} failed:\n{res.stdout[-2000:]}")
            self.assertTrue(os.path.isfile(os.path.join(tmp, "template.pdf")))
            with open(os.path.join(tmp, "template.log"), errors="replace") as f:
                log = f.read()
            self.assertNotRegex(log, r"Citation .* undefined", "undefined citations")


# One TestCase class per template folder, e.g. TestGrokking.
for _name in template_names():
    _cls = type(f"Test_{_name}", (TemplateChecks, unittest.TestCase), {"name": _name})
    globals()[_cls.__name__] = _cls
del _name, _cls


if __name__ == "__main__":
    unittest.main()
