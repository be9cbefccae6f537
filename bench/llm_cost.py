#!/usr/bin/python3
"""What one idea costs in LLM tokens and dollars, per protocol, and how much of the input the
providers' prompt caches serve.

One scripted idea goes through every LLM stage of a run (ideas with a reflection, novelty,
linear search with 3 runs, plots with the figure review, the write-up with its sections and
final pass, and the review with reflection and a meta-review),
against the fake provider server over real HTTP (tests/fake_llm/server.py), on the grokking
template in smoke mode (its real code and task, so the prompts have a real size; the model's
runs choose flags, no code edits). The server
follows the providers' caches as documented: OpenAI caches a request's prefix already seen
(1,024 tokens or more) by itself; Anthropic caches up to each cache_control mark Shoal sets
(the system prompt and a request's stable prefix). The prices are the list prices of the
built-in model table (llm/prices.json).

usage: llm_cost.py PATH/TO/shoal [--protocol openai|anthropic|both]
Prints, per protocol: input tokens, output tokens, the share of input tokens served from the
provider's cache, and the dollar cost at list price with and without caching.
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
GROKKING = os.path.join(HERE, "..", "templates", "grokking")
SERVER = os.path.join(HERE, "..", "tests", "fake_llm", "server.py")
PRICES = os.path.join(HERE, "..", "llm", "prices.json")
MODELS = {"openai": "openai:gpt-4o", "anthropic": "anthropic:claude-sonnet-4-5"}

FORM = {"Summary": "The paper varies weight decay in a grokking task.", "Strengths": ["real runs"],
        "Weaknesses": ["one template"], "Originality": 2, "Quality": 3, "Clarity": 3, "Significance": 2,
        "Questions": ["how many seeds?"], "Limitations": ["small scale"], "Ethical Concerns": False,
        "Soundness": 3, "Presentation": 3, "Contribution": 2, "Overall": 5, "Confidence": 4, "Decision": "Reject"}
IDEA = {"Name": "decay_sweep", "Title": "How weight decay moves the grokking point",
        "Hypothesis": "More weight decay reaches 99% validation accuracy sooner.", "Experiment": "Run with other weight decays.",
        "Interestingness": 6, "Feasibility": 9, "Novelty": 5}


def fenced(lang, body):
    return "```" + lang + "\n" + body + "\n```\n"


def coder(weight_decay, plan):
    """A run that only chooses a flag (no edit blocks)."""
    return "This run changes a flag only.\n\n" + fenced("json", json.dumps(
        {"plan": plan, "args": ["--weight_decay", weight_decay], "notes": plan}))


def rules():
    """The answers of a careful model to each of Shoal's prompts, first match first."""
    r = [
        ("TASK: review paper", fenced("json", json.dumps(FORM))),
        ("TASK: reflect on review", fenced("json", json.dumps(FORM)) + "I am done\n"),
        ("TASK: meta-review", fenced("json", json.dumps(FORM))),
        ("TASK: final pass", "NO CHANGES"),
        ("TASK: write title and abstract", fenced("latex title", "Weight Decay and Grokking") +
         fenced("latex abstract", "We vary weight decay and compare when validation accuracy reaches its target.")),
        ("TASK: citation search query", fenced("json", json.dumps({"query": "", "done": True}))),
        ("TASK: refine section", fenced("latex", "This section reports the runs as they were measured.")),
        ("TASK: draft section", fenced("latex", "This section reports the runs.")),
        ("plot.py wrote these figures", fenced("json", json.dumps({"captions": {}, "notes": {}}))),
        ("run 1 of at most 3, attempt 1", coder("0.3", "weight decay 0.3")),
        ("run 2 of at most 3", coder("0.1", "weight decay 0.1")),
        ("run 3 of at most 3", coder("2.0", "weight decay 2.0")),
        ("The idea to check", "THOUGHT:\nNothing like it.\n\nRESPONSE:\n" + fenced("json", json.dumps(
            {"Decision": "novel", "Query": "", "Reasons": "no paper does this", "Papers": []}))),
        ("Look again at the idea you just wrote", "NEW IDEA JSON:\n" + fenced("json", json.dumps(IDEA)) + "I am done\n"),
        ("Propose the next research idea", "THOUGHT:\nA small change.\n\nNEW IDEA JSON:\n" + fenced("json", json.dumps(IDEA))),
    ]
    return {"rules": [{"match": m, "reply": reply} for m, reply in r], "default_reply": "ALL_DONE"}


