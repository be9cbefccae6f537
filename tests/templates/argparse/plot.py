"""Plots for the tiny test template: final loss per run, one bar each (loss.png)."""
import glob, json, os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

labels = {"run_0": "Baseline"}
if os.path.isfile("labels.json"):
    with open("labels.json") as f:
        labels.update(json.load(f))

runs = sorted((d for d in glob.glob("run_*") if os.path.isfile(os.path.join(d, "final_info.json"))),
              key=lambda d: int(d[4:]) if d[4:].isdigit() else 10**9)
losses = []
for run in runs:
    with open(os.path.join(run, "final_info.json")) as f:
        losses.append(json.load(f)["fit"]["means"]["loss"])
fig, ax = plt.subplots(figsize=(4, 3))
ax.bar([labels.get(r, r) for r in runs], losses)
ax.set_ylabel("final loss")
fig.tight_layout()
fig.savefig("loss.png", dpi=80)
print(f"tiny: plotted {len(runs)} runs")
