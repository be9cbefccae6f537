#!/usr/bin/python3
"""Budget: the whole LLM run of crash_resume.py with a budget of 40% of what the run costs.
The run must stop starting LLM calls once the budget is reached, finish or park what was in
flight (no stage or experiment left running), pause and say how far it got (its summary and
`shoal status`), overshoot the budget by no more than the calls that were in flight; then
`shoal resume RUN --budget X` must raise the budget and carry the run to the same end as an
unlimited run, paying for no call twice.

usage: budget_run.py PATH/TO/shoal [--share S]
"""
import json

import overnight
from overnight import run_checks

PAUSED_EXIT = 8  # README: a run that pauses (budget, stop) exits as "cancelled"
# Each answer takes 100 ms and counts 20000 input tokens ($0.05 at gpt-4o's prices), so calls
# cost more than the worst case reserved before each (its prompt and 4096 output tokens) and
# the budget is reached by spending, not only by reservations.
ANSWERS = {"delay_ms": 100, "usage": {"input": 20000, "output": 300}}


def calls(db, rid):
    """The run's recorded calls in the order they ended: (start ms, end ms, cost, status)."""
    return [(r["created_ms"] - r["latency_ms"], r["created_ms"], r["cost_usd"], r["status"])
            for r in run_checks.connect(db).execute(
                "SELECT created_ms, latency_ms, cost_usd, status FROM llm_calls WHERE run_id = ? ORDER BY created_ms, id",
                (rid,))]


def started_after_budget(rows, budget):
    """Calls that started after the recorded spend had reached the budget."""
    spent, reached_at = 0.0, None
    for _, end, cost, _ in rows:
        spent += cost
        if spent >= budget:
            reached_at = end
            break
    return [] if reached_at is None else [r for r in rows if r[0] > reached_at]


def main():
    args = overnight.parse_args(share=0.4)  # the budget as a share of the run's cost
    check = overnight.check
    h = overnight.Harness(args.shoal)
    try:
        ref_db, ref_rid, _, _ = h.reference(check, "unlimited", **ANSWERS)
        full_cost = sum(c[2] for c in calls(ref_db, ref_rid))
        budget = round(full_cost * args.share, 6)
        print(f"the whole run costs ${full_cost:.6f}; budget ${budget:.6f}", flush=True)

        home = h.tmp + "/budget"
        db = home + "/shoal.db"
        h.llm.reset(overnight.rules_doc(**ANSWERS))
        r = h.run(home, "run", h.template, *overnight.RUN_ARGS, "--budget", str(budget))
        rid = run_checks.run_id_of(r.stdout)
        check("the run pauses at the budget (exit 8)", r.returncode == PAUSED_EXIT and rid is not None,
              f"exit {r.returncode}: {r.stdout[-2000:]}{r.stderr[-2000:]}")
        check("its summary says it paused and how to go on", "paused" in r.stdout + r.stderr
              and f"shoal resume {rid}" in r.stdout + r.stderr, r.stdout[-1500:] + r.stderr[-1500:])
        status = json.loads(h.run(home, "status", rid, "--json").stdout)
        text = h.run(home, "status", rid).stdout
        print(text, flush=True)
        check("shoal status: paused, with the budget named", status["status"] == "paused" and "budget" in status["error"],
              status["error"])
        shown = f"{budget:.4f}"  # status prints dollars to 4 places, trailing zeros cut down to cents
        while shown[-1] == "0" and shown[-3] != ".":
            shown = shown[:-1]
        check("shoal status: how far it got (spend, each idea's stage)", f"of ${shown}\n" in text
              and all(i["name"] in text and i["stage"] for i in status["ideas"]), text)
        check("the run got somewhere before the budget", any(s["status"] == "done" for s in status["stages"]),
              status["stages"])
        problems = [p for p in run_checks.check_finished_run(db, rid, want_status="paused")
                    if not p.endswith("not final")]
        check("nothing left running; the store is sound", not problems, "; ".join(problems))

        rows = calls(db, rid)
        spent = sum(c[2] for c in rows)
        in_flight = h.llm.stats()["max_in_flight"]
        allowance = sum(sorted((c[2] for c in calls(ref_db, ref_rid)), reverse=True)[:in_flight])
        print(f"paused at ${spent:.6f} of ${budget:.6f} after {len(rows)} calls; at most {in_flight} in flight, "
              f"the {in_flight} dearest calls cost ${allowance:.6f}", flush=True)
        check("overshoot no more than the calls in flight", spent <= budget + allowance + 1e-9,
              f"spent {spent}, budget {budget}, allowance {allowance}")
        late = started_after_budget(rows, budget)
        check("no LLM call started after the budget was reached", not late, late)

        r = h.run(home, "resume", rid, "--budget", "5")
        check("shoal resume --budget 5 carries the run to the end", r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:])
        problems = run_checks.check_finished_run(db, rid)
        check("store is sound at the end", not problems, "; ".join(problems))
        run = run_checks.connect(db).execute("SELECT budget_usd FROM runs WHERE id = ?", (rid,)).fetchone()
        check("the raised budget is stored", run["budget_usd"] == 5, run["budget_usd"])
        want, got = overnight.outcome(ref_db, ref_rid), overnight.outcome(db, rid)
        check("same outcome as the unlimited run", want == got, f"want {want}, got {got}")
        # a stage cut by the budget is run again on resume and its calls already paid come from
        # the response cache (status 'cached', cost 0), so the total never passes the unlimited run's
        # A reply the stage rejected (bad JSON) is asked anew by design when its stage runs again:
        # the later asks of such a request are not "paid twice" (crash_resume.py counts alike).
        paid = run_checks.connect(db).execute(
            "SELECT coalesce(sum(cost_usd), 0) FROM llm_calls c WHERE run_id = ? AND NOT EXISTS ("
            "SELECT 1 FROM llm_calls e WHERE e.run_id = c.run_id AND e.request_hash = c.request_hash "
            "AND coalesce(e.rejected, '') <> '' AND e.id < c.id)", (rid,)).fetchone()[0]
        check("no call paid twice: in all no more than the unlimited run", paid <= full_cost + 1e-9,
              f"{paid} vs {full_cost}")
        check("no completed LLM call recorded twice", not overnight.repeated_ok_calls(db),
              overnight.repeated_ok_calls(db))
    finally:
        h.close()
    overnight.finish()


if __name__ == "__main__":
    main()
