"""A vectorised float simulator (numpy) for many inputs at once: sampling and plots only.

It runs the same event sweep as :mod:`verisnn.semantics.simulate` on float64 arrays, one row per input.
Floats never decide a verdict in verisnn; this module exists to sample outputs and patterns
quickly, and the tests check it against the exact simulator.
"""

from __future__ import annotations

import numpy as np

from verisnn.core.model import Network


def _as_float(q: object) -> float:
    return float(q)  # type: ignore[arg-type]  # sampling only: parameters as floats


CHUNK = 2048


def simulate_many(net: Network, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """Firing times (float, ``inf`` = silent) of every node for each row of ``inputs`` (N x d)."""
    x = np.asarray(inputs, dtype=float)  # sampling
    if x.ndim != 2 or x.shape[1] != len(net.inputs):
        raise ValueError(f"inputs must have shape (N, {len(net.inputs)}), got {x.shape}")
    if x.shape[0] > CHUNK:  # work in cache-sized blocks of rows
        parts = [simulate_many(net, x[i:i + CHUNK]) for i in range(0, x.shape[0], CHUNK)]
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    n = x.shape[0]
    times: dict[str, np.ndarray] = {name: x[:, j] for j, name in enumerate(net.inputs)}
    for r in net.references:
        times[r.name] = np.full(n, _as_float(r.time))
    for v in net.order:
        times[v] = _first_firing(net, v, times, n)
    return times


def realize_many(net: Network, inputs: np.ndarray) -> np.ndarray:
    """Output firing times, shape (N, number of outputs)."""
    times = simulate_many(net, inputs)
    return np.stack([times[o] for o in net.outputs], axis=1)


def _first_firing(net: Network, v: str, times: dict[str, np.ndarray], n: int) -> np.ndarray:
    theta = _as_float(net.thresholds[v])
    columns, jumps, dslopes = [], [], []
    for s in net.incoming[v]:
        if s.weight == 0:
            continue
        arrival = times[s.source] + _as_float(s.delay)
        w = _as_float(s.weight)
        for e in net.kernel_of(s).events():
            columns.append(arrival + _as_float(e.offset))
            jumps.append(w * _as_float(e.jump))
            dslopes.append(w * _as_float(e.slope_change))
    if not columns:
        return np.full(n, np.inf)
    t = np.stack(columns, axis=1)
    order = np.argsort(t, axis=1)
    t = np.take_along_axis(t, order, axis=1)
    fin = np.isfinite(t)
    jump = np.where(fin, np.asarray(jumps)[order], 0.0)
    slope = np.cumsum(np.where(fin, np.asarray(dslopes)[order], 0.0), axis=1)  # slope right after each event
    with np.errstate(invalid="ignore"):
        gap = np.diff(t, axis=1)
    gap = np.where(np.isfinite(gap), gap, 0.0)
    drift = np.empty_like(t)
    drift[:, 0] = 0.0
    np.multiply(slope[:, :-1], gap, out=drift[:, 1:])
    value = np.cumsum(jump + drift, axis=1)  # P right after each event
    nxt = np.empty_like(t)
    nxt[:, :-1] = t[:, 1:]
    nxt[:, -1] = np.inf
    at_break = np.where(fin & (nxt != t) & (value >= theta), t, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = t + (theta - value) / slope
    in_piece = np.where(fin & (slope > 0) & (value < theta) & (cross < nxt), cross, np.inf)
    return np.minimum(at_break.min(axis=1), in_piece.min(axis=1))
