#!/usr/bin/python3
"""Faults: the whole LLM run of crash_resume.py with the fake LLM server failing 30% of its
requests at random (seeded; 429, 500 and 529 statuses, connection resets, truncated and
malformed bodies) and the literature server answering Semantic Scholar with 429s and OpenAlex
with 500s before it answers. The run must end exactly as the fault-free run does (the same
scripted replies: ideas' final states, best metrics, novelty verdicts, the set of stages done,
the same LLM calls recorded once each), within the retry limits: every fault cost one extra
request, and no call was given up.

usage: faults_run.py PATH/TO/shoal [--rate R] [--seed S]
"""

import overnight
from overnight import run_checks

LLM_FAULTS = [{"fault": "status", "status": 429, "retry_after": 0}, {"fault": "status", "status": 500},
              {"fault": "status", "status": 529, "retry_after": 0}, {"fault": "reset"}, {"fault": "truncate"},
              {"fault": "malformed"}]
# Semantic Scholar is rate-limited throughout (its retries run out, OpenAlex is asked next);
# OpenAlex fails twice with a 500 before it answers.
LITERATURE_FAULTS = [{"engine": "semantic_scholar", "status": 429, "retry_after": "0"},
                     {"engine": "openalex", "status": 500, "times": 2}]
MAX_RETRIES = 8  # llm_max_retries: a call fails only after 9 faults in a row (0.3^9 = 2e-5)


def call_counts(db, rid):
    """(recorded calls by stage and status, calls given up)."""
    con = run_checks.connect(db)
    rows = con.execute("SELECT stage, status, count(*) AS n FROM llm_calls WHERE run_id = ? GROUP BY stage, status",
                       (rid,)).fetchall()
    return {(r["stage"], r["status"]): r["n"] for r in rows}


def main():
    args = overnight.parse_args(rate=0.3, seed=4)
    check = overnight.check
    h = overnight.Harness(args.shoal)
    try:
        ref_db, ref_rid, ref_s, ref_stats = h.reference(check, "fault_free")
        home = h.tmp + "/faults"
        db = home + "/shoal.db"
        h.llm.reset(overnight.rules_doc(fault_rate={"rate": args.rate, "seed": args.seed, "faults": LLM_FAULTS}))
        h.lit.reset(LITERATURE_FAULTS)
        r = h.run(home, "run", h.template, *overnight.RUN_ARGS, "--budget", "5",
                  settings=[f"llm_max_retries={MAX_RETRIES}", "literature_max_retries=2"])
        rid = run_checks.run_id_of(r.stdout)
        check("faulty run exits 0", r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:])
        problems = run_checks.check_finished_run(db, rid) if rid else ["no run id"]
        check("store is sound", not problems, "; ".join(problems))

        stats, lit = h.llm.stats(), h.lit.stats()
        print(f"fault-free: {ref_stats['requests']} LLM requests in {ref_s:.1f} s; with faults: {stats['requests']} "
              f"requests, {stats['faults']} faults {stats['random_faults']}; literature {lit}", flush=True)
        share = stats["faults"] / max(1, stats["requests"])
        check("about 30% of the LLM requests failed", abs(share - args.rate) < 0.15, f"{share:.2f}")
        check("every LLM fault kind was injected", len(stats["random_faults"]) == len(LLM_FAULTS),
              stats["random_faults"])
        check("every fault cost exactly one extra request",
              stats["requests"] == ref_stats["requests"] + stats["faults"],
              f"{stats['requests']} requests, {stats['faults']} faults, fault-free {ref_stats['requests']}")
        check("the literature faults were met", lit["faults_by_engine"].get("semantic_scholar", 0) >= 3
              and lit["faults_by_engine"].get("openalex", 0) == 2, lit)

        want, got = overnight.outcome(ref_db, ref_rid), overnight.outcome(db, rid)
        check("same outcome as the fault-free run", want == got, f"want {want}, got {got}")
        want, got = call_counts(ref_db, ref_rid), call_counts(db, rid)
        check("the same LLM calls recorded, none given up", want == got, f"want {want}, got {got}")
        check("no completed LLM call recorded twice", not overnight.repeated_ok_calls(db),
              overnight.repeated_ok_calls(db))
        want, got = overnight.artifact_counts(ref_db), overnight.artifact_counts(db)
        check("the same artifacts as the fault-free run", want == got,
              f"missing {dict(want - got)}, extra {dict(got - want)}")
    finally:
        h.close()
    overnight.finish()


if __name__ == "__main__":
    main()
