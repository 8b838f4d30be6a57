"""The SMT encoding against the exact simulator: unique models, causal sets, copies, ReLU and codes."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import check_encoding
from strategies import boxes_around, inputs_for, networks, rationals

from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import Code, Codes, Network, Neuron, Synapse, layered, relu_network
from verisnn.core.numbers import INF, is_finite
from verisnn.semantics.simulate import simulate
from verisnn.smt.relu import encode_relu
from verisnn.smt.snn import encode, encode_below, spike_times
from verisnn.smt.terms import q

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))


def _fixed(enc, x):
    s = z3.Solver()
    s.add(enc.constraints)
    s.add([t == q(v) for t, v in zip(enc.inputs, x)])
    return s


def _assert_unique_and_equal(net: Network, enc, x) -> None:
    sim = simulate(net, x)
    s = _fixed(enc, x)
    assert s.check() == z3.sat
    got = enc.read(s.model())
    for v in net.order:
        assert got[v] == sim.times[v], (v, got[v], sim.times[v])
    for v in net.order:
        f, t = enc.fires[v], enc.time[v]
        other = f if not is_finite(sim.times[v]) else z3.Or(z3.Not(f), t != q(sim.times[v]))
        assert s.check(other) == z3.unsat, f"another value for {v} is possible"


@SETTINGS
@given(st.data())
def test_encoding_has_exactly_the_simulators_model(data):
    """Random networks (every kernel, signs, delays, references): fixed inputs give one model, the simulator's."""
    net = data.draw(networks())
    x = data.draw(inputs_for(net, allow_inf=False))
    _assert_unique_and_equal(net, encode(net, "a"), x)


@SETTINGS
@given(st.data())
def test_encoding_with_box_bounds_keeps_the_simulators_model(data):
    """With a box around the input, the bound-pruned encoding still has exactly the simulator's model."""
    net = data.draw(networks())
    x = data.draw(inputs_for(net, allow_inf=False))
    r = data.draw(rationals(0, 2))
    box = Box(tuple(F(v) - r for v in x), tuple(F(v) + r for v in x))
    _assert_unique_and_equal(net, encode(net, "b", box=box), x)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_positive_linear_compact_encoding(data):
    """Positive linear networks (compact neurons only) match the simulator, with and without a box."""
    net = data.draw(networks(positive=True, finite_kernels=False))
    x = data.draw(inputs_for(net, allow_inf=False))
    enc = encode(net, "c", box=Box(tuple(F(v) - 1 for v in x), tuple(F(v) + 1 for v in x)))
    assert set(enc.compact) == {v for v in net.order if net.incoming[v]}
    _assert_unique_and_equal(net, enc, x)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_causal_sets_match_the_simulator(data):
    """The causal Booleans hold exactly for the synapses the simulator calls causal."""
    net = data.draw(networks())
    x = data.draw(inputs_for(net, allow_inf=False))
    sim = simulate(net, x)
    enc = encode(net)
    s = _fixed(enc, x)
    assert s.check() == z3.sat
    m = s.model()
    for v in net.order:
        act = sim.activations[v]
        want = set() if act is None else set(act.causal)
        got = {k for k in range(len(net.incoming[v])) if z3.is_true(m.eval(enc.causal[(v, k)], model_completion=True))}
        assert got == want, v


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_kernel_pieces_and_ties_are_unique(data):
    """Thirds, zero weights, sourceless neurons, coincident inputs, degenerate boxes: one solution, the simulator's.

    Unique on flags, times, causal sets and the kernel piece of every causal synapse (the slow tier
    in tests/test_differential.py runs this per kernel family, 500 cases each).
    """
    net = data.draw(networks(sourceless=True, denominators=(1, 2, 3, 4)))
    x = data.draw(inputs_for(net, allow_inf=False, coincident=True))
    check_encoding(net, x, data.draw(st.one_of(st.none(), boxes_around(x))))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_hypograph_encoding_is_exactly_below_the_realization(data):
    """encode_below: the output may take R(x) and anything lower, never anything higher."""
    net = data.draw(networks(positive=True, finite_kernels=False))
    x = data.draw(inputs_for(net, allow_inf=False))
    sim = simulate(net, x)
    enc = encode_below(net, "h")
    for o, t in zip(net.outputs, enc.outputs):
        if not is_finite(sim.times[o]):
            continue
        s = _fixed(enc, x)
        assert s.check(t == q(sim.times[o])) == z3.sat
        assert s.check(t == q(sim.times[o] - 1)) == z3.sat
        assert s.check(t > q(sim.times[o])) == z3.unsat


def test_encode_below_rejects_signed_networks():
    """The hypograph encoding is only valid for positive linear networks."""
    with pytest.raises(InvalidInput):
        encode_below(layered(2, [{"weights": [[1, -1]], "thresholds": [1]}]))


def test_spec_inhibitory_fact():
    """w = (1, -1), theta = 1, inputs (0, s) fires at 1 iff s >= 1, else silent."""
    net = layered(2, [{"weights": [[1, -1]], "thresholds": [1]}])
    enc = encode(net)
    s = z3.Solver()
    s.add(enc.constraints + [enc.inputs[0] == 0])
    fires, t = enc.output_fires[0], enc.outputs[0]
    assert s.check(enc.inputs[1] >= 1, z3.Not(z3.And(fires, t == 1))) == z3.unsat
    assert s.check(enc.inputs[1] < 1, fires) == z3.unsat
    assert s.check(enc.inputs[1] < 1) == z3.sat


