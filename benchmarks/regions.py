"""Exact region counts vs sampling estimates with the same time budget.

Run:  python benchmarks/regions.py [--quick]

For each network (one layer d = 3, m in {2, 4, 8}; two layers 3-4-4 and 3-8-8; a signed
box-kernel network), the exact enumeration of :mod:`verisnn.analyses.regions` runs first; then the float
simulator samples patterns for the same wall-clock time, once at uniform random points of the box
and once on a regular grid with as many points as the random run managed.  Sampled counts are
lower estimates (thin regions are missed) and can be off by rounding at boundaries; exact counts
are exact.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verisnn.core.domain import Box
from verisnn.claims.generators import positive_linear, signed
from verisnn.core.model import Network
from verisnn.analyses.regions import enumerate_regions, sample_patterns


def sample_random(net: Network, box: Box, budget: float, rng: np.random.Generator) -> tuple[int, int]:
    lo = np.array([float(v) for v in box.lo])  # sampling
    hi = np.array([float(v) for v in box.hi])  # sampling
    seen: set[tuple] = set()
    n = 0
    start = time.perf_counter()
    batch = 2000
    while time.perf_counter() - start < budget or n == 0:
        pts = lo + (hi - lo) * rng.random((batch, box.dimension))
        seen |= sample_patterns(net, pts)
        n += batch
        batch = min(batch * 2, 200_000)
    return len(seen), n


def sample_grid(net: Network, box: Box, points: int) -> tuple[int, int, float]:
    k = max(2, round(points ** (1 / box.dimension)))
    axes = [np.linspace(float(a), float(b), k) for a, b in zip(box.lo, box.hi)]  # sampling
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, box.dimension)
    start = time.perf_counter()
    seen: set[tuple] = set()
    for chunk in np.array_split(grid, max(1, len(grid) // 100_000)):
        seen |= sample_patterns(net, chunk)
    return len(seen), len(grid), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 3-8-8 network")
    args = parser.parse_args()
    box = Box.uniform(0, 4, 3)
    cases = [
        ("1 layer 3-2", positive_linear([3, 2], 1, delays=False)),
        ("1 layer 3-4", positive_linear([3, 4], 1, delays=False)),
        ("1 layer 3-8", positive_linear([3, 8], 1, delays=False)),
        ("2 layers 3-4-4", positive_linear([3, 4, 4], 1, delays=False)),
        ("2 layers 3-4-4 delays", positive_linear([3, 4, 4], 2)),
        ("signed box(2) 3-3-2", signed([3, 3, 2], 1, {"name": "box", "delta": "2"})),
    ]
    if not args.quick:
        cases.append(("2 layers 3-8-8", positive_linear([3, 8, 8], 1, delays=False)))
    rng = np.random.default_rng(0)
    head = f"{'network':<24}{'exact':>7}{'pieces':>8}{'exact s':>9}{'random':>8}{'points':>10}{'grid':>7}{'points':>10}"
    print(f"box {box}; sampling gets the exact enumeration's wall-clock time")
    print(head)
    print("-" * len(head))
    for name, net in cases:
        t0 = time.perf_counter()
        rm = enumerate_regions(net, box)
        exact_s = time.perf_counter() - t0  # timing
        budget = max(exact_s, 0.2)
        r_count, r_points = sample_random(net, box, budget, rng)
        g_count, g_points, _ = sample_grid(net, box, r_points)
        print(f"{name:<24}{rm.count:>7}{rm.pieces:>8}{exact_s:>9.2f}{r_count:>8}{r_points:>10}{g_count:>7}{g_points:>10}",
              flush=True)


if __name__ == "__main__":
    main()
