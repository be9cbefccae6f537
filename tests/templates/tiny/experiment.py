"""A tiny correct template for Shoal's tests: fits y = a*x with gradient descent."""
import argparse, json, os, random

parser = argparse.ArgumentParser(description="tiny test template")
parser.add_argument("--out_dir", required=True)
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--steps", type=int, default=50)
parser.add_argument("--mode", default="ok", help="ok, crash, hang, bad_shape, no_output")
args = parser.parse_args()

if args.mode == "crash":
    raise SystemExit("tiny: crashing on purpose")
if args.mode == "hang":
    import time
    while True:
        time.sleep(1)
os.makedirs(args.out_dir, exist_ok=True)
if args.mode == "no_output":
    raise SystemExit(0)
random.seed(0)
a, w = 3.0, 0.0
for step in range(args.steps):
    x = random.uniform(-1, 1)
    w -= args.lr * 2 * (w * x - a * x) * x
loss = (w - a) ** 2
info = {"fit": {"means": {"loss": loss, "w": w}, "stderrs": {"loss": 0.0, "w": 0.0}}}
if args.mode == "bad_shape":
    info = {"fit": {"loss": loss}}
with open(os.path.join(args.out_dir, "final_info.json"), "w") as f:
    json.dump(info, f)
print(f"tiny: loss {loss:.4f}")
