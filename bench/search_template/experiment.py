"""bench/search_efficiency's synthetic template: a score of four integer knobs in -3..3.

score = 1 / (1 + a^2 + b^2 + c^2 + d^2 / 2) with a = x1 - x2 - 1, b = x1 + x2 - 3,
c = x3 - x4 - 1, d = x3 + x4 + 3: the pairs (x1, x2) and (x3, x4) interact, so no change of
one knob from the baseline (all 0, score 1/16.5) reaches the optimum, score 1 at
(2, 1, -1, -2)."""
import argparse
import json
import os

parser = argparse.ArgumentParser(description="search benchmark template")
parser.add_argument("--out_dir", required=True)
for name in ("x1", "x2", "x3", "x4"):
    parser.add_argument("--" + name, type=int, default=0, help="a knob in -3..3")
args = parser.parse_args()

a, b = args.x1 - args.x2 - 1, args.x1 + args.x2 - 3
c, d = args.x3 - args.x4 - 1, args.x3 + args.x4 + 3
score = 1.0 / (1.0 + a * a + b * b + c * c + 0.5 * d * d)
os.makedirs(args.out_dir, exist_ok=True)
with open(os.path.join(args.out_dir, "final_info.json"), "w") as f:
    json.dump({"synthetic": {"means": {"score": score}, "stderrs": {"score": 0.0}}}, f)
print(f"score {score:.6f}")