def test_copies_have_readable_distinct_names():
    """Two copies of one network use t[node]@tag names and share no variables."""
    net = layered(2, [{"weights": [[1, 1]], "thresholds": [1]}])
    a, b = encode(net, "a"), encode(net, "b")
    assert str(a.inputs[0]) == "t[x0]@a" and str(a.time["l1n0"]) == "t[l1n0]@a"
    assert str(b.time["l1n0"]) == "t[l1n0]@b"
    s = z3.Solver()
    s.add(a.constraints + b.constraints + [a.inputs[0] == 0, a.inputs[1] == 0, b.inputs[0] == 5, b.inputs[1] == 5])
    assert s.check() == z3.sat
    assert a.read_outputs(s.model()) == (F(1, 2),) and b.read_outputs(s.model()) == (F(11, 2),)


def test_midpoint_copy_on_given_terms():
    """A copy on given input terms ((x+y)/2) evaluates the network at the midpoint."""
    net = layered(2, [{"weights": [[1, 1]], "thresholds": [1]}])
    a = encode(net, "a")
    m = encode(net, "m", inputs=[a.inputs[0] / 2, a.inputs[1] / 2])
    s = z3.Solver()
    s.add(a.constraints + m.constraints + [a.inputs[0] == 0, a.inputs[1] == 4])
    assert s.check() == z3.sat
    assert m.read_outputs(s.model()) == simulate(net, [F(0), F(2)]).outputs


def test_box_is_part_of_the_constraints():
    """Encoding with a box constrains the inputs to it."""
    net = layered(1, [{"weights": [[1]], "thresholds": [1]}])
    enc = encode(net, box=Box.uniform(0, 1, 1))
    s = z3.Solver()
    s.add(enc.constraints)
    assert s.check(enc.inputs[0] > 1) == z3.unsat


def test_general_neuron_with_jump_kernel():
    """Box kernel: two coinciding spikes whose sum reaches theta only at the kernel's drop fire at the jump time."""
    net = layered(2, [{"weights": [[1, 1]], "thresholds": [3]}], kernel={"name": "box", "delta": "2"})
    for x in ([F(0), F(0)], [F(0), F(1, 2)], [F(0), F(3)]):
        _assert_unique_and_equal(net, encode(net), x)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_relu_encoding_is_exact(data):
    """encode_relu matches exact ReLU evaluation, with and without fixed-sign pruning from a box."""
    d = data.draw(st.integers(1, 3))
    widths = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    layers, prev = [], d
    for w in widths:
        W = [[data.draw(rationals(-2, 2)) for _ in range(prev)] for _ in range(w)]
        b = [data.draw(rationals(-2, 2)) for _ in range(w)]
        layers.append((W, b))
        prev = w
    relu = relu_network(layers)
    x = [data.draw(rationals(-2, 2)) for _ in range(d)]
    xs = [z3.Real(f"x{i}") for i in range(d)]
    for box in (None, Box(tuple(v - F(1, 4) for v in x), tuple(v + F(1, 4) for v in x))):
        enc = encode_relu(relu, xs, "r", box)
        s = z3.Solver()
        s.add(enc.constraints + [v == q(c) for v, c in zip(xs, x)])
        assert s.check() == z3.sat
        assert enc.read_outputs(s.model()) == relu(x)


def test_relu_box_removes_case_splits():
    """A unit whose pre-activation is positive on the whole box gets no If."""
    relu = relu_network([([[1]], [5]), ([[1]], [0])])
    xs = [z3.Real("x")]
    with_box = encode_relu(relu, xs, "r", Box.uniform(-1, 1, 1))
    without = encode_relu(relu, xs, "r")
    assert "If" not in str(with_box.constraints) and "If" in str(without.constraints)


def test_coded_network_decodes_outputs():
    """Coded networks: spike_times encodes values and decoded outputs match Simulation.decoded_outputs."""
    base = layered(1, [{"weights": [[1]], "thresholds": [1]}])
    codes = Codes((Code("x0", "negative", F(3)),), (Code("l1n0", "positive", F(5)),))
    net = base.with_codes(codes)
    value = z3.Real("v")
    enc = encode(net, "c", inputs=spike_times(net, [value]))
    s = z3.Solver()
    s.add(enc.constraints + [value == 1])
    assert s.check() == z3.sat
    m = s.model()
    assert enc.read_decoded(m) == simulate(net, [F(2)]).decoded_outputs()
    assert enc.read_decoded(m)[0] == m.eval(enc.decoded[0]).as_fraction()


def test_silent_neuron_without_sources():
    """A neuron with no synapses is silent, and its downstream neuron too."""
    net = Network(("x0",), (Neuron("h", F(1)), Neuron("o", F(1))), (Synapse("h", "o", F(1)),), ("o",))
    enc = encode(net)
    s = _fixed(enc, [F(0)])
    assert s.check() == z3.sat
    assert enc.read(s.model())["o"] == INF
