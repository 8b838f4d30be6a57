"""Sound firing-time bounds: they contain every sampled simulation, and are exact for positive linear networks."""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import networks, rationals

from verisnn.analyses.properties import check_property
from verisnn.core.domain import Box
from verisnn.core.model import layered
from verisnn.core.numbers import INF
from verisnn.core.results import Verdict
from verisnn.semantics.bounds import NEVER, Interval, firing_bounds, is_monotone_neuron, output_bounds
from verisnn.semantics.simulate import simulate


def _samples(box: Box, n: int, seed: int) -> list[tuple[F, ...]]:
    rng = random.Random(seed)
    pts = list(box.corners())[:16] + [box.center()]
    for _ in range(n):
        pts.append(tuple(lo + (hi - lo) * F(rng.randint(0, 16), 16) for lo, hi in zip(box.lo, box.hi)))
    return pts


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_bounds_contain_every_sampled_firing_time(data):
    """Random networks of every kind: every node's simulated time (or silence) lies in its interval."""
    net = data.draw(networks())
    lo = [data.draw(rationals(-2, 3)) for _ in net.inputs]
    width = [data.draw(rationals(0, 2)) for _ in net.inputs]
    box = Box(tuple(lo), tuple(a + w for a, w in zip(lo, width)))
    bounds = firing_bounds(net, box)
    for x in _samples(box, 12, data.draw(st.integers(0, 10**6))):
        sim = simulate(net, x)
        for v in net.order:
            assert bounds[v].contains(sim.times[v]), (v, str(bounds[v]), sim.times[v], x)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_positive_linear_bounds_are_attained_at_the_corners(data):
    """Positive linear networks: bounds equal the firing times at the lowest and highest corner."""
    net = data.draw(networks(positive=True, finite_kernels=False))
    lo = [data.draw(rationals(-2, 3)) for _ in net.inputs]
    box = Box(tuple(lo), tuple(a + data.draw(rationals(0, 2)) for a in lo))
    bounds = firing_bounds(net, box)
    low, high = simulate(net, box.lo), simulate(net, box.hi)
    for v in net.order:
        b = bounds[v]
        if low.times[v] == INF:
            assert b == NEVER
            continue
        assert b.must_fire and b.lo == low.times[v] and b.hi == high.times[v]
    for x in _samples(box, 8, 1):
        for o, b in zip(net.outputs, output_bounds(net, box)):
            assert b.contains(simulate(net, x).times[o])


def test_bounds_property_is_exact_and_attained_for_positive_linear():
    """check bounds on a positive linear network returns the corner values, attained, and proves them."""
    net = layered(2, [{"weights": [[1, 2], [2, 1]], "thresholds": [2, 3]}, {"weights": [[1, 1]], "thresholds": [1]}])
    box = Box((F(0), F(1)), (F(1), F(3)))
    r = check_property(net, "bounds", box)
    assert r.verdict is Verdict.PROVED
    (entry,) = r.details["bounds"].values()
    assert entry["min"] == simulate(net, box.lo).outputs[0] and entry["min_attained"]
    assert entry["max"] == simulate(net, box.hi).outputs[0] and entry["max_attained"]
    for x in _samples(box, 30, 2):
        assert entry["min"] <= simulate(net, x).outputs[0] <= entry["max"]


def test_bounds_property_reports_silence():
    """An inhibited output that can be silent has max inf with an input where it is silent."""
    net = layered(2, [{"weights": [[1, -1]], "thresholds": [1]}])
    r = check_property(net, "bounds", Box.uniform(0, 2, 2))
    assert r.verdict is Verdict.PROVED
    (entry,) = r.details["bounds"].values()
    assert entry["max"] == INF and entry["can_be_silent"]
    assert simulate(net, entry["argmax"]).outputs[0] == INF
    assert entry["min"] == 1


def test_interval_rules():
    """Monotone neurons get exact intervals, signed ones a lower bound and possible silence."""
    net = layered(2, [{"weights": [[1, 1], [1, -1]], "thresholds": [1, 1]}])
    box = Box.uniform(0, 1, 2)
    b = firing_bounds(net, box)
    assert is_monotone_neuron(net, "l1n0") and not is_monotone_neuron(net, "l1n1")
    assert b["l1n0"] == Interval(F(1, 2), F(3, 2), True, True)
    assert b["l1n1"].may_fire and not b["l1n1"].must_fire and b["l1n1"].lo == 1 and b["l1n1"].hi == INF
    assert not NEVER.contains(F(0)) and NEVER.contains(INF)


def _check_sound(net, box, seed):
    bounds = firing_bounds(net, box)
    pts = _samples(box, 12, seed)
    for x in pts:
        sim = simulate(net, x)
        for v in net.order:
            assert bounds[v].contains(sim.times[v]), (v, x, sim.times[v], bounds[v])
    return len(pts)


def _nondecreasing_networks():
    from strategies import kernel_family

    return networks(kernels=st.one_of(kernel_family("linear"), kernel_family("saturating")))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_signed_nondecreasing_kernels_get_two_sided_bounds(data):
    """Signed linear/saturating networks (delays, references): the P_low/P_up bounds hold at every sample."""
    net = data.draw(_nondecreasing_networks())
    lo = [data.draw(rationals(-2, 3)) for _ in net.inputs]
    box = Box(tuple(lo), tuple(a + data.draw(rationals(0, 2)) for a in lo))
    _check_sound(net, box, data.draw(st.integers(0, 10**6)))


def test_signed_bounds_are_tight_on_an_example():
    """x0 excites, x1 inhibits: t >= 1 (attained at x = (0, 1)), may be silent; a settled neuron gets a finite hi."""
    net = layered(2, [{"weights": [[1, -1], [2, -1]], "thresholds": [1, 1]}])
    b = firing_bounds(net, Box.uniform(0, 1, 2))
    assert b["l1n0"].lo == 1 and simulate(net, [F(0), F(1)]).times["l1n0"] == 1 and not b["l1n0"].must_fire
    # l1n1: P_low = 2 (t-1)^+ - t^+ crosses 1 at t = 3, P_up = 2 t^+ - (t-1)^+ at t = 1/2
    assert b["l1n1"] == Interval(F(1, 2), F(3), True, True)
    assert simulate(net, [F(1), F(0)]).times["l1n1"] == 3 and simulate(net, [F(0), F(1)]).times["l1n1"] == F(1, 2)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_slow_bounds_of_every_kernel(data):
    """Slow tier: 1000 random networks of every kernel (about 25 samples each) inside their bounds."""
    net = data.draw(st.one_of(networks(), _nondecreasing_networks()))
    lo = [data.draw(rationals(-2, 3)) for _ in net.inputs]
    box = Box(tuple(lo), tuple(a + data.draw(rationals(0, 2)) for a in lo))
    _check_sound(net, box, data.draw(st.integers(0, 10**6)))
