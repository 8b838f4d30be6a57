"""Properties decided exactly: proved for positive linear networks, refuted (replayed) otherwise."""

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import networks

from verisnn.analyses.properties import PROPERTIES, REGISTRY, check_property, parse_property
from verisnn.analyses.properties.lipschitz import slope_bound
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import layered, relu_network
from verisnn.core.numbers import INF, is_finite
from verisnn.core.results import Verdict
from verisnn.io import load_network
from verisnn.semantics.simulate import realize
from verisnn.solvers import SolverOptions

SIGNED = layered(2, [{"weights": [[2, -1]], "thresholds": [1]}])


@settings(max_examples=8, deadline=None)
@given(networks(positive=True, finite_kernels=False, references=False, max_inputs=2, max_layers=2, max_width=2))
def test_positive_linear_networks_have_every_order_property(net):
    """Random positive linear networks: monotone, concave, 1-Lipschitz, translation, continuous all proved."""
    box = Box.uniform(0, 3, net.dimension)
    for prop in ("monotone", "concave", "lipschitz", "translation", "continuous"):
        assert check_property(net, prop, box).verdict is Verdict.PROVED, prop


@pytest.mark.parametrize("prop", ["monotone", "concave", "lipschitz=1"])
def test_signed_neuron_refutes_order_properties(prop):
    """w = (2, -1): decreasing and convex in x1, slope 3; each counterexample violates the property exactly."""
    r = check_property(SIGNED, prop, Box.uniform(0, 4, 2))
    assert r.verdict is Verdict.REFUTED
    xs = r.counterexample.inputs
    ys = [realize(SIGNED, x)[0] for x in xs]
    if prop == "monotone":
        assert all(a <= b for a, b in zip(*xs)) and ys[0] > ys[1]
    elif prop == "concave":
        assert 2 * ys[2] < ys[0] + ys[1] and xs[2] == tuple((a + b) / 2 for a, b in zip(xs[0], xs[1]))
    else:
        assert abs(ys[0] - ys[1]) > max(abs(a - b) for a, b in zip(*xs))


def test_signed_neuron_is_translation_equivariant_and_continuous():
    """Without references, translation holds for signed weights too; (2, -1) with sum > 0 is continuous."""
    box = Box.uniform(0, 4, 2)
    assert check_property(SIGNED, "translation", box).verdict is Verdict.PROVED
    assert check_property(SIGNED, "continuous", box).verdict is Verdict.PROVED
    assert check_property(SIGNED, "lipschitz=3", box).verdict is Verdict.PROVED


def test_slope_bound():
    """Positive linear networks have slope bound 1; w = (2, -1) has 3 (= (2 + 1)/(2 - 1))."""
    assert slope_bound(load_network(EXAMPLES / "positive_2layer.json")) == 1
    assert slope_bound(SIGNED) == 3


@pytest.mark.parametrize("name, hi, jump_point", [("fact_inhibit.json", 2, (0, 1)), ("kernel_box.json", 3, None),
                                                  ("kernel_triangle.json", 3, None)])
def test_discontinuity_witnesses(name, hi, jump_point):
    """Inhibition and finite kernels: continuity refuted; the witness pair is close and its outputs far apart."""
    net = load_network(EXAMPLES / name)
    r = check_property(net, "continuous", Box.uniform(0, hi, net.dimension))
    assert r.verdict is Verdict.REFUTED
    a, b = r.counterexample.inputs[:2]
    dist = max(abs(p - q) for p, q in zip(a, b))
    assert 0 < dist < F(1, 10**6)
    ya, yb = realize(net, a)[0], realize(net, b)[0]
    assert is_finite(ya) != is_finite(yb) or abs(ya - yb) > F(1, 10)
    if jump_point is not None:
        assert jump_point in (tuple(a), tuple(b))


def test_continuity_is_exact_for_steep_but_continuous_maps():
    """A continuous map with slope 100 is proved continuous (no tolerance confuses steep with a jump)."""
    steep = layered(2, [{"weights": [[101, -100]], "thresholds": [1]}])
    assert check_property(steep, "continuous", Box.uniform(0, 1, 2)).verdict is Verdict.PROVED
    assert check_property(steep, "lipschitz=1", Box.uniform(0, 1, 2)).verdict is Verdict.REFUTED


