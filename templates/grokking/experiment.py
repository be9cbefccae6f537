"""Grokking on modular arithmetic.

Trains a small MLP on a fraction of the table of `x OP y mod p` and tracks
train and validation accuracy over time. "Grokking" (Power et al., 2022) is
the phenomenon where validation accuracy jumps to ~100% long after the
training set has been memorised; weight decay is known to drive it.

Usage:
    python experiment.py --out_dir run_0 [--weight_decay 1.0 ...]

Writes, inside --out_dir only:
    final_info.json   {operation: {"means": {...}, "stderrs": {...}}}
    all_results.json  per-seed, per-step curves (for plot.py)
"""

import argparse
import ctypes
import ctypes.util
import json
import math
import os
import random
import sys
import time

# Must be set before torch loads libgomp: idle OpenMP threads sleep instead of
# spinning. With busy-waiting, 2 threads on a loaded 2-core machine ran 20x
# slower than 1 (see templates/README.md). A value set by the caller wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

OPERATIONS = ("add", "sub", "div", "mul")


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------
def seed_range(n):
    """Seeds 0..n-1, shifted by SHOAL_SEED (Shoal's seed re-runs of a best experiment)."""
    base = int(os.environ.get("SHOAL_SEED", "0")) * 1000
    return range(base, base + n)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Grokking on modular arithmetic (x OP y mod p).")
    p.add_argument("--out_dir", required=True, help="folder for results (created if missing)")
    p.add_argument("--seeds", type=int, default=3, help="number of seeds (0..N-1) per operation")
    p.add_argument("--operations", default="add,sub,div",
                   help="comma-separated subset of " + ",".join(OPERATIONS))
    p.add_argument("--prime", type=int, default=97, help="modulus p (a prime)")
    p.add_argument("--train_fraction", type=float, default=0.5,
                   help="fraction of all (x, y) pairs used for training")
    p.add_argument("--weight_decay", type=float, default=1.0, help="AdamW weight decay")
    p.add_argument("--lr", type=float, default=3e-3, help="AdamW learning rate")
    p.add_argument("--num_steps", type=int, default=1200, help="full-batch optimisation steps")
    p.add_argument("--embed_dim", type=int, default=64, help="token embedding size")
    p.add_argument("--hidden_dim", type=int, default=128, help="MLP hidden layer size")
    p.add_argument("--eval_every", type=int, default=10, help="steps between evaluations")
    args = p.parse_args(argv)

    # Validate everything up front so bad arguments fail fast with a clear message.
    ops = [o.strip() for o in args.operations.split(",") if o.strip()]
    bad = [o for o in ops if o not in OPERATIONS]
    if not ops or bad:
        p.error(f"--operations: unknown {bad or 'empty list'}; choose from {','.join(OPERATIONS)}")
    args.operations = ops
    if args.seeds < 1:
        p.error("--seeds must be >= 1")
    if args.prime < 3 or any(args.prime % k == 0 for k in range(2, int(math.isqrt(args.prime)) + 1)):
        p.error("--prime must be a prime >= 3")
    if not 0.0 < args.train_fraction < 1.0:
        p.error("--train_fraction must be in (0, 1)")
    if args.weight_decay < 0:
        p.error("--weight_decay must be >= 0")
    if args.lr <= 0:
        p.error("--lr must be > 0")
    if args.num_steps < 1 or args.eval_every < 1:
        p.error("--num_steps and --eval_every must be >= 1")
    if args.embed_dim < 1 or args.hidden_dim < 1:
        p.error("--embed_dim and --hidden_dim must be >= 1")
    return args


