"""One-layer positive SNN -> ReLU network (C8): equal maps, the documented depth and size, clear errors."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verisnn.analyses.emulation.snn_to_relu import c8_bound, depth_for, relu_of_snn, units_for
from verisnn.core.errors import InvalidNetwork
from verisnn.core.kernels import saturating
from verisnn.core.model import Code, Codes, Network, Neuron, Reference, Synapse, layered
from verisnn.semantics.simulate import simulate

pos = st.builds(lambda n, d: Fraction(n, d), st.integers(1, 12), st.sampled_from([1, 2, 4]))
rat = st.builds(lambda n, d: Fraction(n, d), st.integers(-12, 12), st.sampled_from([1, 2, 3]))


@st.composite
def one_layer(draw: st.DrawFn) -> Network:
    """A positive linear layer with delays, an optional reference and optional codes."""
    d = draw(st.integers(1, 3))
    m = draw(st.integers(1, 2))
    inputs = tuple(f"x{j}" for j in range(d))
    refs = (Reference("r", draw(rat)),) if draw(st.booleans()) else ()
    neurons, syn = [], []
    for i in range(m):
        name = f"n{i}"
        neurons.append(Neuron(name, draw(pos)))
        for src in inputs + tuple(r.name for r in refs):
            if draw(st.booleans()) or src == "x0":
                syn.append(Synapse(src, name, draw(pos), draw(st.sampled_from([Fraction(0), Fraction(1, 2)]))))
    codes = None
    if draw(st.booleans()):
        codes = Codes(tuple(Code(x, draw(st.sampled_from(["negative", "positive"])), draw(rat)) for x in inputs),
                      tuple(Code(n.name, draw(st.sampled_from(["negative", "positive"])), draw(rat)) for n in neurons))
    return Network(inputs, tuple(neurons), tuple(syn), tuple(n.name for n in neurons), refs, codes=codes)


@settings(max_examples=60, deadline=None)
@given(net=one_layer(), xs=st.lists(st.lists(rat, min_size=3, max_size=3), min_size=5, max_size=5))
def test_relu_network_equals_the_layer(net, xs):
    """At random inputs the ReLU network's outputs equal the layer's (decoded) firing times exactly."""
    relu = relu_of_snn(net)
    codes = {c.node: c for c in net.codes.inputs} if net.codes is not None else {}
    for row in xs:
        x = row[: net.dimension]
        t = [codes[n].encode(v) if n in codes else v for n, v in zip(net.inputs, x)]
        assert simulate(net, t).decoded_outputs() == relu(x)


@pytest.mark.parametrize("d", [1, 2, 3, 4, 5])
def test_depth_and_units_meet_the_bound(d):
    """Depth ceil(log2(2^d-1))+1 and U(2^d-1) <= 3(2^d-2)+2ceil(log2(2^d-1)) units per neuron."""
    net = layered(d, [{"weights": [[1] * d, [2] * d], "thresholds": [1, 3]}])
    relu = relu_of_snn(net)
    k = 2**d - 1
    assert len(relu.layers) == (math.ceil(math.log2(k)) + 1 if k > 1 else 1) == depth_for(k)
    assert relu.hidden_units == 2 * units_for(k)
    b = c8_bound(d)
    assert b["units"] <= b["units_bound"] < 3 * 2**d + 2 * d


def test_units_for_small_trees():
    """Pairwise-min trees, counted level by level: 7 values -> 4 -> 2 -> 1 need (9+2) + 6 + 3 units."""
    assert units_for(1) == 0
    assert units_for(2) == 3
    assert units_for(3) == 3 + 2 + 3
    assert units_for(7) == (9 + 2) + 6 + 3


def test_rejects_what_c8_does_not_cover():
    """Signed weights, finite kernels and two layers are InvalidNetwork with the reason."""
    with pytest.raises(InvalidNetwork, match="positive weights"):
        relu_of_snn(layered(2, [{"weights": [[1, -1]], "thresholds": [1]}]))
    with pytest.raises(InvalidNetwork, match="linear kernel"):
        relu_of_snn(layered(2, [{"weights": [[1, 1]], "thresholds": [1]}], kernel=saturating(2)))
    with pytest.raises(InvalidNetwork, match="one-layer"):
        relu_of_snn(layered(2, [{"weights": [[1, 1]], "thresholds": [1]}, {"weights": [[1]], "thresholds": [1]}]))
