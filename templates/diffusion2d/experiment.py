"""DDPM on 2-D toy datasets.

Trains a small MLP denoiser (Ho et al., 2020) on point clouds generated in
code (moons, circles, a ring of Gaussians, a spiral), then samples from it and
compares the samples with fresh data from the true distribution.

Usage:
    python experiment.py --out_dir run_0 [--beta_schedule cosine ...]

Writes, inside --out_dir only:
    final_info.json   {dataset: {"means": {...}, "stderrs": {...}}}
    all_results.json  per-seed training-loss curves and final metrics
    samples.npz       generated and real points per dataset (seed 0), for plot.py
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

DATASETS = ("moons", "circles", "gaussians", "spiral")
SCHEDULES = ("linear", "cosine", "quadratic")
EMBEDDINGS = ("sinusoidal", "identity")


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------
def seed_range(n):
    """Seeds 0..n-1, shifted by SHOAL_SEED (Shoal's seed re-runs of a best experiment)."""
    base = int(os.environ.get("SHOAL_SEED", "0")) * 1000
    return range(base, base + n)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="DDPM with an MLP denoiser on 2-D toy datasets.")
    p.add_argument("--out_dir", required=True, help="folder for results (created if missing)")
    p.add_argument("--seeds", type=int, default=3, help="number of seeds (0..N-1) per dataset")
    p.add_argument("--datasets", default=",".join(DATASETS),
                   help="comma-separated subset of " + ",".join(DATASETS))
    p.add_argument("--num_timesteps", type=int, default=100, help="diffusion steps T")
    p.add_argument("--beta_schedule", default="linear", help="one of " + ",".join(SCHEDULES))
    p.add_argument("--hidden_size", type=int, default=128, help="MLP width")
    p.add_argument("--num_layers", type=int, default=3, help="hidden layers of the MLP")
    p.add_argument("--input_embedding", default="sinusoidal",
                   help="how the 2-D input enters the MLP: " + ",".join(EMBEDDINGS))
    p.add_argument("--lr", type=float, default=2e-3, help="peak Adam learning rate (cosine decay)")
    p.add_argument("--num_train_steps", type=int, default=3000, help="optimisation steps")
    p.add_argument("--batch_size", type=int, default=256)
    p.add_argument("--num_samples", type=int, default=2000, help="points generated for evaluation")
    p.add_argument("--log_every", type=int, default=50, help="steps between loss-curve points")
    args = p.parse_args(argv)

    names = [d.strip() for d in args.datasets.split(",") if d.strip()]
    bad = [d for d in names if d not in DATASETS]
    if not names or bad:
        p.error(f"--datasets: unknown {bad or 'empty list'}; choose from {','.join(DATASETS)}")
    args.datasets = names
    if args.beta_schedule not in SCHEDULES:
        p.error(f"--beta_schedule must be one of {','.join(SCHEDULES)}")
    if args.input_embedding not in EMBEDDINGS:
        p.error(f"--input_embedding must be one of {','.join(EMBEDDINGS)}")
    for name in ("seeds", "num_timesteps", "hidden_size", "num_layers", "num_train_steps",
                 "batch_size", "log_every"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be >= 1")
    if args.num_timesteps < 2:
        p.error("--num_timesteps must be >= 2")
    if args.num_samples < 100:
        p.error("--num_samples must be >= 100 (the metrics need enough points)")
    if args.lr <= 0:
        p.error("--lr must be > 0")
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
# Datasets: each returns an (n, 2) float32 array, roughly zero-mean, unit scale
# ----------------------------------------------------------------------------
def make_moons(n, rng):
    """Two interleaving half circles."""
    n1 = n // 2
    t1 = rng.uniform(0, math.pi, n1)
    t2 = rng.uniform(0, math.pi, n - n1)
    upper = np.stack([np.cos(t1), np.sin(t1)], 1)
    lower = np.stack([1 - np.cos(t2), 0.5 - np.sin(t2)], 1)
    x = np.concatenate([upper, lower]) + rng.normal(0, 0.05, (n, 2))
    return (x - [0.5, 0.25]) * 1.5


def make_circles(n, rng):
    """Two concentric rings (radius 1 and 0.5)."""
    t = rng.uniform(0, 2 * math.pi, n)
    r = np.where(rng.uniform(size=n) < 0.5, 1.0, 0.5)
    x = np.stack([r * np.cos(t), r * np.sin(t)], 1) + rng.normal(0, 0.03, (n, 2))
    return x * 1.5


def make_gaussians(n, rng):
    """Eight small Gaussians evenly spaced on a circle of radius 1.5."""
    k = rng.integers(0, 8, n)
    angles = 2 * math.pi * k / 8
    centres = 1.5 * np.stack([np.cos(angles), np.sin(angles)], 1)
    return centres + rng.normal(0, 0.1, (n, 2))


def make_spiral(n, rng):
    """A single arm spiral, r growing linearly with the angle."""
    t = np.sqrt(rng.uniform(0, 1, n)) * 3 * math.pi
    x = np.stack([t * np.cos(t), t * np.sin(t)], 1) / (1.5 * math.pi)
    return x + rng.normal(0, 0.05, (n, 2))


MAKERS = {"moons": make_moons, "circles": make_circles,
          "gaussians": make_gaussians, "spiral": make_spiral}


def sample_dataset(name, n, seed):
    return MAKERS[name](n, np.random.default_rng(seed)).astype(np.float32)


# ----------------------------------------------------------------------------
# Noise schedule and the forward (noising) process
# ----------------------------------------------------------------------------
def make_betas(schedule, T):
    if schedule == "linear":
        return torch.linspace(1e-4, 0.02, T, dtype=torch.float64) * (1000 / T)
    if schedule == "quadratic":
        return torch.linspace(1e-4 ** 0.5, 0.02 ** 0.5, T, dtype=torch.float64) ** 2 * (1000 / T)
    # cosine (Nichol & Dhariwal, 2021): alpha_bar(t) = cos^2(((t/T + s) / (1 + s)) * pi/2)
    s = 0.008
    t = torch.arange(T + 1, dtype=torch.float64) / T
    abar = torch.cos((t + s) / (1 + s) * math.pi / 2) ** 2
    return (1 - abar[1:] / abar[:-1]).clamp(max=0.999)


class Schedule:
    """Precomputed per-timestep constants of the DDPM forward and reverse process."""

    def __init__(self, schedule, T):
        betas = make_betas(schedule, T).clamp(1e-8, 0.999)
        alphas = 1 - betas
        abar = torch.cumprod(alphas, 0)
        abar_prev = torch.cat([torch.ones(1, dtype=torch.float64), abar[:-1]])
        f = lambda v: v.float()
        self.T = T
        self.betas = f(betas)
        self.sqrt_abar = f(abar.sqrt())
        self.sqrt_1m_abar = f((1 - abar).sqrt())
        self.recip_sqrt_alpha = f(1 / alphas.sqrt())
        self.eps_coef = f(betas / (1 - abar).sqrt())
        self.post_std = f((betas * (1 - abar_prev) / (1 - abar)).sqrt())  # posterior std

    def add_noise(self, x0, t, noise):
        return self.sqrt_abar[t, None] * x0 + self.sqrt_1m_abar[t, None] * noise


# ----------------------------------------------------------------------------
# Denoiser: MLP on [x, sinusoidal(t)] predicting the added noise
# ----------------------------------------------------------------------------
def sinusoidal_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    angles = t.float()[:, None] * freqs[None, :]  # works for integer t and real x
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


class Denoiser(nn.Module):
    """x (2-D point) and t -> predicted noise.

    With input_embedding="sinusoidal" each coordinate is expanded into Fourier
    features (scaled by 25, so fine spatial detail is easy to represent);
    with "identity" the raw coordinates are used.
    """

    def __init__(self, hidden, layers, input_embedding="sinusoidal", t_dim=32, x_dim=32):
        super().__init__()
        self.t_dim, self.x_dim = t_dim, x_dim
        self.input_embedding = input_embedding
        in_dim = 2 * x_dim if input_embedding == "sinusoidal" else 2
        dims = [in_dim + t_dim] + [hidden] * layers
        self.blocks = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(hidden, 2)

    def forward(self, x, t):
        if self.input_embedding == "sinusoidal":
            x = torch.cat([sinusoidal_embedding(25.0 * x[:, 0], self.x_dim),
                           sinusoidal_embedding(25.0 * x[:, 1], self.x_dim)], dim=1)
        h = torch.cat([x, sinusoidal_embedding(t, self.t_dim)], dim=1)
        for block in self.blocks:
            h = F.gelu(block(h))
        return self.out(h)


@torch.no_grad()
def sample(model, sched, n, generator):
    """Ancestral DDPM sampling from pure noise (Ho et al., Algorithm 2)."""
    x = torch.randn(n, 2, generator=generator)
    for t in reversed(range(sched.T)):
        tt = torch.full((n,), t, dtype=torch.long)
        eps = model(x, tt)
        x = sched.recip_sqrt_alpha[t] * (x - sched.eps_coef[t] * eps)
        if t > 0:
            x = x + sched.post_std[t] * torch.randn(n, 2, generator=generator)
    return x


# ----------------------------------------------------------------------------
# Sample-quality metrics (lower is better)
# ----------------------------------------------------------------------------
def sliced_wasserstein(a, b, n_proj=64):
    """Mean 1-D Wasserstein-1 distance over fixed random projections.

    a and b must have the same number of points, so each 1-D distance is the
    mean absolute difference of the sorted projections.
    """
    angles = np.linspace(0, math.pi, n_proj, endpoint=False)
    dirs = np.stack([np.cos(angles), np.sin(angles)], 1)
    pa, pb = np.sort(a @ dirs.T, axis=0), np.sort(b @ dirs.T, axis=0)
    return float(np.abs(pa - pb).mean())


def histogram_kl(real, gen, bins=32, lim=3.0, eps=1e-4):
    """KL(real || generated) between smoothed 2-D histograms on [-lim, lim]^2."""
    edges = np.linspace(-lim, lim, bins + 1)
    h_real = np.histogram2d(real[:, 0], real[:, 1], bins=[edges, edges])[0].ravel() + eps
    h_gen = np.histogram2d(gen[:, 0], gen[:, 1], bins=[edges, edges])[0].ravel() + eps
    p, q = h_real / h_real.sum(), h_gen / h_gen.sum()
    return float(np.sum(p * np.log(p / q)))


# ----------------------------------------------------------------------------
# One training run (one dataset, one seed)
# ----------------------------------------------------------------------------
def train_one(args, name, seed):
    seed_everything(seed)
    sched = Schedule(args.beta_schedule, args.num_timesteps)
    # Disjoint data streams: training set, held-out eval set, reference set.
    train = torch.from_numpy(sample_dataset(name, 10000, 1000 * seed + 1))
    held = torch.from_numpy(sample_dataset(name, 2000, 1000 * seed + 2))
    ref = sample_dataset(name, args.num_samples, 1000 * seed + 3)
    ref2 = sample_dataset(name, args.num_samples, 1000 * seed + 4)

    model = Denoiser(args.hidden_size, args.num_layers, args.input_embedding)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    total = args.num_train_steps  # cosine decay of the learning rate to zero
    lr_at = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, total) / total)))
    gen = torch.Generator().manual_seed(seed)
    steps, losses, running = [], [], []
    for step in range(1, args.num_train_steps + 1):
        idx = torch.randint(0, train.shape[0], (args.batch_size,), generator=gen)
        x0 = train[idx]
        t = torch.randint(0, sched.T, (args.batch_size,), generator=gen)
        noise = torch.randn(x0.shape, generator=gen)
        loss = F.mse_loss(model(sched.add_noise(x0, t, noise), t), noise)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        lr_at.step()
        running.append(loss.item())
        if step % args.log_every == 0 or step == args.num_train_steps:
            steps.append(step)
            losses.append(float(np.mean(running)))
            running = []

    # Held-out denoising loss with fixed timesteps/noise, so runs are comparable.
    model.eval()
    eg = torch.Generator().manual_seed(12345)
    t = torch.randint(0, sched.T, (held.shape[0],), generator=eg)
    noise = torch.randn(held.shape, generator=eg)
    with torch.no_grad():
        eval_loss = F.mse_loss(model(sched.add_noise(held, t, noise), t), noise).item()

    gen_pts = sample(model, sched, args.num_samples, torch.Generator().manual_seed(seed + 777))
    gen_pts = gen_pts.numpy().astype(np.float64)
    final = {
        "eval_loss": eval_loss,
        "train_loss": losses[-1],
        "sw1": sliced_wasserstein(ref, gen_pts),
        "kl_hist": histogram_kl(ref, gen_pts),
        # Same metrics between two independent real samples: the noise floor.
        "sw1_real_floor": sliced_wasserstein(ref, ref2),
        "kl_hist_real_floor": histogram_kl(ref, ref2),
    }
    return final, {"step": steps, "train_loss": losses}, gen_pts, ref


