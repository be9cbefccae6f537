#!/usr/bin/python3
"""`shoal doctor` on this machine: passes for templates/grokking offline and for a model that
answers (the fake LLM server), and fails with a clear message and its exit code for a model
whose base URL does not answer, a missing key, a template that imports missing packages, and a
Slurm controller that cannot be reached.

usage: test_doctor.py PATH/TO/shoal
"""
import os
import re
import shutil
import subprocess
import sys

import overnight

SOURCE = os.path.abspath(os.path.join(overnight.HERE, "..", ".."))
SLURM_CONF = "ClusterName=doctor\nSlurmctldHost=localhost\nSlurmctldPort=9\nNodeName=localhost\nPartitionName=debug Nodes=localhost\n"


def doctor(h, *args, env=None):
    """(exit code, output) of `shoal doctor ARGS` with the home in the temp folder."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("SHOAL_HOME", "SHOAL_CONFIG", "SHOAL_MODEL", "SLURM_CONF", "OPENAI_API_KEY")}
    r = subprocess.run([h.shoal_bin, "doctor", "--home", os.path.join(h.tmp, "home"), *args], capture_output=True,
                       text=True, timeout=120, env=dict(clean, **(env or {})))
    return r.returncode, r.stdout + r.stderr


def expect(check, name, result, want_rc, *patterns, absent=()):
    """Checks the exit code, that each pattern matches a line, and that no `absent` pattern does."""
    rc, out = result
    missing = [p for p in patterns if not re.search(p, out, re.M)]
    present = [p for p in absent if re.search(p, out, re.M)]
    check(name, rc == want_rc and not missing and not present,
          f"exit {rc} (want {want_rc}); no line {missing}; unwanted {present}; output:\n{out}")


def main():
    check = overnight.check
    h = overnight.Harness(sys.argv[1])
    key = {"OPENAI_API_KEY": "sk-test-openai"}
    try:
        expect(check, "grokking offline passes", doctor(h, "--template", os.path.join(SOURCE, "templates", "grokking"),
                                                        "--model", "offline"), 0,
               r"^ok   sandbox: bwrap runs", r"^ok   tex: pdflatex compiles",
               r"^ok   packages \(grokking\): .*imports .*numpy.*torch", r"^skip model: offline",
               r"^ok   disk: \d+ MB free", r"^skip slurm: local executor", absent=[r"^FAIL"])

        h.llm.reset({"rules": [{"reply": "OK"}]})
        expect(check, "a model that answers", doctor(h, "--model", "openai:gpt-4o", "--llm-base-url", h.llm.url + "/v1",
                                                     env=key), 0,
               r"^ok   model: openai:gpt-4o at .* answered in \d+ ms")
        check("one request reached the server", h.llm.stats()["requests"] == 1, h.llm.stats()["requests"])

        expect(check, "a base URL that does not answer: FAIL, exit 10",
               doctor(h, "--model", "openai:gpt-4o", "--llm-base-url", "http://127.0.0.1:9/v1", env=key), 10,
               r"^FAIL model: openai:gpt-4o at http://127\.0\.0\.1:9/v1 did not answer: .*check llm_base_url",
               absent=[r"^FAIL (sandbox|tex|disk)"])
        expect(check, "no API key: FAIL, exit 3", doctor(h, "--model", "openai:gpt-4o"), 3,
               r"^FAIL model: OPENAI_API_KEY is not set")

        needs = os.path.join(h.tmp, "needs_pkg")
        shutil.copytree(overnight.TINY, needs)
        path = os.path.join(needs, "experiment.py")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("import argparse", "import shoal_no_such_package\nfrom shoal_other_missing.sub "
                                 "import thing\nimport argparse", 1))
        expect(check, "a template importing missing packages: FAIL naming them, exit 3",
               doctor(h, "--template", needs), 3,
               r"^FAIL packages \(tiny\): /usr/bin/python3 cannot import shoal_no_such_package \(ModuleNotFoundError"
               r".*shoal_other_missing .*apt-get install", absent=[r"(argparse|json|random) \(ModuleNotFound"])

        conf = os.path.join(h.tmp, "slurm.conf")
        with open(conf, "w") as f:
            f.write(SLURM_CONF)
        expect(check, "Slurm controller unreachable: FAIL, exit 10",
               doctor(h, "--executor", "slurm", env={"SLURM_CONF": conf}), 10,
               r"^FAIL slurm: slurmctld does not answer: .*scripts/slurm-local start")
        expect(check, "SLURM_CONF missing: FAIL, exit 4",
               doctor(h, "--executor", "slurm", env={"SLURM_CONF": conf + ".gone"}), 4,
               r"^FAIL slurm: SLURM_CONF names .*slurm\.conf\.gone, which does not exist")
        expect(check, "bad --executor", doctor(h, "--executor", "cloud"), 3, r"--executor must be local or slurm")
        expect(check, "no such template", doctor(h, "--template", os.path.join(h.tmp, "nowhere")), 4,
               r"no template folder")
    finally:
        h.close()
    overnight.finish()


if __name__ == "__main__":
    main()
