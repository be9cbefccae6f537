#!/usr/bin/python3
"""A home anywhere (issue 19): as root, `shoal run` with the home and the template inside a
fresh mode-700 folder (like /root, or any mktemp -d) completes, its experiments and LaTeX
paper run in the sandbox as an unprivileged user, and the folder's mode is left as it was.

usage: test_run_private_home.py PATH/TO/shoal
"""
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile

from run_checks import check, failures

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "..", "templates", "tiny")


def main(shoal):
    private = tempfile.mkdtemp(prefix="shoal-private-")  # mode 0700
    try:
        before = stat.S_IMODE(os.stat(private).st_mode)
        check("the folder starts closed to others", before == 0o700, oct(before))
        home = os.path.join(private, "home")
        tpl = shutil.copytree(TINY, os.path.join(private, "tiny"))
        r = subprocess.run([shoal, "run", tpl, "--smoke", "--ideas", "1", "--home", home],
                           capture_output=True, text=True, timeout=240)
        out = r.stdout + r.stderr
        check("the run exits 0", r.returncode == 0, out)
        check("no advice to open a folder to others", "chmod" not in out, out)
        con = sqlite3.connect(os.path.join(home, "shoal.db"))
        runs = [x[0] for x in con.execute("SELECT status FROM runs")]
        ideas = [x[0] for x in con.execute("SELECT status FROM ideas")]
        papers = [x[0] for x in con.execute("SELECT status FROM papers")]
        check("the run is done with its one idea done (the rest skipped)",
              runs == ["done"] and sorted(ideas) == ["done", "skipped"], f"{runs} {ideas}\n{out}")
        check("its paper compiled", papers == ["compiled"], str(papers))
        after = stat.S_IMODE(os.stat(private).st_mode)
        check("the folder's mode is unchanged", after == before, oct(after))
    finally:
        shutil.rmtree(private, ignore_errors=True)


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("skipped: needs root (only root hands jobs to another user)")
        sys.exit(77)
    main(os.path.abspath(sys.argv[1]))
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)
