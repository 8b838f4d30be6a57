"""ReLU -> coded SNN (C7): exactness on the box by exact simulation, the documented size, finite kernels."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verisnn.analyses.emulation import emulate, kernel_keeps_exact, min_delta, random_relu, size_formula
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.kernels import box as box_kernel
from verisnn.core.kernels import linear, saturating, triangle
from verisnn.core.model import Network, Neuron, Reference, ReluLayer, ReluNetwork, Synapse, relu_network
from verisnn.semantics.relu import pre_activation_ranges
from verisnn.semantics.simulate import simulate

small = st.builds(lambda n, d: Fraction(n, d), st.integers(-12, 12), st.sampled_from([1, 2, 4, 3]))


@st.composite
def relu_networks(draw: st.DrawFn, max_d: int = 3, max_depth: int = 3, max_width: int = 4) -> ReluNetwork:
    """A small random ReLU network with rational weights (zeros included)."""
    d = draw(st.integers(1, max_d))
    widths = draw(st.lists(st.integers(1, max_width), min_size=0, max_size=max_depth - 1))
    n = draw(st.integers(1, 2))
    layers, prev = [], d
    for w in [*widths, n]:
        rows = tuple(tuple(draw(small) for _ in range(prev)) for _ in range(w))
        layers.append(ReluLayer(rows, tuple(draw(small) for _ in range(w))))
        prev = w
    return ReluNetwork(tuple(layers))


@st.composite
def boxes(draw: st.DrawFn, d: int) -> Box:
    """A box with rational corners (possibly degenerate in some coordinates)."""
    lo = [draw(small) for _ in range(d)]
    hi = [a + draw(st.builds(lambda n: Fraction(n, 2), st.integers(0, 8))) for a in lo]
    return Box(tuple(lo), tuple(hi))


def points(box: Box, draw: st.DrawFn, k: int = 6) -> list[tuple[Fraction, ...]]:
    """Corners, centre and random rational points of the box."""
    pts = list(box.corners())[:8] + [box.center()]
    for _ in range(k):
        pts.append(tuple(a + (b - a) * Fraction(draw(st.integers(0, 12)), 12) for a, b in zip(box.lo, box.hi)))
    return pts


def decoded(net: Network, x) -> tuple:
    return simulate(net, list(x)).decoded_outputs()


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_emulation_is_exact_on_the_box(data):
    """For random ReLU networks and boxes, the emulation's decoded outputs equal the ReLU outputs at box points."""
    relu = data.draw(relu_networks())
    box = data.draw(boxes(relu.dimension))
    em = emulate(relu, box)
    for x in points(box, data.draw):
        assert decoded(em.network, x) == relu(x), x


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_size_matches_the_documented_formula(data):
    """Neurons 2N+n, spiking layers 2L-1 (longest neuron path), references <= 2L-1, synapses as documented."""
    relu = data.draw(relu_networks())
    box = data.draw(boxes(relu.dimension))
    em = emulate(relu, box)
    N, L, n = relu.hidden_units, len(relu.layers), relu.n_outputs
    net = em.network
    assert len(net.neurons) == 2 * N + n == em.size.neurons
    assert len(net.references) <= 2 * L - 1
    assert len(net.synapses) == em.size.synapses
    depth: dict[str, int] = {}
    for v in net.order:
        depth[v] = 1 + max((depth.get(s.source, 0) for s in net.incoming[v]), default=0)
    assert max(depth.values()) <= 2 * L - 1 == em.size.layers
    if all(a != 0 for layer in relu.layers for row in layer.weights for a in row):
        assert max(depth.values()) == 2 * L - 1
    formula = size_formula(relu)
    assert formula["neurons"] == em.size.neurons and formula["synapses"] == em.size.synapses
    assert em.size.references <= formula["references"]


def test_size_of_a_deep_network():
    """A 5-[50]x6-5 network gives 605 neurons, 13 layers and 13 references."""
    relu = random_relu(5, [50] * 6, 5, seed=0)
    em = emulate(relu, Box.uniform(-1, 1, 5))
    assert (em.size.neurons, em.size.layers, em.size.references) == (605, 13, 13)


@settings(max_examples=80, deadline=None)
@given(x=small, T=small, c=small.filter(lambda v: v > 0))
def test_spec_relu_gadget(x, T, c):
    """The ReLU gadget of docs/emulation.md (refs at T and T+c, data at T+c-x with weight -w, threshold c*w) fires at T+c+max(0,x)."""
    w = Fraction(3, 2)
    net = Network(("d",), (Neuron("g", c * w),),
                  (Synapse("r1", "g", w), Synapse("r2", "g", w), Synapse("d", "g", -w)), ("g",),
                  (Reference("r1", T), Reference("r2", T + c)))
    assert simulate(net, [T + c - x]).times["g"] == T + c + max(Fraction(0), x)