# ----------------------------------------------------------------------------
# Reproducibility and threads
# ----------------------------------------------------------------------------
def keep_freed_memory():
    """Ask glibc to keep freed buffers instead of returning them to the OS.

    Torch allocates a fresh multi-megabyte tensor for most ops; by default glibc
    serves those with mmap and unmaps them on free, so every training step pays
    page faults again. In small VMs that costs more than the maths itself.
    Raising the mmap and trim thresholds (32 MB / 256 MB) avoids it. No effect
    on results; silently skipped where glibc's mallopt is unavailable.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt(-3, 32 * 1024 * 1024)   # M_MMAP_THRESHOLD
        libc.mallopt(-1, 256 * 1024 * 1024)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError, TypeError):
        pass


def configure_torch():
    """Respect OMP_NUM_THREADS and ask torch for deterministic kernels."""
    keep_freed_memory()
    n = os.environ.get("OMP_NUM_THREADS")
    if n and n.isdigit() and int(n) > 0:
        torch.set_num_threads(int(n))
    torch.use_deterministic_algorithms(True)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# ----------------------------------------------------------------------------
# Data: the full operation table, split into train / validation
# ----------------------------------------------------------------------------
def operation_table(op, p):
    """All (x, y, x OP y mod p) triples for one operation, as int64 tensors."""
    xs, ys = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    xs, ys = xs.ravel(), ys.ravel()
    if op == "div":
        keep = ys != 0                      # division by zero is undefined
        xs, ys = xs[keep], ys[keep]
        inv = np.array([pow(int(v), p - 2, p) for v in ys])  # Fermat inverse
        zs = (xs * inv) % p
    elif op == "add":
        zs = (xs + ys) % p
    elif op == "sub":
        zs = (xs - ys) % p
    elif op == "mul":
        zs = (xs * ys) % p
    return torch.from_numpy(xs), torch.from_numpy(ys), torch.from_numpy(zs)


def split(table, train_fraction, generator):
    """Random train/validation split of the table (seeded by `generator`)."""
    n = table[0].shape[0]
    perm = torch.randperm(n, generator=generator)
    n_train = int(round(train_fraction * n))
    tr, va = perm[:n_train], perm[n_train:]
    return tuple(t[tr] for t in table), tuple(t[va] for t in table)


# ----------------------------------------------------------------------------
# Model: shared embedding for both operands -> one-hidden-layer MLP -> logits
# ----------------------------------------------------------------------------
class ModularMLP(nn.Module):
    def __init__(self, p, embed_dim, hidden_dim):
        super().__init__()
        self.embed = nn.Embedding(p, embed_dim)
        self.hidden = nn.Linear(2 * embed_dim, hidden_dim)
        self.out = nn.Linear(hidden_dim, p)

    def forward(self, x, y):
        h = torch.cat([self.embed(x), self.embed(y)], dim=-1)
        return self.out(F.relu(self.hidden(h)))


@torch.no_grad()
def evaluate(model, data):
    x, y, z = data
    logits = model(x, y)
    loss = F.cross_entropy(logits, z).item()
    acc = (logits.argmax(-1) == z).float().mean().item()
    return loss, acc


# ----------------------------------------------------------------------------
# One training run (one operation, one seed)
# ----------------------------------------------------------------------------
def train_one(args, op, seed):
    seed_everything(seed)
    gen = torch.Generator().manual_seed(seed)
    train, val = split(operation_table(op, args.prime), args.train_fraction, gen)
    model = ModularMLP(args.prime, args.embed_dim, args.hidden_dim)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr,
                            weight_decay=args.weight_decay, betas=(0.9, 0.98))
    warmup = 10  # short linear learning-rate warm-up, as in Power et al.
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup))

    curves = {k: [] for k in ("step", "train_loss", "train_acc", "val_loss", "val_acc")}
    step_to_99 = {"train": args.num_steps, "val": args.num_steps}
    for step in range(1, args.num_steps + 1):
        model.train()
        loss = F.cross_entropy(model(train[0], train[1]), train[2])  # full batch
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()

        if step % args.eval_every == 0 or step == args.num_steps:
            model.eval()
            tr_loss, tr_acc = evaluate(model, train)
            va_loss, va_acc = evaluate(model, val)
            for k, v in zip(curves, (step, tr_loss, tr_acc, va_loss, va_acc)):
                curves[k].append(v)
            # First evaluation step at which accuracy reached 99%.
            if tr_acc >= 0.99 and step_to_99["train"] == args.num_steps:
                step_to_99["train"] = step
            if va_acc >= 0.99 and step_to_99["val"] == args.num_steps:
                step_to_99["val"] = step

    final = {
        "final_train_loss": curves["train_loss"][-1],
        "final_val_loss": curves["val_loss"][-1],
        "final_train_acc": curves["train_acc"][-1],
        "final_val_acc": curves["val_acc"][-1],
        "step_to_99_train": float(step_to_99["train"]),
        "step_to_99_val": float(step_to_99["val"]),
    }
    return final, curves


def mean_and_stderr(values):
    a = np.asarray(values, dtype=np.float64)
    stderr = a.std(ddof=0) / math.sqrt(len(a))
    return float(a.mean()), float(stderr)


def main(argv=None):
    args = parse_args(argv)
    configure_torch()
    os.makedirs(args.out_dir, exist_ok=True)
    t_start = time.time()

    final_info, all_results = {}, {"config": vars(args), "runs": {}}
    for op in args.operations:
        per_seed = []
        all_results["runs"][op] = []
        for seed in seed_range(args.seeds):
            t0 = time.time()
            final, curves = train_one(args, op, seed)
            per_seed.append(final)
            all_results["runs"][op].append({"seed": seed, "final": final, "curves": curves})
            print(f"[{op}] seed {seed}: train_acc {final['final_train_acc']:.3f} "
                  f"val_acc {final['final_val_acc']:.3f} step_to_99_val "
                  f"{int(final['step_to_99_val'])} ({time.time() - t0:.1f}s)", flush=True)
        means, stderrs = {}, {}
        for metric in per_seed[0]:
            means[metric], stderrs[metric] = mean_and_stderr([r[metric] for r in per_seed])
        final_info[op] = {"means": means, "stderrs": stderrs}

    with open(os.path.join(args.out_dir, "final_info.json"), "w") as f:
        json.dump(final_info, f, indent=2, sort_keys=True)
    all_results["wall_time_s"] = time.time() - t_start
    with open(os.path.join(args.out_dir, "all_results.json"), "w") as f:
        json.dump(all_results, f)
    print(f"done in {time.time() - t_start:.1f}s; results in {args.out_dir}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
