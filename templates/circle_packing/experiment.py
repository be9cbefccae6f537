"""Circle packing: 26 circles in the unit square, as large in sum of radii as possible.

packing.construct() (the code under study) builds one packing per seed; evaluate.py (sealed)
checks it and scores it. The best known sum of radii for 26 circles is about 2.635.

Usage:
    python experiment.py --out_dir run_0 [--layout hex --iters 1000 ...]

Writes, inside --out_dir only:
    final_info.json   {"unit_square_26": {"means": {...}, "stderrs": {...}}}
    packings.json     each seed's centres, radii and verdict (for plot.py)

An invalid packing (overlap, outside the square, wrong count, non-finite numbers) scores
sum_radii 0 with valid 0; its reason is printed on stderr and stored in packings.json.
"""

import argparse
import json
import math
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the code: a run writes only under --out_dir

import evaluate  # noqa: E402
import packing  # noqa: E402

CONDITION = "unit_square_26"


def seed_range(n):
    """Seeds 0..n-1, shifted by SHOAL_SEED (Shoal's seed re-runs of a best experiment)."""
    base = int(os.environ.get("SHOAL_SEED", "0")) * 1000
    return range(base, base + n)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Pack 26 circles in the unit square, maximising the sum of radii.")
    p.add_argument("--out_dir", required=True, help="folder for results (created if missing)")
    p.add_argument("--seeds", type=int, default=3, help="number of seeds (0..N-1); each builds one packing")
    p.add_argument("--layout", default="grid", choices=packing.LAYOUTS, help="starting arrangement of the centres")
    p.add_argument("--rows", type=int, default=5, help="rows of the grid and hex layouts")
    p.add_argument("--jitter", type=float, default=0.0, help="std of the random shift of each starting centre")
    p.add_argument("--iters", type=int, default=0, help="refinement steps (Adam on a penalty objective; 0: none)")
    p.add_argument("--lr", type=float, default=0.01, help="initial step size of the refinement")
    args = p.parse_args(argv)
    if args.seeds < 1:
        p.error("--seeds must be >= 1")
    if not 1 <= args.rows <= packing.N:
        p.error(f"--rows must be between 1 and {packing.N}")
    if args.jitter < 0 or args.iters < 0:
        p.error("--jitter and --iters must be >= 0")
    if args.lr <= 0:
        p.error("--lr must be > 0")
    return args


def mean_and_stderr(values):
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return mean, std / math.sqrt(len(values))


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    runs = []
    for seed in seed_range(args.seeds):
        centres, radii = packing.construct(layout=args.layout, rows=args.rows, jitter=args.jitter,
                                           iters=args.iters, lr=args.lr, seed=seed)
        centres = [[float(x), float(y)] for x, y in centres]
        radii = [float(r) for r in radii]
        verdict = evaluate.evaluate(centres, radii)
        print(f"seed {seed}: sum of radii {verdict['sum_radii']:.6f}"
              + ("" if verdict["valid"] else f" INVALID: {verdict['reason']}"), flush=True)
        if not verdict["valid"]:
            print(f"seed {seed}: invalid packing: {verdict['reason']}", file=sys.stderr, flush=True)
        runs.append({"seed": seed, "centres": centres, "radii": radii, **verdict})

    metrics = {
        "sum_radii": [r["sum_radii"] for r in runs],
        "valid": [1.0 if r["valid"] else 0.0 for r in runs],
        "min_radius": [min(r["radii"]) if r["valid"] else 0.0 for r in runs],
    }
    means, stderrs = {}, {}
    for name, values in metrics.items():
        means[name], stderrs[name] = mean_and_stderr(values)
    with open(os.path.join(args.out_dir, "final_info.json"), "w") as f:
        json.dump({CONDITION: {"means": means, "stderrs": stderrs}}, f, indent=2, sort_keys=True)
    with open(os.path.join(args.out_dir, "packings.json"), "w") as f:
        json.dump({"config": vars(args), "runs": runs}, f)


if __name__ == "__main__":
    main()