def test_intervals_are_sound_and_exact_for_one_layer():
    """Interval bounds of a first layer are attained at box corners."""
    relu = relu_network([([[1, -2], [3, 1]], [0, 1]), ([[1, 1]], [0])])
    box = Box.uniform(-1, 1, 2)
    (first, _) = pre_activation_ranges(relu, box)
    assert first == [(Fraction(-3), Fraction(3)), (Fraction(-3), Fraction(5))]


def test_construction_depends_on_the_box():
    """Just outside the box a late inhibitory spike makes an emulation fire early (found on a grid)."""
    relu = random_relu(2, [4], 1, seed=0)
    box = Box.uniform(-1, 1, 2)
    em = emulate(relu, box)
    grid = [Fraction(k, 4) for k in range(-12, 13)]
    outside = [(a, b) for a in grid for b in grid if not box.contains((a, b))]
    assert any(decoded(em.network, x) != relu(x) for x in outside)
    assert all(decoded(em.network, x) == relu(x) for x in [(a, b) for a in grid for b in grid if box.contains((a, b))])


def test_finite_kernels_at_the_smallest_delta():
    """saturating/triangle(G) keep the emulation exact at sample points; box(G) is rejected, box(G+1/8) accepted."""
    relu = relu_network([([[1, -1], [-1, 1]], [0, 0]), ([[1, 1]], [0])])
    box = Box.uniform(-1, 1, 2)
    em = emulate(relu, box)
    gap, exact = min_delta(em)
    assert exact and 0 < gap <= em.gap
    for kern in (saturating(gap), triangle(gap), box_kernel(gap + Fraction(1, 8))):
        em_k = emulate(relu, box, kern)
        for x in [(Fraction(a, 3), Fraction(b, 3)) for a in range(-3, 4) for b in range(-3, 4)]:
            assert decoded(em_k.network, x) == relu(x)
    with pytest.raises(InvalidInput, match="delta"):
        emulate(relu, box, box_kernel(gap))
    assert not kernel_keeps_exact(saturating(gap - Fraction(1, 100)), gap)
    assert kernel_keeps_exact(linear(), Fraction(10**6))


def test_bad_arguments():
    """A box of the wrong dimension and a non-positive gadget constant are user errors."""
    relu = relu_network([([[1, 1]], [0])])
    with pytest.raises(InvalidInput, match="2 inputs"):
        emulate(relu, Box.uniform(0, 1, 3))
    with pytest.raises(InvalidInput, match="c must be > 0"):
        emulate(relu, Box.uniform(0, 1, 2), c=Fraction(0))


def test_exact_delta_below_the_interval_bound():
    """When the exact largest gap G is below the interval bound, saturating(G) is accepted and exact; less is not."""
    relu = random_relu(2, [4], 1, seed=3)
    box = Box.uniform(-1, 1, 2)
    em = emulate(relu, box)
    gap, exact = min_delta(em)
    assert exact and gap < em.gap
    em_k = emulate(relu, box, saturating(gap))
    for x in [(Fraction(a, 4), Fraction(b, 4)) for a in range(-4, 5) for b in range(-4, 5)]:
        assert decoded(em_k.network, x) == relu(x)
    with pytest.raises(InvalidInput, match="too short"):
        emulate(relu, box, saturating(gap - Fraction(1, 100)))


def test_regression_empty_weight_row_is_bad_input(tmp_path, cli):
    """Issue 9 defect 9: a ReLU file with an empty weight row is exit 2 naming the layer and row (was exit 3)."""
    from verisnn.core.errors import InvalidNetwork
    from verisnn.core.model import relu_network

    with pytest.raises(InvalidNetwork, match=r"layer 1 row 0"):
        relu_network([([[]], [0])])
    with pytest.raises(InvalidNetwork, match=r"layer 2 row 1"):
        relu_network([([[1], [2]], [0, 0]), ([[1, 1], [1]], [0, 0])])
    path = tmp_path / "r.json"
    path.write_text('{"format": "verisnn.relu/1", "layers": [{"weights": [[]], "bias": [0]}]}\n')
    run = cli("emulate", path, "-o", tmp_path / "s.json", "--domain", "0:1")
    assert run.code == 2, run.out + run.err
    assert "layer 1" in run.err and "row 0" in run.err and "Traceback" not in run.err


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_causal_gap_bounds_every_sampled_gap(data):
    """Sampled causal gaps t_v - t_u - d (exact simulation) never exceed the exact G, nor G the interval bound."""
    relu = data.draw(relu_networks(max_d=2, max_depth=3, max_width=3))
    box = data.draw(boxes(relu.dimension))
    em = emulate(relu, box)
    exact_gap, is_exact = min_delta(em)
    assert exact_gap <= em.gap
    for x in points(box, data.draw):
        times = simulate(em.network, list(x)).times
        for s in em.network.synapses:
            gap = times[s.target] - times[s.source] - s.delay
            if gap > 0:
                assert gap <= exact_gap, (s, x, gap, exact_gap, is_exact)
