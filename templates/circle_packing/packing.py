"""The constructor the agent improves: where to put 26 circles in the unit square.

construct() returns (centres, radii) for one seed. The baseline places the centres on a
starting layout (rows of a grid, a hexagonal pattern, two rings or at random), optionally
jitters them, moves them for `iters` steps of Adam on a penalty objective (sum of radii
minus a growing penalty for overlaps and for leaving the square), and finally gives each
centre the largest radii that fit (a linear program), shrunk where needed so that the
packing is valid. evaluate.py (sealed) judges the result.
"""

import numpy as np
from scipy.optimize import linprog

N = 26
LAYOUTS = ("grid", "hex", "ring", "random")


def row_counts(rows):
    """Circles per row: N spread over `rows` rows as evenly as possible."""
    base, extra = divmod(N, rows)
    return [base + (1 if k < extra else 0) for k in range(rows)]


def initial_centres(layout, rows, rng):
    if layout in ("grid", "hex"):
        pts = []
        for k, count in enumerate(row_counts(rows)):
            shift = 0.25 / count if layout == "hex" and k % 2 else 0.0
            for i in range(count):
                pts.append(((i + 0.5) / count + shift, (k + 0.5) / rows))
        return np.array(pts)
    if layout == "ring":
        # One circle in the middle, 8 around it, 17 on an outer ring.
        pts = [(0.5, 0.5)]
        for count, radius, phase in ((8, 0.24, 0.0), (17, 0.44, 0.1)):
            angles = phase + 2 * np.pi * np.arange(count) / count
            pts += list(zip(0.5 + radius * np.cos(angles), 0.5 + radius * np.sin(angles)))
        return np.array(pts)
    return rng.uniform(0.1, 0.9, size=(N, 2))


def lp_radii(centres):
    """The radii with the largest sum for fixed centres (each inside the square, no overlap)."""
    i, j = np.triu_indices(N, 1)
    dist = np.linalg.norm(centres[i] - centres[j], axis=1)
    a = np.zeros((len(i), N))
    a[np.arange(len(i)), i] = 1.0
    a[np.arange(len(i)), j] = 1.0
    wall = np.min(np.hstack([centres, 1.0 - centres]), axis=1)
    res = linprog(-np.ones(N), A_ub=a, b_ub=dist, bounds=list(zip([0.0] * N, np.maximum(wall, 0.0))),
                  method="highs")
    return res.x if res.success else np.zeros(N)


def make_valid(centres, radii):
    """Shrinks radii until the packing is valid (the LP's own tolerance can leave ~1e-9)."""
    radii = np.clip(radii, 0.0, np.min(np.hstack([centres, 1.0 - centres]), axis=1)) * (1 - 1e-12)
    for a in range(N):
        for b in range(a + 1, N):
            d = float(np.linalg.norm(centres[a] - centres[b]))
            total = radii[a] + radii[b]
            if total > d and total > 0:
                radii[a] *= d / total
                radii[b] *= d / total
    return radii


def refine(centres, iters, lr):
    """Adam on -(sum of radii) + mu * (squared overlaps and wall violations); mu grows
    from 10 to 1e5 and the step size decays to zero over the `iters` steps."""
    if iters <= 0:
        return centres
    x = np.hstack([centres.ravel(), np.full(N, 0.05)])
    m, v = np.zeros_like(x), np.zeros_like(x)
    i, j = np.triu_indices(N, 1)
    for t in range(1, iters + 1):
        mu = 10.0 * 1e4 ** (t / iters)
        c, r = x[:2 * N].reshape(N, 2), x[2 * N:]
        diff = c[i] - c[j]
        dist = np.sqrt((diff ** 2).sum(1)) + 1e-12
        over = 2 * mu * np.maximum(r[i] + r[j] - dist, 0.0)
        grad_r = -1.0 + np.bincount(i, over, N) + np.bincount(j, over, N)
        push = (over / dist)[:, None] * diff
        grad_c = np.stack([np.bincount(j, push[:, a], N) - np.bincount(i, push[:, a], N) for a in range(2)], 1)
        low = 2 * mu * np.maximum(r[:, None] - c, 0.0)
        high = 2 * mu * np.maximum(c + r[:, None] - 1.0, 0.0)
        grad_r += (low + high).sum(1)
        grad_c += high - low
        g = np.hstack([grad_c.ravel(), grad_r])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        step = lr * (1.0 - (t - 1) / iters)
        x -= step * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        x[:2 * N] = np.clip(x[:2 * N], 0.0, 1.0)
        x[2 * N:] = np.maximum(x[2 * N:], 0.0)
    return x[:2 * N].reshape(N, 2)


def construct(layout="grid", rows=5, jitter=0.0, iters=0, lr=0.01, seed=0):
    """(centres as an (N, 2) array, radii as an (N,) array) for one seed."""
    rng = np.random.default_rng(seed)
    centres = initial_centres(layout, rows, rng)
    if jitter > 0:
        centres = centres + rng.normal(0.0, jitter, size=centres.shape)
    centres = np.clip(centres, 0.0, 1.0)
    centres = refine(centres, iters, lr)
    return centres, make_valid(centres, lp_radii(centres))
