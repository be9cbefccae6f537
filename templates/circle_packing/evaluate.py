"""The sealed judge of the circle_packing template: checks a packing and scores it.

Shoal seals this file (template.json "sealed"): a run whose copy differs from the
template's counts as failed, so the score can only come from here.

A packing is valid when it has exactly N_CIRCLES circles, every centre and radius is a
finite number, every radius is >= 0, every circle lies inside the unit square and no two
circles overlap. Touching is allowed; both tests accept an error of TOLERANCE. The score
of a valid packing is the sum of its radii; an invalid one scores 0 and carries the
reason (the first problem found).
"""

import math

N_CIRCLES = 26
TOLERANCE = 1e-9


def check(centres, radii):
    """Returns (valid, reason): reason is "" for a valid packing, else the first problem."""
    try:
        centres = [(float(c[0]), float(c[1])) for c in centres]
        radii = [float(r) for r in radii]
    except (TypeError, ValueError, IndexError) as e:
        return False, f"centres must be (x, y) pairs and radii numbers ({e})"
    if len(centres) != N_CIRCLES or len(radii) != N_CIRCLES:
        return False, f"{len(centres)} centres and {len(radii)} radii; a packing has {N_CIRCLES} of each"
    for i, ((x, y), r) in enumerate(zip(centres, radii)):
        if not all(math.isfinite(v) for v in (x, y, r)):
            return False, f"circle {i} has a non-finite value (x={x}, y={y}, r={r})"
        if r < 0:
            return False, f"circle {i} has a negative radius {r}"
        if x - r < -TOLERANCE or x + r > 1 + TOLERANCE or y - r < -TOLERANCE or y + r > 1 + TOLERANCE:
            return False, f"circle {i} (x={x:.6g}, y={y:.6g}, r={r:.6g}) leaves the unit square"
    for i in range(N_CIRCLES):
        xi, yi = centres[i]
        for j in range(i + 1, N_CIRCLES):
            xj, yj = centres[j]
            gap = math.hypot(xi - xj, yi - yj) - radii[i] - radii[j]
            if gap < -TOLERANCE:
                return False, f"circles {i} and {j} overlap by {-gap:.3g}"
    return True, ""


def evaluate(centres, radii):
    """{"valid": bool, "reason": str, "sum_radii": float} (sum_radii is 0 when invalid)."""
    valid, reason = check(centres, radii)
    return {"valid": valid, "reason": reason, "sum_radii": float(sum(float(r) for r in radii)) if valid else 0.0}
