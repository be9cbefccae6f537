#!/usr/bin/python3
"""The provider zoo, whole runs: the LLM agent on the tiny template (real sandbox, smoke mode)
against the fake provider server acting as the providers' documentation describes, one run per
behaviour, both search modes among them:

  o3_tree              OpenAI reasoning model (refuses max_tokens / temperature / stop), hidden
                       reasoning tokens, slow streamed chunks, JSON unfenced or after prose
  local_linear_cut     an OpenAI-compatible model with a 700-token output limit: long replies are
                       cut (finish_reason "length") and finished by asking the model to go on
  anthropic_linear_cut Anthropic model with a 700-token limit: cut at max_tokens and finished by
                       a prefill; structured output as tool use
  anthropic_thinking_tree  Anthropic extended thinking (budget 2048) on tree search, streamed
  storm_linear         a 429 storm with Retry-After: 2 over the first 6 s of the run

Each run must end with exit 0, every idea done (none failed because of the provider), a sound
store, no request body answered twice (nothing paid twice), and for the cut runs, the cut
replies recorded as truncated while the joined reply is what the stage used (its edit applied).

usage: test_run_zoo.py PATH/TO/shoal
"""
import json
import os
import shutil
import subprocess
import time

from run_checks import check, check_finished_run, connect, run_id_of, run_test_script
from test_run_llm import TINY, Server, rules

# Models the built-in table does not know, declared the way a user declares a local server's
# model (llm_prices_file): small output limits so that long replies are cut.
MODEL_TABLE = {"models": {
    "openai:zoo-local": {"protocol": "openai", "context": 32000, "max_output": 700,
                         "params": ["temperature", "top_p", "stop"], "structured": "none",
                         "input": 0.1, "output": 0.2},
    "anthropic:zoo-small": {"protocol": "anthropic", "context": 200000, "max_output": 700,
                            "params": ["temperature", "top_p", "stop"], "structured": "tool",
                            "input": 1.0, "cached_input": 0.1, "cache_write": 1.25, "output": 5.0},
}}
RUN_ARGS = ["--budget", "5", "--smoke", "--ideas", "2", "--generate", "2", "--max-runs", "2", "--no-paper"]
THOUGHT = "THOUGHT:\n" + " ".join(f"Step {i}: weigh the start point against the step size once more." for i in range(60))


def json_forms(doc):
    """The same replies with their JSON as models also write it: bare after prose, unfenced."""
    out = []
    for r in doc["rules"]:
        r = dict(r)
        text = r.get("reply", "")
        if text.startswith("THOUGHT:") and "NEW IDEA JSON" in text:
            r["reply"] = text.replace("```json\n", "").replace("\n```", "")  # the idea JSON bare
        elif "\"Decision\"" in text:
            r["reply"] = "I checked the literature. " + text[text.index("{"):text.rindex("}") + 1]
        elif "\"plan\"" in text:
            head, _, tail = text.rpartition("```json\n")
            r["reply"] = head + "My plan, as JSON: " + tail.replace("\n```", "")
        out.append(r)
    return dict(doc, rules=out)


def long_replies(doc):
    """Every scripted answer opens with about 3,900 characters of reasoning (about 980 tokens),
    so a 700-token limit cuts it before the part the stage needs."""
    out = []
    for r in doc["rules"]:
        r = dict(r)
        if r.get("reply") and r["reply"] != "ALL_DONE":
            r["reply"] = THOUGHT + "\n\n" + r["reply"]
        out.append(r)
    return dict(doc, rules=out)


def with_fields(doc, **fields):
    return dict(doc, rules=[dict(r, **fields) for r in doc["rules"]])


def shoal(home, *args, key_env):
    cmd = [SHOAL, *args, "--home", home, "--set", f"llm_base_url={SRV.url}/v1", "--set", f"llm_prices_file={TABLE}",
           "--set", "literature_max_retries=0", "--set", "literature_s2_url=http://127.0.0.1:9",
           "--set", "literature_openalex_url=http://127.0.0.1:9", "--set", "literature_arxiv_url=http://127.0.0.1:9"]
    env = dict(os.environ, OPENAI_API_KEY="sk-test-openai", ANTHROPIC_API_KEY="sk-ant-test")
    env.pop({"openai": "ANTHROPIC_API_KEY", "anthropic": "OPENAI_API_KEY"}[key_env], None)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)


