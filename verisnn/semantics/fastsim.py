"""A vectorised float simulator (numpy) for many inputs at once: sampling and plots only.

It runs the same event sweep as :mod:`verisnn.semantics.simulate` on float64 arrays, one row per
input: events at equal times are processed together, and a neuron fires at the first breakpoint
where its potential is at or above the threshold, or where it crosses the threshold inside a
linear piece.

Floats decide nothing at a tie.  Every decision of the sweep (is the potential at or above the
threshold at a breakpoint, does it cross before the next breakpoint, do two breakpoints coincide,
is the slope of the last piece positive) is made with a margin: when the float quantity lies within
a relative ``TOLERANCE`` of its boundary, the row is flagged as *needs exact*
(:func:`simulate_flagged`).  :func:`simulate_many` resimulates the flagged rows with the exact
simulator (the float inputs converted exactly to rationals), so its answer is the exact one on
them; on the others the float times are within rounding of the exact ones, which holds as long
as accumulated rounding stays below the margin (small networks with parameters of moderate size;
a nonzero exact quantity smaller than the margin can still be misread).  Verdicts never rest on
this module; docs/testing.md describes how the tests check it against the exact simulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from verisnn.core.errors import InvalidInput
from verisnn.core.model import Network
from verisnn.core.numbers import INF
from verisnn.semantics.simulate import simulate


def _as_float(q: object) -> float:
    return float(q)  # type: ignore[arg-type]  # sampling only: parameters as floats


CHUNK = 2048
#: relative margin below which a float decision is not trusted (the row needs exact simulation)
TOLERANCE = 1e-9


@dataclass(frozen=True)
class FloatRun:
    """Float firing times (``inf`` = silent) of every node, and the rows that need exact simulation.

    ``needs_exact[i]`` is True when some decision of the float sweep on row ``i`` was within the
    margin of a tie; the times of such a row may be wrong (fired vs silent, or a different event).
    """

    times: dict[str, np.ndarray]
    needs_exact: np.ndarray


def simulate_flagged(net: Network, inputs: np.ndarray) -> FloatRun:
    """Float firing times of every node for each row of ``inputs`` (N x d), with the tie flags."""
    x = _check(net, inputs)
    if x.shape[0] > CHUNK:  # work in cache-sized blocks of rows
        parts = [simulate_flagged(net, x[i:i + CHUNK]) for i in range(0, x.shape[0], CHUNK)]
        return FloatRun(
            {k: np.concatenate([p.times[k] for p in parts]) for k in parts[0].times},
            np.concatenate([p.needs_exact for p in parts]),
        )
    n = x.shape[0]
    times: dict[str, np.ndarray] = {name: x[:, j] for j, name in enumerate(net.inputs)}
    for r in net.references:
        times[r.name] = np.full(n, _as_float(r.time))
    flagged = np.zeros(n, dtype=bool)
    for v in net.order:
        times[v], near = _first_firing(net, v, times, n)
        flagged |= near
    return FloatRun(times, flagged)


def simulate_many(net: Network, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """Firing times (float, ``inf`` = silent) of every node for each row of ``inputs`` (N x d).

    Rows that :func:`simulate_flagged` flags are resimulated exactly, so at a tie the answer is
    the exact simulator's (rounded to float).
    """
    x = _check(net, inputs)
    run = simulate_flagged(net, x)
    times = {k: np.array(v, dtype=float) for k, v in run.times.items()}
    for i in np.flatnonzero(run.needs_exact):
        row = [Fraction(float(a)) if np.isfinite(a) else INF for a in x[i]]  # sampling: the exact value of the float input, checked exactly
        sim = simulate(net, row)
        for name, t in sim.times.items():
            times[name][i] = float(t)  # sampling: the exact time, rounded
    return times


def realize_many(net: Network, inputs: np.ndarray) -> np.ndarray:
    """Output firing times, shape (N, number of outputs), ties resolved exactly."""
    times = simulate_many(net, inputs)
    return np.stack([times[o] for o in net.outputs], axis=1)


def _check(net: Network, inputs: np.ndarray) -> np.ndarray:
    x = np.asarray(inputs, dtype=float)  # sampling
    if x.ndim != 2 or x.shape[1] != len(net.inputs):
        raise InvalidInput(f"inputs must have shape (N, {len(net.inputs)}), got {x.shape}")
    if np.isnan(x).any() or np.isneginf(x).any():
        raise InvalidInput("input times must be numbers or +inf (no spike), got NaN or -inf")
    return x


def _near(a: np.ndarray, b: np.ndarray | float, scale: np.ndarray | float) -> np.ndarray:
    """``a`` and ``b`` are within the margin of each other, relative to ``scale`` (at least 1)."""
    with np.errstate(invalid="ignore"):
        return np.abs(a - b) <= TOLERANCE * np.maximum(1.0, scale)


def _first_firing(net: Network, v: str, times: dict[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Float first firing time of ``v`` per row, and whether a decision on that row was a near-tie."""
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
        return np.full(n, np.inf), np.zeros(n, dtype=bool)
    t = np.stack(columns, axis=1)
    order = np.argsort(t, axis=1, kind="stable")
    t = np.take_along_axis(t, order, axis=1)
    fin = np.isfinite(t)
    jump = np.where(fin, np.asarray(jumps)[order], 0.0)
    dslope = np.where(fin, np.asarray(dslopes)[order], 0.0)
    slope = np.cumsum(dslope, axis=1)  # slope right after each event
    slope_scale = np.abs(dslope).sum(axis=1, keepdims=True)  # bounds the size of the terms summed into ``slope``
    with np.errstate(invalid="ignore"):
        gap = np.diff(t, axis=1)
    gap = np.where(np.isfinite(gap), gap, 0.0)
    drift = np.empty_like(t)
    drift[:, 0] = 0.0
    np.multiply(slope[:, :-1], gap, out=drift[:, 1:])
    value = np.cumsum(jump + drift, axis=1)  # P right after each event
    value_scale = np.maximum(theta, np.cumsum(np.abs(jump) + np.abs(drift), axis=1))
    nxt = np.empty_like(t)
    nxt[:, :-1] = t[:, 1:]
    nxt[:, -1] = np.inf
    last_of_group = nxt != t
    nxt_fin = np.isfinite(nxt)
    at_break = np.where(fin & last_of_group & (value >= theta), t, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = t + (theta - value) / slope
        before_next = value + slope * np.where(nxt_fin, nxt - t, 0.0)  # P just before the next event
    in_piece = np.where(fin & (slope > 0) & (value < theta) & (cross < nxt), cross, np.inf)
    result = np.minimum(at_break.min(axis=1), in_piece.min(axis=1))
    # Near-ties among the decisions that led to ``result`` (those at events up to it).
    close_next = _near(t, nxt, np.abs(t))  # may coincide exactly (or not); False when nxt is inf
    near = (
        _near(value, theta, value_scale)  # at/above the threshold at this breakpoint?
        | (close_next & (value >= theta - TOLERANCE * value_scale))  # a group split (or merged) by rounding
        | (nxt_fin & (slope > 0) & _near(before_next, theta, value_scale))  # crossing at the next event?
        | (~nxt_fin & (value < theta) & (slope != 0) & _near(slope, 0.0, slope_scale))  # last slope sign?
    )
    with np.errstate(invalid="ignore"):
        relevant = fin & (t <= result[:, None] + TOLERANCE * np.maximum(1.0, np.abs(t)))
    return result, (near & relevant).any(axis=1)