def test_bounds_are_attained_and_contain_samples():
    """Positive linear: min/max are the outputs at the box's low/high corners; samples lie within."""
    net = load_network(EXAMPLES / "positive_2layer.json")
    box = Box((F(0), F(1)), (F(3), F(4)))
    r = check_property(net, "bounds", box)
    assert r.verdict is Verdict.PROVED
    b = r.details["bounds"]["l2n0"]
    assert b["min"] == realize(net, box.lo)[0] and b["max"] == realize(net, box.hi)[0]
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = [F(int(v), 8) for v in rng.integers([0, 8], [25, 33])]
        assert b["min"] <= realize(net, x)[0] <= b["max"]


def test_bounds_with_silence():
    """An output that can be silent has max inf; its min is over the firing inputs."""
    r = check_property(load_network(EXAMPLES / "fact_inhibit.json"), "bounds", Box.uniform(0, 2, 2))
    b = r.details["bounds"]["l1n0"]
    assert b["max"] == INF and b["min"] == 1 and b["can_be_silent"]


def test_property_names_are_validated():
    """Unknown properties and bad Lipschitz constants are input errors."""
    assert parse_property("lipschitz=3/2") == ("lipschitz", F(3, 2))
    for bad in ("smooth", "lipschitz=-1", "monotone=2", "lipschitz=x"):
        with pytest.raises(InvalidInput):
            parse_property(bad)
    with pytest.raises(InvalidInput, match="3 intervals"):
        check_property(SIGNED, "monotone", Box.uniform(0, 1, 3))


def test_check_cli(cli, tmp_path):
    """`verisnn check`: exit 0 proved, 1 refuted, 2 bad input; --json has the verdict; --smt2 writes a file."""
    r = cli("check", EXAMPLES / "positive_2layer.json", "--property", "concave", "--domain", "0:4", "--json",
            "--smt2", tmp_path / "q.smt2")
    assert r.code == 0 and r.json["verdict"] == "proved"
    assert "(check-sat)" in (tmp_path / "q.smt2").read_text()
    r = cli("check", EXAMPLES / "fact_inhibit.json", "-p", "continuous", "-d", "0:2")
    assert r.code == 1 and "discontinuous" in r.out
    assert cli("check", EXAMPLES / "fact_inhibit.json", "-p", "smooth", "-d", "0:2").code == 2
    assert cli("check", EXAMPLES / "fact_inhibit.json", "-p", "monotone", "-d", "0:1,0:1,0:1").code == 2


# --- every property on generated networks, checked independently of the library -----------------

GRID_DEN = 2


def _grid(box):
    axes = [[F(k, GRID_DEN) for k in range(int(lo * GRID_DEN), int(hi * GRID_DEN) + 1)] for lo, hi in zip(box.lo, box.hi)]
    return list(itertools.product(*axes))


def _le(a, b):
    return not is_finite(b) or (is_finite(a) and a <= b)


def _violated(net, prop, xs, L=F(1)):
    """The property's violation on these input vectors, decided from the exact simulator alone."""
    outs = [realize(net, x) for x in xs]
    if prop == "monotone":
        return all(a <= b for a, b in zip(*xs)) and any(not _le(u, v) for u, v in zip(*outs))
    if prop == "concave":
        assert xs[2] == tuple((a + b) / 2 for a, b in zip(xs[0], xs[1]))
        return any(is_finite(w) and (not is_finite(u) or not is_finite(v) or 2 * w < u + v) for u, v, w in zip(*outs))
    if prop == "translation":
        c = xs[1][0] - xs[0][0]
        assert xs[1] == tuple(a + c for a in xs[0])
        return any(v != (u + c if is_finite(u) else INF) for u, v in zip(*outs[:2]))
    gap = max(abs(a - b) for a, b in zip(xs[0], xs[1]))
    return any(is_finite(u) != is_finite(v) or (is_finite(u) and abs(u - v) > L * gap) for u, v in zip(*outs[:2]))


