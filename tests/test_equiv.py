"""Exact equivalence checking: both strategies, every pair kind, replayed counterexamples, sound bounds, CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import networks
from test_emulate import relu_networks

from verisnn.analyses.emulation import emulate, random_relu
from verisnn.analyses.equivalence import (
    check_compositional,
    check_equivalence,
    check_monolithic,
    compositional_lemmas,
    evaluate,
    input_times,
)
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.kernels import linear
from verisnn.core.model import Network, Neuron, ReluLayer, ReluNetwork, Synapse, layered, relu_network
from verisnn.core.results import Verdict
from verisnn.io import save_network, save_relu
from verisnn.semantics.bounds import firing_bounds
from verisnn.semantics.simulate import simulate

BOX2 = Box.uniform(-1, 1, 2)


def perturbed(net: Network, index: int, amount: Fraction) -> Network:
    syn = list(net.synapses)
    syn[index] = replace(syn[index], weight=syn[index].weight + amount)
    return Network(net.inputs, net.neurons, tuple(syn), net.outputs, net.references, net.kernel, net.codes)


def assert_replayed(result, a, b):
    """The counterexample's inputs lie in the box and give the reported, different outputs in both evaluators."""
    ce = result.counterexample
    assert ce is not None
    (x,) = ce.inputs
    assert ce.outputs == (evaluate(a, x), evaluate(b, x))
    assert ce.outputs[0] != ce.outputs[1]
    return x


@pytest.mark.parametrize("strategy", ["monolithic", "compositional", "auto"])
def test_emulation_is_proved_by_each_strategy(strategy):
    """A 2-[8]-1 emulation equals its ReLU network on the box, by each strategy."""
    relu = random_relu(2, [8], 1, seed=5)
    em = emulate(relu, BOX2)
    result = check_equivalence(em.network, relu, BOX2, strategy)
    assert result.verdict is Verdict.PROVED, str(result)


def test_outside_the_box_is_refuted_with_a_replayed_counterexample():
    """On a wider box the emulation differs; the counterexample lies outside the build box."""
    relu = random_relu(2, [4], 1, seed=0)
    em = emulate(relu, BOX2)
    wide = BOX2.widen(Fraction(1, 2))
    result = check_equivalence(em.network, relu, wide)
    assert result.verdict is Verdict.REFUTED
    x = assert_replayed(result, em.network, relu)
    assert wide.contains(x) and not BOX2.contains(x)


def test_compositional_never_refutes_and_auto_falls_back():
    """A perturbed emulation fails a lemma (unknown, not proved); auto then finds a replayed counterexample."""
    relu = random_relu(2, [4], 1, seed=0)
    em = emulate(relu, BOX2)
    bad = perturbed(em.network, 0, Fraction(1, 1000))
    comp = check_compositional(bad, relu, BOX2)
    assert comp.verdict is Verdict.UNKNOWN and "fails" in comp.reason
    auto = check_equivalence(bad, relu, BOX2, "auto")
    assert auto.verdict is Verdict.REFUTED
    assert_replayed(auto, bad, relu)


def test_compositional_needs_the_structure():
    """An SNN without the emulation's names gets 'not applicable' (unknown), never proved."""
    snn = layered(2, [{"weights": [[1, 1]], "thresholds": [1]}])
    relu = relu_network([([[1, 1]], [0])])
    result = check_compositional(snn, relu, BOX2)
    assert result.verdict is Verdict.UNKNOWN and "not applicable" in result.reason


def test_lemmas_cover_every_neuron():
    """The compositional proof has one lemma per neuron of the emulation."""
    relu = random_relu(3, [5, 4], 2, seed=1)
    box = Box.uniform(-1, 1, 3)
    em = emulate(relu, box)
    lemmas = compositional_lemmas(em.network, relu, box)
    assert sorted(lem.neuron for lem in lemmas) == sorted(n.name for n in em.network.neurons)


def test_relu_vs_relu():
    """relu(x) - relu(-x) equals x everywhere; x + 1/8 does not (refuted, replayed)."""
    ident = relu_network([([[1]], [0])])
    split = relu_network([([[1], [-1]], [0, 0]), ([[1, -1]], [0])])
    box = Box.uniform(-3, 3, 1)
    assert check_equivalence(split, ident, box).verdict is Verdict.PROVED
    shifted = relu_network([([[1]], [Fraction(1, 8)])])
    result = check_equivalence(split, shifted, box)
    assert result.verdict is Verdict.REFUTED
    assert_replayed(result, split, shifted)


def test_snn_vs_snn():
    """An emulation equals itself; against its perturbed copy it is refuted with a replayed counterexample."""
    relu = random_relu(2, [3], 1, seed=2)
    em = emulate(relu, BOX2)
    assert check_monolithic(em.network, em.network, BOX2).verdict is Verdict.PROVED
    bad = perturbed(em.network, 1, Fraction(1, 10))
    result = check_equivalence(em.network, bad, BOX2)
    assert result.verdict is Verdict.REFUTED
    assert_replayed(result, em.network, bad)


