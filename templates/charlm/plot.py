"""Plots for the charlm template.

Reads every run_* folder in the current directory (run_0 is the baseline) and
writes PNGs in the current directory:
    val_bpc.png     validation bits/char vs step, one line per run
    train_bpc.png   training bits/char vs step
    final_bpc.png   final train and validation bits/char per run (stderr bars)
Curves are seed means with a +-1 standard-error band.
"""

import glob
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# Edit to give runs readable names; runs missing here use their folder name.
labels = {
    "run_0": "Baseline",
}
# Shoal's plot stage writes labels.json next to the run folders; its names win.
if os.path.isfile("labels.json"):
    with open("labels.json") as f:
        labels.update(json.load(f))


def run_dirs():
    """run_* folders holding results, sorted numerically (run_2 before run_10)."""
    dirs = [d for d in glob.glob("run_*") if os.path.isfile(os.path.join(d, "final_info.json"))]
    key = lambda d: (int(d[4:]) if d[4:].isdigit() else 10**9, d)
    return sorted(dirs, key=key)


def load(run):
    with open(os.path.join(run, "final_info.json")) as f:
        info = json.load(f)
    results = None
    path = os.path.join(run, "all_results.json")
    if os.path.isfile(path):
        with open(path) as f:
            results = json.load(f)
    return info, results


def plot_curves(runs, data, key, ylabel):
    fig, ax = plt.subplots(figsize=(6, 4))
    for run in runs:
        results = data[run][1]
        if not results:
            continue
        for cond, seeds in results["runs"].items():
            steps = seeds[0]["curves"]["step"]
            curves = np.array([s["curves"][key] for s in seeds])
            mean, err = curves.mean(0), curves.std(0) / np.sqrt(len(curves))
            name = labels.get(run, run)
            if len(results["runs"]) > 1:
                name += f" ({cond})"
            ax.plot(steps, mean, label=name)
            ax.fill_between(steps, mean - err, mean + err, alpha=0.2)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(f"{key}.png", dpi=120)
    plt.close(fig)


def plot_final(runs, data):
    fig, ax = plt.subplots(figsize=(max(5, 1.2 * len(runs) + 2), 4))
    x = np.arange(len(runs))
    for i, (metric, name) in enumerate((("final_train_bpc", "train"), ("final_val_bpc", "val"))):
        means, errs = [], []
        for run in runs:
            info = data[run][0]
            vals = [c["means"].get(metric, np.nan) for c in info.values()]
            ses = [c["stderrs"].get(metric, 0.0) for c in info.values()]
            means.append(np.mean(vals))  # average over conditions
            errs.append(np.sqrt(np.mean(np.square(ses))))
        ax.bar(x + i * 0.4, means, 0.4, yerr=errs, capsize=2, label=name)
    ax.set_xticks(x + 0.2)
    ax.set_xticklabels([labels.get(r, r) for r in runs], rotation=20)
    ax.set_ylabel("bits per character (lower is better)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig("final_bpc.png", dpi=120)
    plt.close(fig)


def main():
    runs = run_dirs()
    if not runs:
        raise SystemExit("plot.py: no run_*/final_info.json found in the current directory")
    data = {run: load(run) for run in runs}
    plot_curves(runs, data, "val_bpc", "validation bits/char")
    plot_curves(runs, data, "train_bpc", "training bits/char")
    plot_final(runs, data)
    print("wrote plots for: " + ", ".join(runs))


if __name__ == "__main__":
    main()