def mean_and_stderr(values):
    a = np.asarray(values, dtype=np.float64)
    return float(a.mean()), float(a.std(ddof=0) / math.sqrt(len(a)))


def main(argv=None):
    args = parse_args(argv)
    configure_torch()
    os.makedirs(args.out_dir, exist_ok=True)
    t_start = time.time()

    final_info, all_results, arrays = {}, {"config": vars(args), "runs": {}}, {}
    for name in args.datasets:
        per_seed = []
        all_results["runs"][name] = []
        for seed in seed_range(args.seeds):
            t0 = time.time()
            final, curves, gen_pts, ref = train_one(args, name, seed)
            per_seed.append(final)
            all_results["runs"][name].append({"seed": seed, "final": final, "curves": curves})
            if seed == 0:
                arrays[f"{name}_generated"] = gen_pts.astype(np.float32)
                arrays[f"{name}_real"] = ref.astype(np.float32)
            print(f"[{name}] seed {seed}: eval_loss {final['eval_loss']:.4f} "
                  f"sw1 {final['sw1']:.4f} (floor {final['sw1_real_floor']:.4f}) "
                  f"kl_hist {final['kl_hist']:.4f} ({time.time() - t0:.1f}s)", flush=True)
        means, stderrs = {}, {}
        for metric in per_seed[0]:
            means[metric], stderrs[metric] = mean_and_stderr([r[metric] for r in per_seed])
        final_info[name] = {"means": means, "stderrs": stderrs}

    with open(os.path.join(args.out_dir, "final_info.json"), "w") as f:
        json.dump(final_info, f, indent=2, sort_keys=True)
    all_results["wall_time_s"] = time.time() - t_start
    with open(os.path.join(args.out_dir, "all_results.json"), "w") as f:
        json.dump(all_results, f)
    np.savez(os.path.join(args.out_dir, "samples.npz"), **arrays)
    print(f"done in {time.time() - t_start:.1f}s; results in {args.out_dir}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
