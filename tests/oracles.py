"""Differential checks against the exact simulator, shared by the default tests and the slow tier.

Each function takes one generated case and asserts that another part of verisnn agrees with
:func:`verisnn.semantics.simulate.simulate` on it (docs/testing.md lists them).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest
import z3

from verisnn.core.domain import Box
from verisnn.core.model import Network
from verisnn.core.numbers import INF, Time, is_finite
from verisnn.semantics.bounds import firing_bounds
from verisnn.semantics.fastsim import simulate_flagged, simulate_many
from verisnn.semantics.simulate import potential, simulate
from verisnn.smt.snn import encode, encode_below
from verisnn.smt.terms import q


def _fixed(constraints: Sequence[z3.BoolRef], inputs: Sequence[z3.ArithRef], x: Sequence[Fraction]) -> z3.Solver:
    s = z3.Solver()
    s.add(*constraints)
    s.add(*[t == q(v) for t, v in zip(inputs, x)])
    return s


def check_encoding(net: Network, x: Sequence[Fraction], box: Box | None = None) -> None:
    """With the inputs fixed to ``x``, the encoding's solution is unique and is the simulation.

    Unique on: the firing flags, the times of firing neurons, every causal Boolean, and the kernel
    piece (``in_piece``) of every causal synapse at the firing time.
    """
    sim = simulate(net, x)
    enc = encode(net, "d", box=box)
    s = _fixed(enc.constraints, enc.inputs, x)
    assert s.check() == z3.sat, "the encoding has no solution for these inputs"
    got = enc.read(s.model())
    for v in net.order:
        assert got[v] == sim.times[v], (v, got[v], sim.times[v])
    deviations = []
    for v in net.order:
        t = sim.times[v]
        fires, time = enc.fires[v], enc.time[v]
        deviations.append(fires if not is_finite(t) else z3.Or(z3.Not(fires), time != q(t)))
        act = sim.activations[v]
        causal = dict(zip(act.causal, act.pieces)) if act is not None else {}
        for k in range(len(net.incoming[v])):
            if k in causal:
                deviations.append(z3.Not(enc.in_piece(v, k, causal[k])))
            else:
                deviations.append(enc.causal[(v, k)])
    if deviations:
        assert s.check(z3.Or(*deviations)) == z3.unsat, "the encoding admits a second solution"


def check_encode_below(net: Network, x: Sequence[Fraction]) -> None:
    """Positive linear networks: every solution has ``T <= t``, ``T = t`` is one, and lowering an output stays one."""
    sim = simulate(net, x)
    enc = encode_below(net, "h")
    s = _fixed(enc.constraints, enc.inputs, x)
    firing = [v for v in net.order if is_finite(sim.times[v])]
    for v in net.order:
        assert z3.is_true(enc.fires[v]) == (v in firing), v
    if not firing:
        return
    assert s.check(*[enc.time[v] == q(sim.times[v]) for v in firing]) == z3.sat
    assert s.check(z3.Or(*[enc.time[v] > q(sim.times[v]) for v in firing])) == z3.unsat
    for o, t in zip(net.outputs, enc.outputs):
        if is_finite(sim.times[o]):
            assert s.check(t == q(sim.times[o] - 1)) == z3.sat, o


def check_first_crossing(net: Network, x: Sequence[Time]) -> None:
    """The sweep's time is the definition's: ``P(t_v) >= theta`` and ``P < theta`` before it.

    ``P`` is piecewise linear between breakpoints, so it is checked at every breakpoint before
    ``t_v`` (right value and left limit), at midpoints, and after the last one for silent neurons.
    """
    sim = simulate(net, x)
    times = sim.times
    for v in net.order:
        theta = net.thresholds[v]
        marks: set[Fraction] = set()
        for s in net.incoming[v]:
            if is_finite(times[s.source]):
                a = times[s.source] + s.delay  # type: ignore[operator]
                marks.update(a + b for b in net.kernel_of(s).breakpoints)
        t = times[v]
        before = sorted(m for m in marks if not is_finite(t) or m < t)  # type: ignore[operator]
        probes = list(before) + [(a + b) / 2 for a, b in pairwise(before)]
        if before:
            probes.append(before[0] - 1)
            end = t if is_finite(t) else before[-1] + 2
            probes.append((before[-1] + end) / 2)  # type: ignore[operator]
            if not is_finite(t):
                probes += [before[-1] + 1, before[-1] + 100]
        for p in probes:
            assert potential(net, times, v, p) < theta, (v, p)
        if is_finite(t):
            assert potential(net, times, v, t) >= theta, v  # type: ignore[arg-type]
        else:  # silent: the final slope cannot be positive
            slope = sum(
                (s.weight * net.kernel_of(s).pieces[-1].slope for s in net.incoming[v] if is_finite(times[s.source])),
                Fraction(0),
            )
            assert slope <= 0, v


def check_bounds(net: Network, box: Box, points: Sequence[Sequence[Fraction]]) -> None:
    """``firing_bounds`` over ``box`` contains every node's simulated time at each point of the box.

    For a positive linear network the bounds are exact: the simulations at the lowest and highest
    corners attain them.
    """
    bounds = firing_bounds(net, box)
    for x in points:
        assert box.contains(x)
        sim = simulate(net, x)
        for v in net.order:
            assert bounds[v].contains(sim.times[v]), (v, [str(a) for a in x], sim.times[v], str(bounds[v]))
    if net.positive_linear:
        low, high = simulate(net, box.lo), simulate(net, box.hi)
        for v in net.order:
            b = bounds[v]
            if is_finite(low.times[v]):
                assert b.may_fire and b.lo == low.times[v], (v, str(b), low.times[v])
            else:
                assert not b.may_fire, (v, str(b))
            if is_finite(high.times[v]):
                assert b.must_fire and b.hi == high.times[v], (v, str(b), high.times[v])


def check_fastsim(net: Network, x: np.ndarray) -> tuple[int, int]:
    """Unflagged rows of the float sweep match the exact times; ``simulate_many`` matches on every row.

    Returns (rows, flagged rows).
    """
    run = simulate_flagged(net, x)
    resolved = simulate_many(net, x)
    for i, row in enumerate(x):
        exact = simulate(net, [Fraction(float(a)) if np.isfinite(a) else INF for a in row])
        for v in net.order:
            e = exact.times[v]
            if is_finite(e):
                want = float(e)  # test comparison of a float result
                assert resolved[v][i] == pytest.approx(want, rel=1e-9, abs=1e-9), (v, row, e)
                if not run.needs_exact[i]:
                    assert run.times[v][i] == pytest.approx(want, rel=1e-9, abs=1e-9), (v, row, e)
            else:
                assert resolved[v][i] == np.inf, (v, row)
                if not run.needs_exact[i]:
                    assert run.times[v][i] == np.inf, (v, row)
    return len(x), int(run.needs_exact.sum())