def test_silent_output_is_a_difference():
    """An SNN whose output is silent somewhere on the box differs from any ReLU network there."""
    snn = layered(2, [{"weights": [[1, -1]], "thresholds": [1]}])  # silent when x1 < x0 + 1
    relu = relu_network([([[0, 0]], [1])])
    result = check_monolithic(snn, relu, Box((Fraction(0), Fraction(0)), (Fraction(0), Fraction(3))))
    assert result.verdict is Verdict.REFUTED
    assert_replayed(result, snn, relu)


def test_bad_requests():
    """Unknown strategies, shape mismatches and compositional on two ReLU networks are user errors."""
    relu = relu_network([([[1, 1]], [0])])
    with pytest.raises(InvalidInput, match="strategy"):
        check_equivalence(relu, relu, BOX2, "magic")
    with pytest.raises(InvalidInput, match="3 intervals"):
        check_equivalence(relu, relu, Box.uniform(0, 1, 3))
    with pytest.raises(InvalidInput, match="compositional"):
        check_equivalence(relu, relu, BOX2, "compositional")
    two = relu_network([([[1, 1], [1, 0]], [0, 0])])
    with pytest.raises(InvalidInput, match="outputs"):
        check_equivalence(relu, two, BOX2)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_linear_bounds_are_sound(data):
    """Simulated firing times of random linear-kernel networks lie in the firing-time bounds on the box."""
    net = data.draw(networks(finite_kernels=False))
    if not all(net.kernel_of(s).is_linear for s in net.synapses):
        net = Network(net.inputs, net.neurons, tuple(replace(s, kernel=None) for s in net.synapses), net.outputs,
                      net.references, linear())
    d = net.dimension
    lo = [Fraction(data.draw(st.integers(-4, 4)), 2) for _ in range(d)]
    hi = [a + Fraction(data.draw(st.integers(0, 4)), 2) for a in lo]
    box = Box(tuple(lo), tuple(hi))
    bounds = firing_bounds(net, box)
    for _ in range(4):
        x = [a + (b - a) * Fraction(data.draw(st.integers(0, 6)), 6) for a, b in zip(lo, hi)]
        sim = simulate(net, x)
        for v in net.order:
            t, bv = sim.times[v], bounds[v]
            if t == float("inf"):
                assert not bv.must_fire, v
            else:
                assert bv.may_fire and bv.lo <= t and (bv.hi == float("inf") or t <= bv.hi), (v, t, bv)


def test_input_times_follow_the_codes():
    """Values become spike times through the input codes of the emulation (positive, base 0)."""
    em = emulate(random_relu(2, [2], 1), BOX2)
    assert input_times(em.network, (Fraction(1, 3), Fraction(-1))) == (Fraction(1, 3), Fraction(-1))


def test_cli_emulate_and_equiv(tmp_path, cli):
    """`verisnn emulate` writes an SNN that `verisnn equiv` proves (exit 0), refutes outside (exit 1), JSON verdicts."""
    relu = random_relu(2, [4], 1, seed=0)
    rpath, spath = tmp_path / "r.json", tmp_path / "s.json"
    save_relu(relu, rpath)
    run = cli("emulate", rpath, "-o", spath, "--domain", "-1:1", "--json")
    assert run.code == 0, run.err
    assert run.json["size"]["neurons"] == 9
    run = cli("equiv", spath, rpath, "--domain", "-1:1", "--json")
    assert run.code == 0 and run.json["verdict"] == "proved", run.out + run.err
    run = cli("equiv", spath, rpath, "--domain", "-2:2", "--json")
    assert run.code == 1 and run.json["verdict"] == "refuted"
    assert run.json["counterexample"]["inputs"]
    run = cli("equiv", spath, rpath, "--domain", "-1:1", "--strategy", "monolithic")
    assert run.code == 0 and "proved" in run.out


def test_cli_errors(tmp_path, cli):
    """Bad domains and unknown files exit 2 with one line on stderr."""
    relu = relu_network([([[1, 1]], [0])])
    rpath = tmp_path / "r.json"
    save_relu(relu, rpath)
    run = cli("emulate", rpath, "-o", tmp_path / "s.json", "--domain", "1:0")
    assert run.code == 2 and "empty" in run.err and "Traceback" not in run.err
    run = cli("equiv", rpath, tmp_path / "missing.json", "--domain", "0:1")
    assert run.code == 2 and "no such file" in run.err
    run = cli("emulate", rpath, "-o", tmp_path / "s.json", "--domain", "0:1", "--kernel", "box")
    assert run.code == 2 and "needs --delta greater than" in run.err
    run = cli("emulate", rpath, "-o", tmp_path / "s.json", "--domain", "0:1", "--kernel", "saturating", "--json")
    assert run.code == 0 and run.json["kernel"]["name"] == "saturating" and run.json["min_delta_exact"]
    snn = layered(2, [{"weights": [[1, 1]], "thresholds": [1]}])
    save_network(snn, tmp_path / "n.json")
    run = cli("equiv", tmp_path / "n.json", rpath, "--domain", "0:1", "--strategy", "compositional", "--json")
    assert run.code == 1 and json.loads(run.out)["verdict"] == "unknown"


