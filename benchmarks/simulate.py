"""Benchmark the simulators (a script, not a test): ``python benchmarks/simulate.py``.

1. the exact simulator on a 10-layer x 100-neuron signed network (one input vector, rationals);
2. the numpy simulator on 10^5 inputs of a 3-layer network, side by side with the exact
   simulator on a sample of the same inputs (per-input throughput ratio).
"""

from __future__ import annotations

import argparse
import random
import time
from fractions import Fraction

import numpy as np

from verisnn.core.model import layered
from verisnn.core.numbers import is_finite
from verisnn.semantics.fastsim import realize_many
from verisnn.semantics.simulate import realize, simulate


def signed_network(d: int, width: int, depth: int, seed: int, kernel: object = "linear"):
    """Random signed layered network: weights k/8 in [-1, 2] (about 1/3 negative)."""
    rng = random.Random(seed)
    layers, prev = [], d
    for _ in range(depth):
        weights = [[Fraction(rng.randint(-8, 16), 8) for _ in range(prev)] for _ in range(width)]
        thresholds = [Fraction(rng.randint(4, 4 * prev), 8) for _ in range(width)]
        delays = [[Fraction(rng.randint(0, 4), 8) for _ in range(prev)] for _ in range(width)]
        layers.append({"weights": weights, "thresholds": thresholds, "delays": delays})
        prev = width
    return layered(d, layers, kernel)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--samples", type=int, default=100_000)
    args = ap.parse_args()

    net = signed_network(10, 100, 10, seed=1)
    x = [Fraction(random.Random(2).randint(0, 40), 8) for _ in range(10)]
    t0 = time.perf_counter()
    sim = simulate(net, x)
    exact_s = time.perf_counter() - t0
    firing = sum(1 for v in net.order if is_finite(sim.times[v]))
    print(f"exact simulator, 10 layers x 100 neurons (signed, {len(net.synapses)} synapses): "
          f"{exact_s:.3f} s for one input; {firing}/{len(net.order)} neurons fire")

    small = signed_network(4, 32, 3, seed=3)
    xs = np.random.default_rng(4).uniform(0, 4, size=(args.samples, 4))
    t0 = time.perf_counter()
    out = realize_many(small, xs)
    fast_s = time.perf_counter() - t0
    k = 200
    t0 = time.perf_counter()
    for row in xs[:k]:
        realize(small, [Fraction(float(v)) for v in row])  # timing baseline: exact per-input cost
    exact_per = (time.perf_counter() - t0) / k
    print(f"numpy simulator, 3 layers x 32 neurons, {args.samples} inputs: {fast_s:.3f} s "
          f"({fast_s / args.samples * 1e6:.2f} us/input); exact simulator {exact_per * 1e6:.0f} us/input; "
          f"ratio exact/numpy per input = {exact_per / (fast_s / args.samples):.0f}x; "
          f"silent outputs: {np.isinf(out).mean():.1%}")


if __name__ == "__main__":
    main()
