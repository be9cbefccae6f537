"""bench/schedule's template: an experiment that takes one second and reports a loss."""
import argparse, json, os, time

parser = argparse.ArgumentParser(description="schedule benchmark template")
parser.add_argument("--out_dir", required=True)
parser.add_argument("--seconds", type=float, default=1.0)
parser.add_argument("--scale", type=float, default=1.0)
args = parser.parse_args()

# variant: 0
time.sleep(args.seconds)
os.makedirs(args.out_dir, exist_ok=True)
with open(os.path.join(args.out_dir, "final_info.json"), "w") as f:
    json.dump({"fit": {"means": {"loss": 1.0 / args.scale}, "stderrs": {"loss": 0.0}}}, f)