def _sampled_violation(net, prop, box, L):
    """A violation among pairs of grid points of the box (None if the samples satisfy the property)."""
    grid = _grid(box)
    for x in grid:
        for y in grid:
            if prop == "concave":
                xs = (x, y, tuple((a + b) / 2 for a, b in zip(x, y)))
            elif prop == "translation":
                c = y[0] - x[0]
                if y != tuple(a + c for a in x):
                    continue
                xs = (x, y)
            else:
                xs = (x, y)
            if _violated(net, prop, xs, L):
                return xs
    return None


PROPS = ["monotone", "concave", "lipschitz", "translation", "continuous"]


@settings(max_examples=25, deadline=None)
@given(networks(max_inputs=2, max_layers=2, max_width=2), st.sampled_from(PROPS))
def test_generated_networks_every_property_agrees_with_the_simulator(net, prop):
    """Signed weights, finite kernels, delays, references: a refutation's inputs violate the property in the exact
    simulator; a proof is never contradicted by grid samples of the box."""
    box = Box.uniform(0, 2, net.dimension)
    r = check_property(net, prop, box, SolverOptions(timeout=30))
    L = r.details.get("L", F(1)) if prop in ("lipschitz", "continuous") else F(1)
    if r.verdict is Verdict.REFUTED:
        xs = r.counterexample.inputs
        assert all(box.contains(x) for x in xs)
        assert _violated(net, "lipschitz" if prop == "continuous" else prop, xs[:3], L), r.counterexample
        if prop == "continuous":
            assert max(abs(a - b) for a, b in zip(xs[0], xs[1])) < F(1, 10**6)
    elif r.verdict is Verdict.PROVED:
        assert _sampled_violation(net, "lipschitz" if prop == "continuous" else prop, box, L) is None


@settings(max_examples=15, deadline=None)
@given(networks(max_inputs=2, max_layers=2, max_width=2))
def test_generated_networks_bounds_contain_every_sample(net):
    """bounds: every grid sample lies in [min, max] of each output, and attained optima are the simulator's values."""
    box = Box.uniform(0, 2, net.dimension)
    r = check_property(net, "bounds", box, SolverOptions(timeout=30))
    if r.verdict is not Verdict.PROVED:
        return
    for i, o in enumerate(net.outputs):
        b = r.details["bounds"][o]
        for x in _grid(box):
            t = realize(net, x)[i]
            assert _le(b["min"], t) and _le(t, b["max"])
            assert is_finite(t) or b["can_be_silent"]
        for side in ("min", "max"):
            if b.get(f"arg{side}") is not None and b.get(f"{side}_attained"):
                assert realize(net, b[f"arg{side}"])[i] == b[side]


def test_relu_lipschitz_both_ways():
    """ReLU networks: |x0 - x1| is 2-Lipschitz (l_inf) and not 1-Lipschitz; only lipschitz accepts ReLU networks."""
    relu = relu_network([([[1, -1], [-1, 1]], [0, 0]), ([[1, 1]], [0])])
    box = Box.uniform(-1, 1, 2)
    assert check_property(relu, "lipschitz=2", box).verdict is Verdict.PROVED
    r = check_property(relu, "lipschitz", box)
    assert r.verdict is Verdict.REFUTED
    x, y = r.counterexample.inputs
    assert abs(relu(x)[0] - relu(y)[0]) > max(abs(a - b) for a, b in zip(x, y))
    with pytest.raises(InvalidInput, match="lipschitz"):
        check_property(relu, "monotone", box)


def test_registry_names_and_parameters():
    """PROPERTIES lists the registry; only lipschitz takes a parameter; every property has a one-line summary."""
    assert PROPERTIES == tuple(REGISTRY) == ("monotone", "concave", "lipschitz", "translation", "bounds", "continuous")
    assert [p.name for p in REGISTRY.values() if p.parameter] == ["lipschitz"]
    assert all(p.summary and "\n" not in p.summary for p in REGISTRY.values())
    assert all(parse_property(name) == (name, None) for name in PROPERTIES)
