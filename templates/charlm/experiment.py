"""A tiny character-level transformer language model.

Trains a decoder-only transformer (Vaswani et al., 2017; GPT-style pre-norm
blocks) on data/input.txt, a ~177 KB corpus of software-licence texts shipped
with the template (see data/README.md), and reports losses in bits per
character on a held-out tail of the text.

Usage:
    python experiment.py --out_dir run_0 [--n_layer 4 ...]

Writes, inside --out_dir only:
    final_info.json   {"licenses": {"means": {...}, "stderrs": {...}}}
    all_results.json  per-seed loss curves and a short generated sample
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

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, "data", "input.txt")
LOG2E = 1.0 / math.log(2.0)  # nats -> bits


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------
def seed_range(n):
    """Seeds 0..n-1, shifted by SHOAL_SEED (Shoal's seed re-runs of a best experiment)."""
    base = int(os.environ.get("SHOAL_SEED", "0")) * 1000
    return range(base, base + n)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Tiny character-level transformer LM.")
    p.add_argument("--out_dir", required=True, help="folder for results (created if missing)")
    p.add_argument("--seeds", type=int, default=3, help="number of seeds (0..N-1)")
    p.add_argument("--data", default=DEFAULT_DATA, help="UTF-8 text file to model (read only)")
    p.add_argument("--condition", default="licenses", help="name of the condition in final_info.json")
    p.add_argument("--val_fraction", type=float, default=0.1, help="tail of the text held out")
    p.add_argument("--n_layer", type=int, default=2, help="transformer blocks")
    p.add_argument("--n_head", type=int, default=4, help="attention heads per block")
    p.add_argument("--n_embd", type=int, default=64, help="model width")
    p.add_argument("--block_size", type=int, default=64, help="context length in characters")
    p.add_argument("--dropout", type=float, default=0.0, help="dropout probability")
    p.add_argument("--lr", type=float, default=3e-3, help="peak AdamW learning rate")
    p.add_argument("--weight_decay", type=float, default=0.1, help="AdamW weight decay on matrices")
    p.add_argument("--batch_size", type=int, default=32)
    p.add_argument("--max_iters", type=int, default=1000, help="optimisation steps")
    p.add_argument("--eval_interval", type=int, default=100, help="steps between evaluations")
    p.add_argument("--eval_batches", type=int, default=10, help="batches per loss estimate")
    args = p.parse_args(argv)

    for name in ("seeds", "n_layer", "n_head", "n_embd", "block_size", "batch_size",
                 "max_iters", "eval_interval", "eval_batches"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be >= 1")
    if args.n_embd % args.n_head != 0:
        p.error("--n_embd must be divisible by --n_head")
    if not 0.0 <= args.dropout < 1.0:
        p.error("--dropout must be in [0, 1)")
    if not 0.0 < args.val_fraction < 0.5:
        p.error("--val_fraction must be in (0, 0.5)")
    if args.lr <= 0 or args.weight_decay < 0:
        p.error("--lr must be > 0 and --weight_decay >= 0")
    if not os.path.isfile(args.data):
        p.error(f"--data: no such file: {args.data}")
    return args


# ----------------------------------------------------------------------------
# Reproducibility, threads, allocator
# ----------------------------------------------------------------------------
def keep_freed_memory():
    """Ask glibc to keep freed buffers instead of unmapping them (see README:
    avoids page-fault storms in small VMs; no effect on results)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt(-3, 32 * 1024 * 1024)   # M_MMAP_THRESHOLD
        libc.mallopt(-1, 256 * 1024 * 1024)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError, TypeError):
        pass


def configure_torch():
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
# Data
# ----------------------------------------------------------------------------
def load_text(path, val_fraction):
    """Character vocabulary and train/val id tensors (val = tail of the file)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n_val = int(len(ids) * val_fraction)
    return chars, ids[:-n_val], ids[-n_val:]


def get_batch(data, block_size, batch_size, generator):
    """Random windows of block_size+1 characters: inputs and next-char targets."""
    starts = torch.randint(0, len(data) - block_size - 1, (batch_size,), generator=generator)
    offsets = torch.arange(block_size + 1)
    windows = data[starts[:, None] + offsets[None, :]]
    return windows[:, :-1], windows[:, 1:]


# ----------------------------------------------------------------------------
# Model: pre-norm transformer decoder with learned positional embeddings
# ----------------------------------------------------------------------------
class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)
        self.drop = nn.Dropout(dropout)
        mask = torch.tril(torch.ones(block_size, block_size, dtype=torch.bool))
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) -> (B, heads, T, head_dim)
        q, k, v = (z.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(k.shape[-1])
        att = att.masked_fill(~self.mask[:T, :T], float("-inf"))
        att = self.drop(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        return self.drop(self.proj(y))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout):
        super().__init__()
        self.ln1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, block_size, dropout)
        self.ln2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(),
                                 nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class CharTransformer(nn.Module):
    def __init__(self, vocab, n_layer, n_head, n_embd, block_size, dropout):
        super().__init__()
        self.block_size = block_size
        self.tok = nn.Embedding(vocab, n_embd)
        self.pos = nn.Embedding(block_size, n_embd)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head, block_size, dropout)
                                      for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.drop(self.tok(idx) + self.pos(torch.arange(T)))
        return self.head(self.ln_f(self.blocks(x)))


