"""A test template in AI-Scientist's format (no template.json): an SEIR epidemic integrated
with Euler steps. final_info.json holds several scalar metrics (the first is the peak of the
infected share, where lower is better) and the whole 100x4 solution, as AI-Scientist's
epidemic templates do."""
import argparse
import json
import os

parser = argparse.ArgumentParser(description="SEIR epidemic")
parser.add_argument("--out_dir", required=True)
parser.add_argument("--beta", type=float, default=0.6, help="contact rate per day")
parser.add_argument("--sigma", type=float, default=0.25, help="1 / incubation days")
parser.add_argument("--gamma", type=float, default=0.2, help="1 / infectious days")
parser.add_argument("--days", type=int, default=100)
args = parser.parse_args()

# The share of contacts that still happen (1.0: no intervention).
contact_scale = 1.0


def simulate(beta):
    s, e, i, r = 0.99, 0.0, 0.01, 0.0
    rows = []
    for _ in range(args.days):
        new_e = beta * contact_scale * s * i
        new_i = args.sigma * e
        new_r = args.gamma * i
        s, e, i, r = s - new_e, e + new_e - new_i, i + new_i - new_r, r + new_r
        rows.append([round(s, 6), round(e, 6), round(i, 6), round(r, 6)])
    return rows


rows = simulate(args.beta)
infected = [row[2] for row in rows]
peak = max(infected)
info = {"seir": {"means": {"infected_peak": peak, "peak_day": float(infected.index(peak)),
                           "final_size": rows[-1][3]},
                 "stderrs": {"infected_peak": 0.0, "peak_day": 0.0, "final_size": 0.0},
                 "solution": rows}}
os.makedirs(args.out_dir, exist_ok=True)
with open(os.path.join(args.out_dir, "final_info.json"), "w") as f:
    json.dump(info, f)
print(f"seir: infected peak {peak:.4f} on day {infected.index(peak)}")
