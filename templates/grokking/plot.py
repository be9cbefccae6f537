"""Plots for the grokking template.

Reads every run_* folder in the current directory (run_0 is the baseline) and
writes PNGs in the current directory:
    val_acc_<operation>.png     validation accuracy vs step, one line per run
    train_acc_<operation>.png   training accuracy vs step
    val_loss_<operation>.png    validation loss vs step (log scale)
    step_to_99_val.png          steps until 99% validation accuracy, per run
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


def plot_curve(runs, data, op, key, ylabel, log=False):
    fig, ax = plt.subplots(figsize=(6, 4))
    for run in runs:
        results = data[run][1]
        if not results or op not in results["runs"]:
            continue
        seeds = results["runs"][op]
        steps = seeds[0]["curves"]["step"]
        curves = np.array([s["curves"][key] for s in seeds])
        mean, err = curves.mean(0), curves.std(0) / np.sqrt(len(curves))
        ax.plot(steps, mean, label=labels.get(run, run))
        ax.fill_between(steps, mean - err, mean + err, alpha=0.2)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{ylabel}: x {op} y (mod p)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(f"{key}_{op}.png", dpi=120)
    plt.close(fig)


def plot_bars(runs, data, metric="step_to_99_val"):
    ops = sorted({op for r in runs for op in data[r][0]})
    fig, ax = plt.subplots(figsize=(max(5, 1.8 * len(ops) + 1), 4))
    width = 0.8 / len(runs)
    x = np.arange(len(ops))
    for i, run in enumerate(runs):
        info = data[run][0]
        means = [info.get(op, {}).get("means", {}).get(metric, np.nan) for op in ops]
        errs = [info.get(op, {}).get("stderrs", {}).get(metric, 0.0) for op in ops]
        ax.bar(x + i * width, means, width, yerr=errs, capsize=2, label=labels.get(run, run))
    ax.set_xticks(x + width * (len(runs) - 1) / 2)
    ax.set_xticklabels(ops)
    ax.set_ylabel(metric + " (lower is better)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(f"{metric}.png", dpi=120)
    plt.close(fig)


def main():
    runs = run_dirs()
    if not runs:
        raise SystemExit("plot.py: no run_*/final_info.json found in the current directory")
    data = {run: load(run) for run in runs}
    ops = sorted({op for r in runs for op in data[r][0]})
    for op in ops:
        plot_curve(runs, data, op, "val_acc", "validation accuracy")
        plot_curve(runs, data, op, "train_acc", "training accuracy")
        plot_curve(runs, data, op, "val_loss", "validation loss", log=True)
    plot_bars(runs, data)
    print("wrote plots for: " + ", ".join(runs))


if __name__ == "__main__":
    main()
