"""A model for whole-run tests, played by a Python function (shoal.PythonModel): it answers
each of Shoal's stage prompts the way a careful instruction-following model would, in the
reply format the prompt asks for, and writes only what the prompt shows it. It knows the
tiny test template's code (one edit that starts the fit closer), nothing else.

CarefulModel(...) is the callable; .asked counts the prompts by kind, so a test can see
what the run asked for (drafts, seed runs, reviews, ...)."""
import collections
import json
import re

EDIT = ("experiment.py\n```python\n<<<<<<< SEARCH\na, w = 3.0, 0.0\n=======\na, w = 3.0, {w}\n"
        ">>>>>>> REPLACE\n```\n")


def fenced_json(obj, after=""):
    return "```json\n" + json.dumps(obj, indent=2) + "\n```\n" + after


def last_block(text, lang):
    """The body of the last ```lang fenced block of `text` ("" when none)."""
    blocks = re.findall(r"```" + lang + r"\n(.*?)```", text, re.S)
    return blocks[-1] if blocks else ""


class CarefulModel:
    def __init__(self, idea_names=("closer_start",)):
        self.idea_names = list(idea_names)
        self.asked = collections.Counter()

    def idea(self, name):
        body = {"Name": name, "Title": "Starting the fit at " + name.replace("_", " "),
                "Hypothesis": "A start closer to the answer lowers the final loss.",
                "Experiment": "Change the starting weight in experiment.py and compare the loss with the baseline.",
                "Interestingness": 6, "Feasibility": 9, "Novelty": 5}
        return "THOUGHT:\nA small, testable change.\n\nNEW IDEA JSON:\n" + fenced_json(body)

    def coder(self, w, plan):
        return self.coder_from("0.0", w, plan)

    def coder_from(self, old, new, plan):
        """An edit of the starting weight from `old` (as the code shown has it) to `new`."""
        edit = EDIT.replace("a, w = 3.0, 0.0", "a, w = 3.0, " + old).format(w=new)
        return "The change, then the plan.\n\n" + edit + "\n" + fenced_json(
            {"plan": plan, "args": [], "notes": "Tried " + plan + "."})

    def review_form(self):
        return {"Summary": "The paper changes the starting weight of a small fit.", "Strengths": ["real runs"],
                "Weaknesses": ["one template"], "Originality": 2, "Quality": 3, "Clarity": 3, "Significance": 2,
                "Questions": ["how many seeds?"], "Limitations": ["small scale"], "Ethical Concerns": False,
                "Soundness": 3, "Presentation": 3, "Contribution": 2, "Overall": 5, "Confidence": 4,
                "Decision": "Reject"}

    def __call__(self, messages, **params):
        kind, reply = self.answer(messages)
        self.asked[kind] += 1
        return reply

    def answer(self, messages):
        last = messages[-1]["content"]
        system = messages[0]["content"] if messages[0]["role"] == "system" else ""
        if "Propose the next research idea" in last:
            taken = [n for n in self.idea_names if "- " + n + ":" in last]
            free = [n for n in self.idea_names if n not in taken] or [self.idea_names[-1] + "_again"]
            return "idea", self.idea(free[0])
        if "Look again at the idea you just wrote" in last:  # a reflection round: keep the idea
            earlier = last_block(messages[-2]["content"], "json") if len(messages) >= 2 else ""
            return "idea_reflection", "Nothing to improve.\n" + fenced_json(json.loads(earlier or "{}"), "I am done\n")
        if "deciding whether a research idea is novel" in system:
            return "novelty", fenced_json({"Decision": "novel", "Query": "", "Reasons": "No paper found does this.",
                                           "Papers": []})
        # The step names its kind; the versions listed before it may name drafts too.
        if "(the new one is node" in last:
            return "tree_improve", self.coder_from("2.0", "2.9", "improve: start at 2.9")
        if "(the fixed version is node" in last:
            return "tree_debug", self.coder("2.5", "debug: start at 2.5")
        if "(draft" in last:
            return "tree_draft", self.coder("2.0", "draft: start at 2")
        if re.search(r"run 1 of at most \d+, attempt 1", last):
            return "linear", self.coder("1.0", "start closer")
        if re.search(r"run \d+ of at most \d+", last):
            return "linear_done", "ALL_DONE"
        if "plot.py wrote these figures" in last:
            names = re.findall(r"([\w.-]+\.png)", last)
            return "captions", fenced_json({"captions": {n: "Final loss of each run." for n in names},
                                            "notes": {n: "ok" for n in names}})
        if "TASK: citation search query" in last:
            return "cite_query", fenced_json({"query": "", "done": True})
        if "TASK: choose citations" in last:
            return "cite_select", fenced_json({"selected": [], "reason": "none fits"})
        if "TASK: draft section" in last:
            section = re.search(r'TASK: draft section (.*?)\.\n', last).group(1)
            return "section", "```latex\nThis section (" + section + ") describes the runs as measured.\n```\n"
        if "TASK: refine section" in last:
            return "refine", "It reads well.\n```latex\n" + last_block(last, "latex") + "```\n"
        if "TASK: write title and abstract" in last:
            return "title", ("```latex title\nWhere the fit starts\n```\n"
                             "```latex abstract\nWe change where a small fit starts and measure the loss.\n```\n")
        if "TASK: final pass" in last:
            return "final_pass", "The paper reads well; no section needs a change."
        if "TASK: fix LaTeX" in last or "TASK: fix unverified numbers" in last:
            return "fix", "```latex\n" + last_block(last, "latex") + "```\n"
        if "TASK: review paper" in last:
            return "review", fenced_json(self.review_form())
        if "TASK: reflect on review" in last:
            return "review_reflection", fenced_json(self.review_form(), "I am done\n")
        if "TASK: meta-review" in last:
            return "meta_review", fenced_json(self.review_form())
        return "other", "ALL_DONE"
