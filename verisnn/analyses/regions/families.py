"""The network families of the region claims (C9), their bound formulas, and a search for many regions."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from fractions import Fraction
from math import comb

from verisnn.analyses.regions.enumerate import enumerate_regions
from verisnn.core.model import Network, layered


def one_layer(weights: Sequence[Sequence[object]], thresholds: Sequence[object]) -> Network:
    """One layer of spiking neurons, linear kernel, no delays: ``weights[i][j]`` input j -> neuron i."""
    return layered(len(weights[0]), [{"weights": [list(r) for r in weights], "thresholds": list(thresholds)}])


def shared_layer(weights: Sequence[object], thresholds: Sequence[object]) -> Network:
    """``len(thresholds)`` neurons sharing one weight vector."""
    return one_layer([list(weights)] * len(thresholds), thresholds)


def relu_layer_bound(d: int, m: int) -> int:
    """``sum_{j <= d} C(m, j)``: regions of ``m`` hyperplanes in general position in ``R^d``."""
    return sum(comb(m, j) for j in range(d + 1))


def one_layer_bounds(d: int, m: int) -> tuple[int, int]:
    """``(2^d - 1, min(sum_{k<d} C(m kappa_d, k), (2^d - 1)^m))`` with ``kappa_d = d (2^(d-1) - 1)``."""
    kappa = d * (2 ** (d - 1) - 1)
    upper = min(sum(comb(m * kappa, k) for k in range(d)), (2 ** d - 1) ** m)
    return 2 ** d - 1, upper


def search_max_regions(d: int, m: int, *, iterations: int = 60, seed: int = 0,
                       budget: float | None = None) -> tuple[Network, int, list[int]]:
    """Heuristic search (random restarts + hill climbing) for a one-layer network with many regions.

    Weights and thresholds are positive rationals (multiples of 1/4 up to 4, or ``2^k * q`` for
    ``|k| <= 4``, ``q`` in ``[1, 2]``, since region counts depend on ratios); each candidate's
    count is exact (on ``Q^d``).  Returns the best network, its exact count, and the history of
    best counts.  The search itself is heuristic: it gives a lower bound on the maximum.
    """
    rng = random.Random(seed)
    stop = None if budget is None else time.monotonic() + budget

    def rand_q() -> Fraction:
        if rng.random() < 0.5:
            return Fraction(rng.randint(1, 16), 4)
        return Fraction(2) ** rng.randint(-4, 4) * Fraction(rng.randint(4, 8), 4)  # log-uniform scales

    def build(params: list[Fraction]) -> Network:
        w = [params[i * (d + 1): i * (d + 1) + d] for i in range(m)]
        th = [params[i * (d + 1) + d] for i in range(m)]
        return one_layer(w, th)

    size = m * (d + 1)
    best = [rand_q() for _ in range(size)]
    best_count = enumerate_regions(build(best), verify=False).count
    history = [best_count]
    for it in range(iterations):
        if stop is not None and time.monotonic() > stop:
            break
        if it % 15 == 14:
            cand = [rand_q() for _ in range(size)]
        else:
            cand = list(best)
            for _ in range(rng.randint(1, 2)):
                cand[rng.randrange(size)] = rand_q()
        c = enumerate_regions(build(cand), verify=False).count
        if c >= best_count:
            best, best_count = cand, c
        history.append(best_count)
    net = build(best)
    exact = enumerate_regions(net).count  # replayed in the simulator
    return net, exact, history
