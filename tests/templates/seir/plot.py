"""Plots for the SEIR test template: the infected share over time, one line per run (infected.png)."""
import glob
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

labels = {"run_0": "Baseline"}
if os.path.isfile("labels.json"):
    with open("labels.json") as f:
        labels.update(json.load(f))
runs = sorted((d for d in glob.glob("run_*") if os.path.isfile(os.path.join(d, "final_info.json"))),
              key=lambda d: int(d[4:]) if d[4:].isdigit() else 10**9)
fig, ax = plt.subplots(figsize=(4, 3))
for run in runs:
    with open(os.path.join(run, "final_info.json")) as f:
        rows = json.load(f)["seir"]["solution"]
    ax.plot([row[2] for row in rows], label=labels.get(run, run))
ax.set_xlabel("day")
ax.set_ylabel("infected share")
ax.legend(fontsize=6)
fig.tight_layout()
fig.savefig("infected.png", dpi=80)
print(f"seir: plotted {len(runs)} runs")