def make_optimizer(model, lr, weight_decay):
    """AdamW with weight decay on matrices only (not biases, norms, embeddings)."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        is_matrix = p.dim() >= 2 and not name.startswith(("tok.", "pos."))
        (decay if is_matrix else no_decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.99))


def lr_factor(step, total, warmup):
    """Linear warm-up, then cosine decay to 10% of the peak."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.1 + 0.45 * (1 + math.cos(math.pi * min(1.0, progress)))


@torch.no_grad()
def estimate_loss(model, data, args, seed):
    """Mean cross-entropy in bits/char over fixed batches (same for every run)."""
    model.eval()
    gen = torch.Generator().manual_seed(10_000 + seed)
    losses = []
    for _ in range(args.eval_batches):
        x, y = get_batch(data, args.block_size, args.batch_size, gen)
        logits = model(x)
        losses.append(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).item())
    model.train()
    return float(np.mean(losses)) * LOG2E


@torch.no_grad()
def generate(model, chars, n_chars, seed):
    """Sample a short text (for a look at what the model learnt)."""
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    idx = torch.zeros((1, 1), dtype=torch.long)
    for _ in range(n_chars):
        logits = model(idx[:, -model.block_size:])[:, -1, :]
        nxt = torch.multinomial(F.softmax(logits, dim=-1), 1, generator=gen)
        idx = torch.cat([idx, nxt], dim=1)
    return "".join(chars[i] for i in idx[0].tolist())


# ----------------------------------------------------------------------------
# One training run (one seed)
# ----------------------------------------------------------------------------
def train_one(args, chars, train, val, seed):
    seed_everything(seed)
    model = CharTransformer(len(chars), args.n_layer, args.n_head, args.n_embd,
                            args.block_size, args.dropout)
    opt = make_optimizer(model, args.lr, args.weight_decay)
    warmup = max(1, args.max_iters // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, args.max_iters, warmup))
    gen = torch.Generator().manual_seed(seed)
    curves = {"step": [], "train_bpc": [], "val_bpc": []}
    t0 = time.time()
    for step in range(1, args.max_iters + 1):
        x, y = get_batch(train, args.block_size, args.batch_size, gen)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % args.eval_interval == 0 or step == args.max_iters:
            tr, va = estimate_loss(model, train, args, seed), estimate_loss(model, val, args, seed)
            for k, v in zip(curves, (step, tr, va)):
                curves[k].append(v)
            print(f"  seed {seed} step {step}: train {tr:.3f} bpc, val {va:.3f} bpc "
                  f"({time.time() - t0:.1f}s)", flush=True)
    final = {
        "final_train_bpc": curves["train_bpc"][-1],
        "final_val_bpc": curves["val_bpc"][-1],
        "best_val_bpc": min(curves["val_bpc"]),
        "generalization_gap_bpc": curves["val_bpc"][-1] - curves["train_bpc"][-1],
    }
    return final, curves, generate(model, chars, 200, seed)


def mean_and_stderr(values):
    a = np.asarray(values, dtype=np.float64)
    return float(a.mean()), float(a.std(ddof=0) / math.sqrt(len(a)))


def main(argv=None):
    args = parse_args(argv)
    configure_torch()
    chars, train, val = load_text(args.data, args.val_fraction)
    if len(val) <= args.block_size + 1:
        sys.exit(f"experiment.py: validation split ({len(val)} chars) is shorter than --block_size")
    os.makedirs(args.out_dir, exist_ok=True)
    print(f"data: {len(train)} train / {len(val)} val chars, vocab {len(chars)}", flush=True)
    t_start = time.time()

    per_seed, runs = [], []
    for seed in seed_range(args.seeds):
        final, curves, sample_text = train_one(args, chars, train, val, seed)
        per_seed.append(final)
        runs.append({"seed": seed, "final": final, "curves": curves, "sample": sample_text})
        print(f"seed {seed}: final val {final['final_val_bpc']:.3f} bpc", flush=True)

    means, stderrs = {}, {}
    for metric in per_seed[0]:
        means[metric], stderrs[metric] = mean_and_stderr([r[metric] for r in per_seed])
    final_info = {args.condition: {"means": means, "stderrs": stderrs}}
    with open(os.path.join(args.out_dir, "final_info.json"), "w") as f:
        json.dump(final_info, f, indent=2, sort_keys=True)
    config = dict(vars(args), data=os.path.relpath(args.data, HERE))
    all_results = {"config": config, "runs": {args.condition: runs},
                   "wall_time_s": time.time() - t_start}
    with open(os.path.join(args.out_dir, "all_results.json"), "w") as f:
        json.dump(all_results, f)
    print(f"done in {time.time() - t_start:.1f}s; results in {args.out_dir}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
