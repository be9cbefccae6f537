#!/usr/bin/python3
"""A full disk and a read-only store under a real offline run (real shoal binary, sandbox and
SQLite file), with the home on a small tmpfs in a private mount namespace:

  1. free space falls under min_free_disk_mb mid-run: the run pauses with a message that
     says so, no idea fails, the store is intact; after space is freed, shoal resume ends it;
  2. the disk fills up completely mid-run (the guard off): the run stops with a clear error,
     the store passes integrity_check; after space is freed, shoal resume ends it;
  3. the store's file system is read-only: shoal resume refuses with a clear error and
     changes nothing; made writable again, shoal resume ends the run.

Needs root (mount namespaces); runs itself again under `unshare --mount`.
usage: test_run_disk.py PATH/TO/shoal
"""
import contextlib
import gc
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

from run_checks import check, check_finished_run, connect, failures, run_id_of, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "..", "templates", "tiny")




def shoal(home, *args, background=False, guard_mb=16):
    # the homes are 64 MB: the free-space guard is set under that (the default is 200 MB)
    cmd = [SHOAL, *args, "--home", home, "--set", f"min_free_disk_mb={guard_mb}"]
    if background:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)






def experiment_running(db):
    if not os.path.exists(db):
        return False
    with contextlib.closing(connect(db)) as con:  # closed at once: an open -shm would keep the mount busy
        return con.execute("SELECT count(*) FROM nodes WHERE status = 'running' AND idea_id IS NOT NULL").fetchone()[0] > 0


def mount_home(name, size_mb):
    home = os.path.join(TMP, name)
    os.makedirs(home)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", home], check=True)
    return home


def fill(home, leave_bytes):
    """Writes a filler file so that about `leave_bytes` stay free; returns its path."""
    path = os.path.join(home, "filler")
    st = os.statvfs(home)
    size = max(0, st.f_bavail * st.f_frsize - leave_bytes)
    with open(path, "wb") as f:
        chunk = b"\0" * (1 << 20)
        try:
            while size > 0:
                size -= f.write(chunk[:min(len(chunk), size)])
        except OSError:  # full already
            pass
    return path


def integrity(db):
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute("PRAGMA integrity_check").fetchone()[0]


def idea_states(db, rid):
    return sorted(r[0] for r in connect(db).execute("SELECT status FROM ideas WHERE run_id = ?", (rid,)))


def remount(home, mode):
    """Remounts the tmpfs; retries while the killed run's sandbox processes still hold files."""
    gc.collect()  # closes any SQLite connection of this process still open on the store
    for _ in range(50):
        if subprocess.run(["mount", "-o", f"remount,{mode}", home], capture_output=True).returncode == 0:
            return True
        time.sleep(0.2)
    return False


def interrupted_run(name, tpl, guard_mb, leave_bytes):
    """Starts a run on a fresh tmpfs home, fills the disk during an experiment, waits for the
    run to stop; returns (home, db, run id, the stopped process's exit code and output)."""
    home = mount_home(name, 64)
    db = os.path.join(home, "shoal.db")
    p = shoal(home, "run", tpl, "--smoke", "--ideas", "2", "--parallel", "1", "--no-paper", background=True,
              guard_mb=guard_mb)
    check(f"{name}: an experiment starts", wait_for(lambda: experiment_running(db)), "")
    filler = fill(home, leave_bytes)
    try:
        out, _ = p.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        check(f"{name}: the run stops by itself", False, out)
    return home, db, run_id_of(out), p.returncode, out, filler


def resume_to_end(name, home, db, rid, guard_mb=16):
    r = shoal(home, "resume", rid, guard_mb=guard_mb)
    check(f"{name}: resume after freeing space exits 0", r.returncode == 0, r.stdout + r.stderr)
    problems = check_finished_run(db, rid)
    check(f"{name}: the resumed run is sound", not problems, "; ".join(problems))
    check(f"{name}: both ideas done", idea_states(db, rid) == ["done", "done"], str(idea_states(db, rid)))