def zoo_run(name, tpl, model, doc, extra=(), cut=False):
    home = os.path.join(TMP, name)
    SRV.reset(doc)
    started = time.monotonic()
    r = shoal(home, "run", tpl, "--model", model, *RUN_ARGS, *extra, key_env=model.split(":")[0])
    took = time.monotonic() - started
    rid = run_id_of(r.stdout)
    check(f"{name}: run exits 0", r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:])
    db = os.path.join(home, "shoal.db")
    if not rid or not os.path.exists(db):
        check(f"{name}: a run was stored", False, r.stdout[-500:])
        return None, None, took
    problems = check_finished_run(db, rid)
    check(f"{name}: store is sound", not problems, "; ".join(problems))
    con = connect(db)
    states = sorted(s for (s,) in con.execute("SELECT status FROM ideas WHERE run_id = ?", (rid,)))
    check(f"{name}: both ideas done, none failed", states == ["done", "done"], str(states))
    stats = SRV.stats()
    twice = {h: t for h, t in stats["answered"].items() if len(t) > 1}
    check(f"{name}: no request answered twice (nothing paid twice)", not twice, f"{len(twice)} bodies: {list(twice.values())[:3]}")
    plans = [p for (p,) in con.execute("SELECT n.plan FROM nodes n JOIN ideas i ON i.id = n.idea_id "
                                        "WHERE i.run_id = ? AND n.status = 'done'", (rid,))]
    scripted = ("start closer", "draft: start at 2", "improve", "debug")  # the plans of the scripted edits
    check(f"{name}: the model's edits were applied and run", any(p in scripted for p in plans), str(plans))
    truncated = con.execute("SELECT count(*) FROM llm_calls WHERE run_id = ? AND truncated = 1", (rid,)).fetchone()[0]
    if cut:
        check(f"{name}: cut replies are recorded as truncated", truncated > 0, f"{truncated}")
        # Every stored reply the stages used was whole: an edit block or JSON cut in half would
        # have failed to apply or parse, so the ideas would not be done with their edits run.
        names = sorted(n for (n,) in con.execute("SELECT name FROM ideas WHERE run_id = ?", (rid,)))
        check(f"{name}: the ideas are the model's (joined replies parsed)", names == ["alpha_idea", "beta_idea"], str(names))
    return db, rid, took


def main():
    tpl = os.path.join(TMP, "tiny")
    shutil.copytree(TINY, tpl)
    tree = ["--search", "tree", "--max-nodes", "4", "--set", "seed_runs=2"]
    linear = ["--search", "linear"]

    zoo_run("o3_tree", tpl, "openai:o3", with_fields(json_forms(rules()), reasoning_tokens=1500, chunk_delay_ms=3), tree)
    zoo_run("local_linear_cut", tpl, "openai:zoo-local", long_replies(rules()), linear, cut=True)
    zoo_run("anthropic_linear_cut", tpl, "anthropic:zoo-small", long_replies(json_forms(rules())), linear, cut=True)
    zoo_run("anthropic_thinking_tree", tpl, "anthropic:claude-sonnet-4-5", with_fields(rules(), chunk_delay_ms=3),
            [*tree, "--set", "llm_thinking_budget=2048"])

    storm = dict(rules(), outage_s=6, outage_status=429, outage_retry_after="2")
    _, _, took = zoo_run("storm_linear", tpl, "openai:gpt-4o", storm, linear)
    stats = SRV.stats()
    # Calls wait for Retry-After (2 s) between tries: over 6 s each call in flight asks at most
    # about 4 times; 16 calls at once (llm_concurrency) bound it at 64.
    check("storm_linear: the run outlasted the storm", took >= 6, f"{took:.1f} s")
    check("storm_linear: Retry-After honoured (no hammering)", 0 < stats["faults"] <= 64, f"{stats['faults']} 429s")


def setup_and_run(shoal, tmp, _home):
    global SHOAL, TMP, TABLE, SRV
    SHOAL, TMP = shoal, tmp
    TABLE = os.path.join(TMP, "models.json")
    with open(TABLE, "w") as f:
        json.dump(MODEL_TABLE, f)
    import test_run_llm
    SRV = test_run_llm.SRV = Server()
    try:
        main()
    finally:
        SRV.proc.kill()


if __name__ == "__main__":
    run_test_script(setup_and_run)