def list_price(prices, model, tokens_in, tokens_out):
    p = prices["models"][model]
    return (tokens_in * p["input"] + tokens_out * p["output"]) / 1e6


def measure(shoal, protocol, tmp):
    server = subprocess.Popen(["/usr/bin/python3", SERVER, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        url = "http://127.0.0.1:" + server.stdout.readline().strip()
        req = urllib.request.Request(url + "/_rules", data=json.dumps(rules()).encode(), method="POST")
        urllib.request.urlopen(req).read()
        home = os.path.join(tmp, protocol)
        base = url + ("/v1" if protocol == "openai" else "")
        env = dict(os.environ, OPENAI_API_KEY="sk-test-openai", ANTHROPIC_API_KEY="sk-ant-test")
        cmd = [shoal, "run", os.path.join(tmp, "grokking"), "--home", home, "--model", MODELS[protocol], "--budget", "5",
               "--smoke", "--ideas", "1", "--generate", "1", "--max-runs", "3", "--search", "linear",
               "--set", "reflections=1", "--set", "llm_base_url=" + base, "--set", "literature_max_retries=0",
               "--set", "literature_s2_url=http://127.0.0.1:9", "--set", "literature_openalex_url=http://127.0.0.1:9",
               "--set", "literature_arxiv_url=http://127.0.0.1:9", "--set", "paper_citation_rounds=1",
               "--set", "review_ensemble=2"]
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        if r.returncode != 0:
            sys.exit(f"llm_cost: the {protocol} run failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    finally:
        server.kill()
    con = sqlite3.connect(os.path.join(home, "shoal.db"))
    calls, t_in, t_out, t_cached, cost = con.execute(
        "SELECT count(*), sum(tokens_in), sum(tokens_out), sum(tokens_cached), sum(cost_usd) FROM llm_calls "
        "WHERE status = 'ok'").fetchone()
    stages = con.execute("SELECT stage, count(*), sum(tokens_in) FROM llm_calls WHERE status = 'ok' GROUP BY stage "
                         "ORDER BY sum(tokens_in) DESC").fetchall()
    with open(PRICES) as f:
        prices = json.load(f)
    return {"calls": calls, "tokens_in": t_in, "tokens_out": t_out, "tokens_cached": t_cached,
            "cached_share": t_cached / t_in if t_in else 0, "cost_usd": cost,
            "cost_without_cache_usd": list_price(prices, MODELS[protocol], t_in, t_out),
            "by_stage": [{"stage": s, "calls": n, "tokens_in": t} for s, n, t in stages]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shoal")
    ap.add_argument("--protocol", default="both", choices=["openai", "anthropic", "both"])
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="shoal-llm-cost-")
    os.chmod(tmp, 0o755)
    shutil.copytree(GROKKING, os.path.join(tmp, "grokking"))
    try:
        for protocol in (["openai", "anthropic"] if a.protocol == "both" else [a.protocol]):
            m = measure(os.path.abspath(a.shoal), protocol, tmp)
            print(f"{protocol} ({MODELS[protocol]}): {m['calls']} calls, {m['tokens_in']} input tokens, "
                  f"{m['tokens_out']} output tokens; {100 * m['cached_share']:.1f}% of input served from the "
                  f"provider's cache; ${m['cost_usd']:.4f} at list price with caching, "
                  f"${m['cost_without_cache_usd']:.4f} without")
            for s in m["by_stage"]:
                print(f"  {s['stage']:<12} {s['calls']:>3} calls {s['tokens_in']:>7} input tokens")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