def main():
    tpl = os.path.join(TMP, "slow")
    shutil.copytree(TINY, tpl)
    exp = os.path.join(tpl, "experiment.py")
    text = open(exp).read().replace("random.seed(0)", "import time\ntime.sleep(1.0)\nrandom.seed(0)")
    open(exp, "w").write(text)

    # 1. the guard: under 16 MB free, the run pauses before the next stage or experiment
    home, db, rid, rc, out, filler = interrupted_run("guard", tpl, 16, 8 << 20)
    check("guard: the run exits non-zero", rc != 0 and rid is not None, out)
    check("guard: the message names the free space, the setting and resume",
          "min_free_disk_mb" in out and "shoal resume " + str(rid) in out, out)
    check("guard: the store is intact", integrity(db) == "ok", integrity(db))
    run = connect(db).execute("SELECT status FROM runs WHERE id = ?", (rid,)).fetchone()
    check("guard: the run is paused", run is not None and run[0] == "paused", str(run and tuple(run)))
    check("guard: no idea failed", "failed" not in idea_states(db, rid), str(idea_states(db, rid)))
    r = shoal(home, "resume", rid)
    check("guard: resume while the disk is still full pauses again", r.returncode != 0 and "min_free_disk_mb" in
          r.stdout + r.stderr, r.stdout + r.stderr)
    os.unlink(filler)
    resume_to_end("guard", home, db, rid)

    # 2. a disk filled to the last byte with the guard off: a clear error, an intact store
    home, db, rid, rc, out, filler = interrupted_run("full", tpl, 0, 0)
    check("full: the run exits non-zero", rc != 0 and rid is not None, out)
    check("full: the error says the disk is full",
          any(s in out for s in ("disk is full", "No space left", "database or disk is full")), out)
    check("full: the store is intact", integrity(db) == "ok", integrity(db))
    os.unlink(filler)
    r = shoal(home, "resume", rid, guard_mb=0)
    check("full: resume after freeing space exits 0", r.returncode == 0, r.stdout + r.stderr)
    problems = check_finished_run(db, rid)
    check("full: the resumed run is sound", not problems, "; ".join(problems))

    # 3. a read-only store: refused with a clear error, nothing changed; writable again, resumed
    home = mount_home("readonly", 64)
    db = os.path.join(home, "shoal.db")
    p = shoal(home, "run", tpl, "--smoke", "--ideas", "2", "--parallel", "1", "--no-paper", background=True)
    check("readonly: an experiment starts", wait_for(lambda: experiment_running(db)), "")
    p.send_signal(signal.SIGKILL)
    out, _ = p.communicate()
    rid = run_id_of(out)
    before = open(db, "rb").read()
    check("readonly: the file system becomes read-only", remount(home, "ro"), "mount stays busy")
    r = shoal(home, "resume", rid)
    said = r.stdout + r.stderr
    check("readonly: resume exits non-zero", r.returncode != 0, said)
    check("readonly: the error says the store cannot be written",
          any(s in said for s in ("read-only", "readonly", "cannot be written")), said)
    check("readonly: the file system becomes writable", remount(home, "rw"), "")
    check("readonly: the store file is unchanged", open(db, "rb").read() == before, "")
    resume_to_end("readonly", home, db, rid)


if __name__ == "__main__":
    if os.environ.get("SHOAL_DISK_TEST_NS") != "1":
        if os.geteuid() != 0:
            sys.exit("test_run_disk.py needs root (it mounts a small tmpfs in a private mount namespace)")
        env = dict(os.environ, SHOAL_DISK_TEST_NS="1")
        os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private", sys.executable,
                               os.path.abspath(__file__), *sys.argv[1:]], env)
    SHOAL = os.path.abspath(sys.argv[1])
    TMP = tempfile.mkdtemp(prefix="shoal-disk-")
    os.chmod(TMP, 0o755)
    try:
        main()
    finally:
        for name in ("guard", "full", "readonly"):
            subprocess.run(["umount", os.path.join(TMP, name)], capture_output=True)
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)
