"""A vectorised float simulator (numpy) for many inputs at once: sampling and plots only.

It runs the same event sweep as :mod:`verisnn.simulate` on float64 arrays, one row per input.
Floats never decide a verdict in verisnn; this module exists to sample outputs and patterns
quickly, and the tests check it against the exact simulator.
"""

from __future__ import annotations

import numpy as np

from .model import Network


def _as_float(q: object) -> float:
    return float(q)  # type: ignore[arg-type]  # sampling only: parameters as floats


def simulate_many(net: Network, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """Firing times (float, ``inf`` = silent) of every node for each row of ``inputs`` (N x d)."""
    x = np.asarray(inputs, dtype=float)  # sampling
    if x.ndim != 2 or x.shape[1] != len(net.inputs):
        raise ValueError(f"inputs must have shape (N, {len(net.inputs)}), got {x.shape}")
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
    ev_t, ev_jump, ev_slope = [], [], []
    for s in net.incoming[v]:
        if s.weight == 0:
            continue
        arrival = times[s.source] + _as_float(s.delay)
        w = _as_float(s.weight)
        for e in net.kernel_of(s).events():
            ev_t.append(arrival + _as_float(e.offset))
            ev_jump.append(np.full(n, w * _as_float(e.jump)))
            ev_slope.append(np.full(n, w * _as_float(e.slope_change)))
    if not ev_t:
        return np.full(n, np.inf)
    t = np.stack(ev_t, axis=1)
    jump = np.stack(ev_jump, axis=1)
    dslope = np.stack(ev_slope, axis=1)
    finite = np.isfinite(t)
    jump = np.where(finite, jump, 0.0)
    dslope = np.where(finite, dslope, 0.0)
    order = np.argsort(t, axis=1, kind="stable")
    t = np.take_along_axis(t, order, axis=1)
    jump = np.take_along_axis(jump, order, axis=1)
    dslope = np.take_along_axis(dslope, order, axis=1)
    slope = np.cumsum(dslope, axis=1)  # slope right after each event
    with np.errstate(invalid="ignore"):
        gap = np.diff(t, axis=1)
    gap = np.where(np.isfinite(gap), gap, 0.0)
    drift = np.concatenate([np.zeros((n, 1)), slope[:, :-1] * gap], axis=1)
    value = np.cumsum(jump + drift, axis=1)  # P right after each event
    nxt = np.concatenate([t[:, 1:], np.full((n, 1), np.inf)], axis=1)
    last_of_group = nxt != t
    fin = np.isfinite(t)
    at_break = np.where(fin & last_of_group & (value >= theta), t, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = t + (theta - value) / slope
    ok = fin & (slope > 0) & (value < theta) & (cross < nxt)
    in_piece = np.where(ok, cross, np.inf)
    return np.minimum(at_break.min(axis=1), in_piece.min(axis=1))
