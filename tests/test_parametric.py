"""The parametric library: each statement about a whole one-neuron family proved, and refuted when a hypothesis goes.

Every refutation is re-checked here, independently of the library, by simulating the network the
counterexample names (its file form and parameters) on its inputs.
"""

from __future__ import annotations

from fractions import Fraction as F
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verisnn.analyses.parametric import (
    causal_regions_all_weights,
    lipschitz_all_weights,
    min_formula_all_weights,
    min_formula_on_box,
    min_over_subsets,
    neuron,
    search_jump,
)
from verisnn.core.domain import Box
from verisnn.core.numbers import is_finite
from verisnn.core.results import Verdict
from verisnn.io import network_from_json
from verisnn.semantics.simulate import realize, simulate
from verisnn.solvers import SolverOptions


def _subsets(d):
    return [S for r in range(1, d + 1) for S in combinations(range(d), r)]


def _network_and_parameters(cex, d):
    net = network_from_json(cex.network)
    ws = [cex.parameters[f"w{i}"] for i in range(d)]
    return net, ws, cex.parameters["theta"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 16), min_size=1, max_size=3), st.integers(1, 12),
       st.lists(st.integers(-16, 16), min_size=3, max_size=3))
def test_min_over_subsets_is_the_simulated_time(ws, theta, xs):
    """Positive weights: the exact simulator's firing time is the min-over-subsets formula (the library's oracle)."""
    ws = [F(w, 4) for w in ws]
    xs = [F(x, 4) for x in xs[: len(ws)]]
    assert realize(neuron(ws, F(theta, 4)), xs)[0] == min_over_subsets(ws, F(theta, 4), xs)


def test_min_formula_on_a_box_both_ways():
    """A positive neuron satisfies the formula on a box; the same check with a negative weight finds a violation."""
    assert min_formula_on_box([F(1), F(2)], F(1), Box.uniform(-4, 4, 2)).verdict is Verdict.PROVED
    r = min_formula_on_box([F(3), F(-1)], F(1), Box.uniform(0, 4, 2))
    assert r.verdict is Verdict.REFUTED
    (x,) = r.counterexample.inputs
    assert realize(neuron([F(3), F(-1)], F(1)), x)[0] != min_over_subsets([F(3), F(-1)], F(1), x)


def test_min_formula_all_weights_both_ways():
    """Proved for every positive weight vector (d = 2); with signed weights the solver's neuron disagrees."""
    assert min_formula_all_weights(2).verdict is Verdict.PROVED
    r = min_formula_all_weights(2, signed=True)
    assert r.verdict is Verdict.REFUTED and r.mode == "parametric"
    net, ws, theta = _network_and_parameters(r.counterexample, 2)
    assert all(-4 <= w <= 4 and w != 0 for w in ws) and sum(ws) > 0 and 0 < theta <= 4
    (x,) = r.counterexample.inputs
    assert realize(net, x)[0] != min_over_subsets(ws, theta, x, positive_only=True)


def test_lipschitz_all_weights_both_ways():
    """Every positive neuron is 1-Lipschitz; 1/2 is too small, and a signed family can jump to silence."""
    assert lipschitz_all_weights(2).verdict is Verdict.PROVED
    for kwargs in ({"L": F(1, 2)}, {"signed": True}):
        r = lipschitz_all_weights(2, **kwargs)
        assert r.verdict is Verdict.REFUTED, kwargs
        net, _, _ = _network_and_parameters(r.counterexample, 2)
        x, y = r.counterexample.inputs
        tx, ty = realize(net, x)[0], realize(net, y)[0]
        gap = max(abs(p - q) for p, q in zip(x, y))
        assert is_finite(tx) != is_finite(ty) or abs(tx - ty) > kwargs.get("L", 1) * gap


def test_causal_regions_all_weights_both_ways():
    """Exactly 2^d - 1 causal regions for every positive weight vector; a signed family has a set whose ball fails."""
    r = causal_regions_all_weights(2)
    assert r.verdict is Verdict.PROVED and "exactly 3 causal regions" in r.reason
    r = causal_regions_all_weights(2, signed=True)
    assert r.verdict is Verdict.REFUTED
    net, ws, _ = _network_and_parameters(r.counterexample, 2)
    assert any(w < 0 for w in ws)
    expected = r.counterexample.relation.split("expected ")[1].split(" on the ball")[0]
    assert str(simulate(net, r.counterexample.inputs[0]).causal_sources("l1n0")) != expected


def _check_jump(r, d):
    net, ws, _ = _network_and_parameters(r.counterexample, d)
    assert sum(ws) > 0 and all(sum(ws[i] for i in S) <= 0 or sum(ws[i] for i in S) >= F(1, 4) for S in _subsets(d))
    x, y = r.counterexample.inputs
    assert max(abs(p - q) for p, q in zip(x, y)) <= F(1, 10**6)
    assert realize(net, y)[0] - realize(net, x)[0] >= 1


def test_search_jump_on_one_neuron_both_ways():
    """w = (1, -1, 1/2), theta = 1 jumps (its potential touches theta and stays); positive weights do not."""
    r = search_jump(3, fixed=([F(1), F(-1), F(1, 2)], F(1)))
    assert r.verdict is Verdict.REFUTED
    _check_jump(r, 3)
    assert search_jump(3, fixed=([F(1), F(1, 2), F(2)], F(3, 2))).verdict is Verdict.PROVED


@pytest.mark.slow
def test_search_jump_over_the_family_both_ways():
    """The family search: a jump for signed fan-in 3 (C6), none for positive weights in [1/4, 2] (about a minute)."""
    r = search_jump(3, options=SolverOptions(timeout=600))
    assert r.verdict is Verdict.REFUTED
    _check_jump(r, 3)
    assert search_jump(2, (F(1, 4), 2), (0, 2), signed=False).verdict is Verdict.PROVED
