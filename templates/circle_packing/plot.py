"""Plots for the circle_packing template.

Reads every run_* folder in the current directory (run_0 is the baseline) and writes PNGs
in the current directory:
    sum_radii.png          sum of radii per run (seed mean +- standard error), the best
                           known value for 26 circles as a dashed line
    packing_<run>.png      the best seed's packing of each run
"""

import glob
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEST_KNOWN = 2.635  # sum of radii of the best known packing of 26 circles

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
    return sorted(dirs, key=lambda d: (int(d[4:]) if d[4:].isdigit() else 10**9, d))


def load(run):
    with open(os.path.join(run, "final_info.json")) as f:
        block = next(iter(json.load(f).values()))
    packings = None
    path = os.path.join(run, "packings.json")
    if os.path.isfile(path):
        with open(path) as f:
            packings = json.load(f)
    return block, packings


def plot_sums(runs, data):
    fig, ax = plt.subplots(figsize=(max(4, 0.8 * len(runs) + 2), 4))
    names = [labels.get(r, r) for r in runs]
    means = [data[r][0]["means"]["sum_radii"] for r in runs]
    errs = [data[r][0]["stderrs"]["sum_radii"] for r in runs]
    ax.bar(range(len(runs)), means, yerr=errs, capsize=3)
    ax.axhline(BEST_KNOWN, linestyle="--", color="gray", label=f"best known ({BEST_KNOWN})")
    ax.set_xticks(range(len(runs)))
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("sum of radii")
    ax.set_ylim(min(means + [BEST_KNOWN]) * 0.9, BEST_KNOWN * 1.02)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig("sum_radii.png", dpi=120)
    plt.close(fig)


def plot_packing(run, packings):
    best = max(packings["runs"], key=lambda r: r["sum_radii"])
    fig, ax = plt.subplots(figsize=(4, 4))
    for (x, y), r in zip(best["centres"], best["radii"]):
        ax.add_patch(plt.Circle((x, y), r, fill=False, color="tab:blue" if best["valid"] else "tab:red"))
    ax.plot([0, 1, 1, 0, 0], [0, 0, 1, 1, 0], color="black", linewidth=1)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{labels.get(run, run)}: sum {best['sum_radii']:.4f}", fontsize=9)
    fig.tight_layout()
    fig.savefig(f"packing_{run}.png", dpi=120)
    plt.close(fig)


def main():
    runs = run_dirs()
    if not runs:
        print("no run_* folder with final_info.json")
        return
    data = {r: load(r) for r in runs}
    plot_sums(runs, data)
    for r in runs:
        if data[r][1]:
            plot_packing(r, data[r][1])


if __name__ == "__main__":
    main()