@pytest.mark.slow
def test_acas_shaped_compositional_proof():
    """Slow (about 15-20 s): the 5-[50]x6-5 emulation (605 neurons) is proved lemma by lemma."""
    relu = random_relu(5, [50] * 6, 5, seed=0)
    box = Box.uniform(-1, 1, 5)
    em = emulate(relu, box)
    result = check_compositional(em.network, relu, box)
    assert result.verdict is Verdict.PROVED, str(result)


def test_canonical_algebra_identities():
    """relu(2e) shares the atom of relu(e); relu(-e) = -e + relu(e); fixed-sign hinges vanish."""
    import z3

    from verisnn.smt.canonical import Algebra, Lin

    alg = Algebra()
    x = alg.var(z3.Real("x"), Fraction(-1), Fraction(1))
    y = alg.var(z3.Real("y"), Fraction(-1), Fraction(1))
    e = x - y.scale(Fraction(1, 2))
    assert (alg.relu(e.scale(Fraction(2))) - alg.relu(e).scale(Fraction(2))).is_zero
    assert (alg.relu(e.scale(Fraction(-1))) - (alg.relu(e) - e)).is_zero
    assert (alg.relu(x.shift(Fraction(2))) - x.shift(Fraction(2))).is_zero
    assert alg.relu(x.shift(Fraction(-3))).is_zero
    assert not (alg.relu(e) - alg.relu(x)).is_zero
    assert len(alg.hinges) == 2 and Lin(Fraction(0)).is_zero


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_monolithic_verdicts_agree_with_sampling(data):
    """A rescaled copy of a random ReLU network is proved equal; a perturbed one is never proved unless equal at samples."""
    relu = data.draw(relu_networks(max_d=2, max_depth=3, max_width=3))
    box = Box.uniform(-1, 1, relu.dimension)
    # rescale hidden unit 0 of layer 1 by c > 0 and its outgoing weights by 1/c: the same function
    if len(relu.layers) > 1:
        c = Fraction(data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5)))
        l1, l2 = relu.layers[0], relu.layers[1]
        w1 = [list(r) for r in l1.weights]
        b1 = list(l1.bias)
        w1[0] = [c * v for v in w1[0]]
        b1[0] = c * b1[0]
        w2 = [[v / c if j == 0 else v for j, v in enumerate(r)] for r in l2.weights]
        same = ReluNetwork((ReluLayer(tuple(map(tuple, w1)), tuple(b1)),
                            ReluLayer(tuple(map(tuple, w2)), l2.bias), *relu.layers[2:]))
        assert check_monolithic(relu, same, box).verdict is Verdict.PROVED
    em = emulate(relu, box)
    k = data.draw(st.integers(0, len(em.network.synapses) - 1))
    bad = perturbed(em.network, k, Fraction(data.draw(st.integers(-3, 3)), 7))
    result = check_monolithic(bad, relu, box)
    grid = [Fraction(i, 4) for i in range(-4, 5)]
    samples = [(a,) if relu.dimension == 1 else (a, b) for a in grid for b in (grid if relu.dimension > 1 else [0])]
    if result.verdict is Verdict.PROVED:
        assert all(evaluate(bad, x) == relu(x) for x in samples)
    elif result.verdict is Verdict.REFUTED:
        assert_replayed(result, bad, relu)


def test_regression_bound_facts_settled_neuron(tmp_path, cli):
    """Issue 9 defect 1: a neuron settled by the bounds (h <- x0, o <- h, o <- x0 (-5)) used to exit 3.

    ``bound_facts`` shadowed the sum helper with a Fraction; the network equals itself (exit 0).
    """
    net = Network(("x0",), (Neuron("h", Fraction(1)), Neuron("o", Fraction(1))),
                  (Synapse("x0", "h", Fraction(1)), Synapse("h", "o", Fraction(1)), Synapse("x0", "o", Fraction(-5))),
                  ("o",), (), linear())
    box = Box((Fraction(0),), (Fraction(1),))
    result = check_equivalence(net, net, box)
    assert result.verdict is Verdict.PROVED, str(result)
    path = tmp_path / "n.json"
    save_network(net, path)
    run = cli("equiv", path, path, "-d", "0:1")
    assert run.code == 0, run.out + run.err


def test_check_lemma_returns_a_result():
    """Each lemma of an emulation is proved; a lemma with a shifted target is refuted with the failing values."""
    from verisnn.analyses.equivalence import check_lemma

    relu = random_relu(2, [3], 1, seed=2)
    em = emulate(relu, BOX2)
    lemmas = compositional_lemmas(em.network, relu, BOX2)
    results = [check_lemma(lemma) for lemma in lemmas]
    assert all(r.verdict is Verdict.PROVED for r in results), [str(r) for r in results]
    first = lemmas[0]
    wrong = replace(first, target=(first.target[0], first.target[1] + Fraction(1, 3)))
    result = check_lemma(wrong)
    assert result.verdict is Verdict.REFUTED and "fails at source values" in result.reason
    assert len(result.details["witness"]) == len(first.ranges)
