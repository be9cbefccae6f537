"""Plots for the diffusion2d template.

Reads every run_* folder in the current directory (run_0 is the baseline) and
writes PNGs in the current directory:
    train_loss.png        training-loss curves, one panel per dataset
    samples_<run>.png     generated (blue) vs real (grey) points per dataset
    metrics.png           sw1 and kl_hist per dataset and run, with stderr bars
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


def plot_losses(runs, data):
    datasets = sorted({d for r in runs for d in data[r][0]})
    fig, axes = plt.subplots(1, len(datasets), figsize=(4 * len(datasets), 3.2), squeeze=False)
    for ax, name in zip(axes[0], datasets):
        for run in runs:
            results = data[run][1]
            if not results or name not in results["runs"]:
                continue
            seeds = results["runs"][name]
            steps = seeds[0]["curves"]["step"]
            curves = np.array([s["curves"]["train_loss"] for s in seeds])
            mean = curves.mean(0)
            err = curves.std(0) / np.sqrt(len(curves))
            ax.plot(steps, mean, label=labels.get(run, run))
            ax.fill_between(steps, mean - err, mean + err, alpha=0.2)
        ax.set_title(name)
        ax.set_xlabel("step")
        ax.set_ylabel("train loss (noise MSE)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig("train_loss.png", dpi=120)
    plt.close(fig)


def plot_samples(run):
    path = os.path.join(run, "samples.npz")
    if not os.path.isfile(path):
        return
    arrays = np.load(path)
    datasets = sorted(k[: -len("_generated")] for k in arrays.files if k.endswith("_generated"))
    if not datasets:
        return
    fig, axes = plt.subplots(1, len(datasets), figsize=(3.2 * len(datasets), 3.2), squeeze=False)
    for ax, name in zip(axes[0], datasets):
        real, gen = arrays[f"{name}_real"], arrays[f"{name}_generated"]
        ax.scatter(real[:, 0], real[:, 1], s=2, c="0.7", label="real")
        ax.scatter(gen[:, 0], gen[:, 1], s=2, c="tab:blue", label="generated")
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
        ax.set_aspect("equal")
        ax.set_title(name)
    axes[0][0].legend(fontsize=7, markerscale=4)
    fig.suptitle(labels.get(run, run))
    fig.tight_layout()
    fig.savefig(f"samples_{run}.png", dpi=120)
    plt.close(fig)


def plot_metrics(runs, data, metrics=("sw1", "kl_hist")):
    datasets = sorted({d for r in runs for d in data[r][0]})
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    width = 0.8 / len(runs)
    x = np.arange(len(datasets))
    for ax, metric in zip(axes[0], metrics):
        for i, run in enumerate(runs):
            info = data[run][0]
            means = [info.get(d, {}).get("means", {}).get(metric, np.nan) for d in datasets]
            errs = [info.get(d, {}).get("stderrs", {}).get(metric, 0.0) for d in datasets]
            ax.bar(x + i * width, means, width, yerr=errs, capsize=2, label=labels.get(run, run))
        ax.set_xticks(x + width * (len(runs) - 1) / 2)
        ax.set_xticklabels(datasets)
        ax.set_ylabel(metric + " (lower is better)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig("metrics.png", dpi=120)
    plt.close(fig)


def main():
    runs = run_dirs()
    if not runs:
        raise SystemExit("plot.py: no run_*/final_info.json found in the current directory")
    data = {run: load(run) for run in runs}
    plot_losses(runs, data)
    plot_metrics(runs, data)
    for run in runs:
        plot_samples(run)
    print("wrote plots for: " + ", ".join(runs))


if __name__ == "__main__":
    main()
