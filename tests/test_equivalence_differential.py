"""Equivalence against both exact evaluators on generated pairs, over every kernel the emulation supports.

Equivalent pairs (emulations of random ReLU networks with every kernel that keeps them exact, a
network and itself, rescaled ReLU networks) must be proved; mutated pairs must be refuted
whenever sampling finds a difference, and every counterexample must lie in the box and give the
reported, different outputs in the exact simulator and the exact ReLU evaluator.  The default run
keeps the example counts small; the ``slow`` tier repeats the same checks on many more pairs.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import boxes_around, networks, points_in, rationals
from test_emulate import boxes, relu_networks

from verisnn.analyses.emulation import emulate
from verisnn.analyses.equivalence import check_equivalence, check_monolithic, evaluate
from verisnn.core.domain import Box
from verisnn.core.kernels import box as box_kernel
from verisnn.core.kernels import linear, saturating, triangle
from verisnn.core.model import Network, ReluLayer, ReluNetwork
from verisnn.core.results import Verdict
from verisnn.semantics.relu import trace
from verisnn.semantics.simulate import simulate

FAMILIES = ("linear", "saturating", "triangle", "box")
COUNT = {"pairs": 0, "points": 0}  # generated cases, printed by the slow tier


def _kernel(family: str, gap: Fraction):
    """A kernel of ``family`` that keeps an emulation of largest causal gap ``<= gap`` exact."""
    delta = max(gap, Fraction(1, 2))
    return {"linear": linear(), "saturating": saturating(delta), "triangle": triangle(delta),
            "box": box_kernel(delta + Fraction(1, 2))}[family]


def _mutate(net: Network, k: int, amount: Fraction) -> Network:
    syn = list(net.synapses)
    syn[k] = replace(syn[k], weight=syn[k].weight + amount)
    return Network(net.inputs, net.neurons, tuple(syn), net.outputs, net.references, net.kernel, net.codes)


def _check_verdict(result, a, b, box: Box, pts, refutes: bool = True) -> None:
    """Sound verdict: proved => equal at every sample; a sampled difference => refuted (by a strategy that
    refutes); counterexamples replay."""
    differs = [x for x in pts if evaluate(a, x) != evaluate(b, x)]
    COUNT["points"] += len(pts)
    if result.verdict is Verdict.PROVED:
        assert not differs, f"proved, but the exact evaluators differ at {differs[0]}"
    if differs and refutes:
        assert result.verdict is Verdict.REFUTED, str(result)
    if result.verdict is Verdict.REFUTED:
        ce = result.counterexample
        (x,) = ce.inputs
        assert box.contains(x)
        assert ce.outputs == (evaluate(a, x), evaluate(b, x)) and ce.outputs[0] != ce.outputs[1]
    if result.verdict is Verdict.UNKNOWN:
        assert result.reason


def _emulation_case(data, family: str) -> None:
    relu = data.draw(relu_networks(max_d=2, max_depth=3, max_width=3))
    box = data.draw(boxes(relu.dimension))
    em = emulate(relu, box)
    if family != "linear":
        em = emulate(relu, box, _kernel(family, em.gap))
    snn = em.network
    pts = [data.draw(points_in(box)) for _ in range(6)] + [box.center()]
    for x in pts:  # the two exact evaluators agree on the emulation
        assert evaluate(snn, x) == trace(relu, x).outputs == relu(x)
    COUNT["pairs"] += 2
    result = check_equivalence(snn, relu, box)
    assert result.verdict is Verdict.PROVED, str(result)
    k = data.draw(st.integers(0, len(snn.synapses) - 1))
    amount = data.draw(rationals(-2, 2, (1, 3, 7)).filter(lambda v: v != 0))
    bad = _mutate(snn, k, amount)
    pts += list(box.corners())[:4]
    _check_verdict(check_monolithic(bad, relu, box), bad, relu, box, pts)
    # the lemmas of a mutated emulation: proved only if the mutation changes nothing that matters
    _check_verdict(check_equivalence(bad, relu, box, "compositional"), bad, relu, box, pts, refutes=False)


def _snn_case(data) -> None:
    net = data.draw(networks(max_inputs=2, max_layers=2, max_width=2, sourceless=True))
    x0 = [data.draw(rationals(-1, 2)) for _ in net.inputs]
    box = data.draw(boxes_around(x0, 1))
    pts = [data.draw(points_in(box)) for _ in range(6)]
    COUNT["pairs"] += 1
    result = check_monolithic(net, net, box)
    assert result.verdict is Verdict.PROVED, str(result)
    if not net.synapses:
        return
    k = data.draw(st.integers(0, len(net.synapses) - 1))
    bad = _mutate(net, k, data.draw(rationals(-2, 2, (1, 2, 3)).filter(lambda v: v != 0)))
    COUNT["pairs"] += 1
    _check_verdict(check_monolithic(net, bad, box), net, bad, box, pts + list(box.corners())[:4])


def _rescaled_case(data) -> None:
    relu = data.draw(relu_networks(max_d=2, max_depth=3, max_width=3))
    box = data.draw(boxes(relu.dimension))
    pts = [data.draw(points_in(box)) for _ in range(6)]
    if len(relu.layers) > 1:  # scale a hidden unit by c > 0 and its outgoing weights by 1/c: the same function
        c = Fraction(data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5)))
        i = data.draw(st.integers(0, len(relu.layers[0].weights) - 1))
        l1, l2 = relu.layers[0], relu.layers[1]
        w1 = tuple(tuple(c * v for v in r) if j == i else r for j, r in enumerate(l1.weights))
        b1 = tuple(c * v if j == i else v for j, v in enumerate(l1.bias))
        w2 = tuple(tuple(v / c if j == i else v for j, v in enumerate(r)) for r in l2.weights)
        same = ReluNetwork((ReluLayer(w1, b1), ReluLayer(w2, l2.bias), *relu.layers[2:]))
        for x in pts:
            assert trace(same, x).outputs == trace(relu, x).outputs
        COUNT["pairs"] += 1
        assert check_equivalence(relu, same, box).verdict is Verdict.PROVED
    last = relu.layers[-1]
    bias = (last.bias[0] + data.draw(rationals(-1, 1, (1, 5)).filter(lambda v: v != 0)), *last.bias[1:])
    bad = ReluNetwork((*relu.layers[:-1], ReluLayer(last.weights, bias)))
    COUNT["pairs"] += 1
    result = check_equivalence(relu, bad, box)
    assert result.verdict is Verdict.REFUTED  # the output differs by a constant everywhere
    _check_verdict(result, relu, bad, box, pts)


@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_emulations_proved_and_mutations_refuted(family, data):
    """Every kernel the emulation supports: the emulation is proved, a mutated one refuted when it differs."""
    _emulation_case(data, family)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_snn_pairs_of_every_kernel(data):
    """Random SNNs (every kernel, signed weights, delays, references, silent neurons) equal themselves;
    a mutated copy is refuted wherever it differs at a sample, with a replayed counterexample."""
    _snn_case(data)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_rescaled_relu_pairs(data):
    """Rescaling a hidden unit is proved; shifting an output bias is refuted in both exact evaluators."""
    _rescaled_case(data)


def test_simulator_and_relu_evaluator_agree_on_an_emulation_of_every_kernel():
    """A fixed 2-[3]-1 emulation: the decoded SNN equals the ReLU network at a grid of points, every kernel."""
    relu = ReluNetwork((ReluLayer(((Fraction(1), Fraction(-1)), (Fraction(1, 2), Fraction(1)), (Fraction(-1), 0)),
                                  (Fraction(0), Fraction(-1, 4), Fraction(1, 2))),
                        ReluLayer(((Fraction(1), Fraction(-2), Fraction(1, 3)),), (Fraction(1, 5),))))
    box = Box.uniform(-1, 1, 2)
    gap = emulate(relu, box).gap
    grid = [Fraction(i, 4) for i in range(-4, 5)]
    for family in FAMILIES:
        snn = emulate(relu, box, _kernel(family, gap) if family != "linear" else None).network
        for x in ((a, b) for a in grid for b in grid):
            decoded = simulate(snn, list(x)).decoded_outputs()
            assert decoded == trace(relu, x).outputs, (family, x)


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_slow_emulations(family, data):
    """Slow tier: 150 random emulations per kernel family, each with a mutation."""
    _emulation_case(data, family)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_slow_snn_pairs(data):
    """Slow tier: 600 random SNNs with mutated copies."""
    _snn_case(data)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_slow_rescaled_relu_pairs(data):
    """Slow tier: 300 rescaled / shifted ReLU pairs."""
    _rescaled_case(data)


@pytest.mark.slow
def test_slow_tier_count(capsys):
    """Print the number of generated cases (pairs decided and points evaluated exactly) of this module."""
    with capsys.disabled():
        print(f"\nequivalence differential: {COUNT['pairs']} pairs decided, {COUNT['points']} points evaluated exactly")
