"""Seeded random networks for claims, tests and benchmarks (exact rationals, reproducible)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from verisnn.core.model import Network, layered


def positive_linear(widths: Sequence[int], seed: int, kernel: Any = "linear", delays: bool = True) -> Network:
    """A layered network ``widths[0]-...-widths[-1]`` with weights in [1/4, 2], thresholds in [1/4, 3/2 * fan-in]."""
    rng = random.Random(seed)
    layers = []
    for prev, width in itertools.pairwise(widths):
        layers.append({
            "weights": [[Fraction(rng.randint(1, 8), 4) for _ in range(prev)] for _ in range(width)],
            "thresholds": [Fraction(rng.randint(1, 6 * prev), 4) for _ in range(width)],
            "delays": [[Fraction(rng.randint(0, 4), 4) if delays else 0 for _ in range(prev)] for _ in range(width)],
        })
    return layered(widths[0], layers, kernel)


def signed(widths: Sequence[int], seed: int, kernel: Any = "linear") -> Network:
    """Like :func:`positive_linear` but about a third of the weights negative (in [-1, -1/4])."""
    rng = random.Random(seed)
    layers = []
    for prev, width in itertools.pairwise(widths):
        rows = []
        for _ in range(width):
            row = [Fraction(rng.randint(1, 8), 4) * (-1 if rng.random() < 1 / 3 else 1) for _ in range(prev)]
            if sum(row) <= 0:
                row[0] = abs(row[0]) + 1
            rows.append(row)
        layers.append({"weights": rows, "thresholds": [Fraction(rng.randint(1, 4 * prev), 4) for _ in range(width)]})
    return layered(widths[0], layers, kernel)


def size_widths(size: dict, default: Sequence[int]) -> list[int]:
    widths = size.get("widths", list(default))
    if not isinstance(widths, list) or len(widths) < 2 or not all(isinstance(w, int) and w >= 1 for w in widths):
        from verisnn.core.errors import InvalidInput

        raise InvalidInput(f"size 'widths' must be a list of at least two positive integers, got {widths!r}")
    return widths


size_widths.size_keys = ("widths",)  # type: ignore[attr-defined]  # what it reads, for registry.keys_read
