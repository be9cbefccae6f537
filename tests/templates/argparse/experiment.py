"""A test template with no template.json: its knobs are argparse flags whose defaults
`--help` shows (ArgumentDefaultsHelpFormatter). Fits y = a*x with gradient descent."""
import argparse, json, os, random

parser = argparse.ArgumentParser(description="argparse test template",
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
parser.add_argument("--out_dir", default="run_0", help="where final_info.json goes")
parser.add_argument("--lr", type=float, default=0.1, help="step size")
parser.add_argument("--optimizer", choices=["sgd", "momentum"], default="sgd", help="update rule")
parser.add_argument("--steps", type=int, default=40, help="gradient steps")
parser.add_argument("--seed", type=int, default=0, help="random seed")
parser.add_argument("--verbose", action="store_true", help="print every step")
args = parser.parse_args()

os.makedirs(args.out_dir, exist_ok=True)
random.seed(args.seed)
a, w, v = 3.0, 0.0, 0.0
for step in range(args.steps):
    x = random.uniform(-1, 1)
    grad = 2 * (w * x - a * x) * x
    v = 0.9 * v + grad if args.optimizer == "momentum" else grad
    w -= args.lr * v
    if args.verbose:
        print(step, w)
loss = (w - a) ** 2
info = {"fit": {"means": {"loss": loss, "w": w}, "stderrs": {"loss": 0.0, "w": 0.0}}}
with open(os.path.join(args.out_dir, "final_info.json"), "w") as f:
    json.dump(info, f)
print(f"argparse template: loss {loss:.4f}")
