"""Exact causal / activation regions: model facts, C9 counts, differential checks against the simulator, CLI."""

from __future__ import annotations

import random
from dataclasses import replace
from fractions import Fraction
from math import comb

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import networks, positive_rationals

from verisnn.analyses import regions
from verisnn.analyses.regions import (
    Space,
    covers,
    enumerate_regions,
    one_layer,
    one_layer_bounds,
    patterns_by_dimension,
    prove_pieces,
    relu_layer_bound,
    search_max_regions,
    shared_layer,
)
from verisnn.claims.generators import positive_linear, signed
from verisnn.core import affine as af
from verisnn.core.domain import Box, parse_domain
from verisnn.core.errors import InvalidInput
from verisnn.core.model import layered, relu_network
from verisnn.core.numbers import is_finite
from verisnn.core.results import Verdict
from verisnn.semantics.simulate import simulate

F = Fraction


def count_regions(net, domain=None, **kwargs):
    """The exact count from the public Result (PROVED)."""
    res = regions.count_regions(net, domain, **kwargs)
    assert res.verdict is Verdict.PROVED, res.reason
    return res.details["count"]


def _maps(rm):
    return {rm.label(r.pattern): [af.to_text(a, rm.space.names) if a else "inf" for a in r.outputs]
            for r in rm.regions}


def test_spec_fact_two_inputs():
    """w = (1, 1), theta = 1 has exactly the three pieces of docs/model.md t1 + 1, t2 + 1 and (1 + t1 + t2)/2."""
    rm = enumerate_regions(one_layer([[1, 1]], [1]))
    assert rm.count == 3 and rm.pieces == 3
    assert _maps(rm) == {"{x0}": ["1 + x0"], "{x1}": ["1 + x1"], "{x0,x1}": ["1/2 + 1/2*x0 + 1/2*x1"]}


def test_spec_fact_inhibition():
    """w = (1, -1), theta = 1 on x0 = 0, x1 in [0, 3]: silent below 1, fires at 1 above (two regions)."""
    net = one_layer([[1, -1]], [1])
    rm = enumerate_regions(net, parse_domain("0:0,0:3", 2))
    assert rm.count == 2
    assert sorted(map(str, _maps(rm).values())) == ["['1']", "['inf']"]


@pytest.mark.parametrize("d", [1, 2, 3, 4, 5])
def test_one_neuron_counts(d):
    """One positive linear neuron with d inputs has 2^d - 1 regions, one piece each (C9)."""
    rng = random.Random(d)
    net = one_layer([[F(rng.randint(1, 8), 4) for _ in range(d)]], [F(rng.randint(1, 8), 4)])
    rm = enumerate_regions(net)
    assert rm.count == 2 ** d - 1 and rm.pieces == rm.count


@settings(max_examples=15, deadline=None)
@given(d=st.integers(1, 3), m=st.integers(1, 3), data=st.data())
def test_shared_weights_count(d, m, data):
    """m neurons sharing any positive weight vector with distinct thresholds have (m+1)^d - m^d regions on Q^d."""
    w = data.draw(st.lists(positive_rationals, min_size=d, max_size=d))
    th = data.draw(st.lists(positive_rationals, min_size=m, max_size=m, unique=True))
    assert count_regions(shared_layer(w, th)) == (m + 1) ** d - m ** d


@settings(max_examples=10, deadline=None)
@given(m=st.integers(1, 4), data=st.data())
def test_two_inputs_at_most_2m_plus_1(m, data):
    """One positive layer with d = 2 has at most 2m + 1 regions, and at least 3."""
    w = data.draw(st.lists(st.lists(positive_rationals, min_size=2, max_size=2), min_size=m, max_size=m))
    th = data.draw(st.lists(positive_rationals, min_size=m, max_size=m))
    c = count_regions(one_layer(w, th))
    assert 3 <= c <= 2 * m + 1


def test_one_layer_bounds_values():
    """The C9 one-layer bound: kappa_2 = 2, so d = 2, m = 1 gives min(C(2,0)+C(2,1), 3) = 3."""
    assert one_layer_bounds(2, 1) == (3, 3)
    assert one_layer_bounds(3, 2) == (7, min(1 + 12 + comb(12, 2), 49))
    assert relu_layer_bound(2, 3) == 7


def test_relu_regions():
    """|x0 - x1| has two activation regions; three lines in general position cut Q^2 into 7."""
    rm = enumerate_regions(relu_network([([[1, -1], [-1, 1]], [0, 0]), ([[1, 1]], [0])]), Box.uniform(-1, 1, 2))
    assert rm.count == 2
    assert sorted(_maps(rm).values()) == [["-x0 + x1"], ["x0 - x1"]]
    lines = relu_network([([[1, 0], [0, 1], [1, 1]], [0, 0, -1]), ([[1, 1, 1]], [0])])
    assert count_regions(lines) == 7
    assert count_regions(lines, Box.uniform(F(1, 4), F(1, 3), 2)) == 1


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_relu_differential(data):
    """Random 2-3-3-1 ReLU networks: inside each piece the exact evaluation equals the piece's affine map."""
    q = st.integers(-8, 8).map(lambda n: F(n, 4))
    layers = []
    for prev, width in [(2, 3), (3, 3), (3, 1)]:
        w = data.draw(st.lists(st.lists(q, min_size=prev, max_size=prev), min_size=width, max_size=width))
        b = data.draw(st.lists(q, min_size=width, max_size=width))
        layers.append((w, b))
    net = relu_network(layers)
    rm = enumerate_regions(net, Box.uniform(-2, 2, 2))
    for x in [(F(i, 3), F(j, 3)) for i in range(-6, 7) for j in range(-6, 7)]:
        inside = [r for r in rm.regions if all(af.evaluate(g, x) > 0 for g in r.constraints)]
        assert len(inside) <= 1
        if inside:
            assert tuple(af.evaluate(a, x) for a in inside[0].outputs) == net(x)


def test_box_restricts_regions():
    """On a small box only the regions meeting it are counted; a fully fixed box has one point, one region."""
    net = one_layer([[1, 1]], [1])
    assert count_regions(net, Box.uniform(0, F(1, 2), 2)) == 1
    assert count_regions(net, parse_domain("0:0,0:5", 2)) == 2
    assert count_regions(net, parse_domain("0:0,3:3", 2)) == 1


def test_bad_domains():
    """A domain of the wrong dimension is a user error naming the sizes."""
    with pytest.raises(InvalidInput, match="2 inputs"):
        enumerate_regions(one_layer([[1, 1]], [1]), Box.uniform(0, 1, 3))


def _check_against_simulator(rm, net, box, points):
    """Every point lies in the closure of a piece; inside an open piece the simulator agrees with it."""
    for x in points:
        s = tuple(x[j] for j in range(box.dimension) if box.lo[j] < box.hi[j])
        closed = [r for r in rm.regions if all(af.evaluate(g, s) >= 0 for g in r.constraints)]
        assert closed, f"{x} is in no piece"
        inside = [r for r in closed if all(af.evaluate(g, s) > 0 for g in r.constraints)]
        assert len(inside) <= 1
        if inside:
            sim = simulate(net, list(x))
            assert sim.pattern == inside[0].pattern
            for a, t in zip(inside[0].outputs, sim.outputs):
                assert (a is None) == (not is_finite(t))
                if a is not None:
                    assert af.evaluate(a, s) == t


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(max_inputs=2, max_layers=2, max_width=2), data=st.data())
def test_differential_any_network(net, data):
    """Random networks (every kernel, signs, delays, references): pieces match the exact simulator everywhere."""
    box = Box.uniform(0, 3, net.dimension)
    rm = enumerate_regions(net, box)
    coord = st.one_of(st.integers(0, 24).map(lambda n: F(n, 8)), st.integers(0, 9).map(lambda n: F(n, 3)))
    points = data.draw(st.lists(st.lists(coord, min_size=net.dimension,
                                         max_size=net.dimension), min_size=5, max_size=12))
    _check_against_simulator(rm, net, box, points)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(max_inputs=2, max_layers=2, max_width=2), data=st.data())
def test_every_simulated_pattern_is_enumerated(net, data):
    """Any point of the closed box, boundaries and ties included, has a pattern listed by patterns_by_dimension."""
    box = Box.uniform(0, 2, net.dimension)
    found = patterns_by_dimension(net, box)
    coord = st.integers(0, 8).map(lambda n: F(n, 4))
    points = data.draw(st.lists(st.lists(coord, min_size=net.dimension, max_size=net.dimension), min_size=10,
                                max_size=20))
    for x in points:
        assert simulate(net, x).pattern in found


def test_lower_dimensional_on_a_box_corner():
    """A zero-weight spike arriving exactly at the firing time only at the box corner (2, 0) is found there."""
    from verisnn.core.model import Network, Neuron, Synapse

    syn = (Synapse("x1", "v", F(1), F(2)), Synapse("x0", "v", F(0), F(1)))
    net = Network(("x0", "x1"), (Neuron("v", F(1)),), syn, ("v",))
    found = patterns_by_dimension(net, Box.uniform(0, 2, 2))
    assert found[simulate(net, [F(2), F(0)]).pattern] == 0
    assert len(found) == 2


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(net=networks(max_inputs=3, max_layers=3, max_width=3), data=st.data())
def test_differential_stress(net, data):
    """Slow: 300 random networks up to 3 inputs and 3 layers on [-1, 3]^d, pieces against the simulator."""
    box = Box.uniform(-1, 3, net.dimension)
    rm = enumerate_regions(net, box, timeout=60)
    coord = st.one_of(st.integers(-8, 24).map(lambda n: F(n, 8)), st.integers(-3, 9).map(lambda n: F(n, 3)))
    points = data.draw(st.lists(st.lists(coord, min_size=net.dimension, max_size=net.dimension), min_size=20,
                                max_size=30))
    _check_against_simulator(rm, net, box, points)


def test_positive_two_layer_differential_grid():
    """A 2-4-3 positive network: every grid point of [0, 4]^2 agrees with its piece."""
    net = positive_linear([2, 4, 3], 2)
    box = Box.uniform(0, 4, 2)
    rm = enumerate_regions(net, box, prove_cover=True)
    assert rm.covered and rm.verified
    grid = [(F(i, 3), F(j, 3)) for i in range(13) for j in range(13)]
    _check_against_simulator(rm, net, box, grid)


def test_certificate_solver_proofs():
    """A signed box-kernel network: the whole-box cover query and every per-piece encoding query are unsat."""
    net = signed([2, 3, 1], 1, {"name": "box", "delta": "2"})
    rm = enumerate_regions(net, Box.uniform(0, 3, 2), prove_cover=True)
    assert rm.covered is True
    assert prove_pieces(rm).details["pieces"] == rm.pieces
    assert rm.pieces >= rm.count >= 2


def test_cover_proof_detects_a_missing_piece():
    """Dropping a piece makes the whole-domain cover query satisfiable (the check can fail)."""
    net = one_layer([[1, 1]], [1])
    rm = enumerate_regions(net, Box.uniform(-3, 3, 2))
    assert covers(rm).details["covered"] is True
    assert covers(replace(rm, regions=rm.regions[1:])).details["covered"] is False


def test_minimized_pieces_keep_their_sets():
    """Dropping redundant constraints keeps every piece's set: the same grid points fall in the same pieces."""
    net = signed([2, 3, 1], 1, {"name": "box", "delta": "2"})
    box = Box.uniform(0, 3, 2)
    rm = enumerate_regions(net, box)
    small = rm.minimized()
    assert sum(map(len, (r.constraints for r in small.regions))) < sum(map(len, (r.constraints for r in rm.regions)))
    for x in [(F(i, 4), F(j, 4)) for i in range(13) for j in range(13)]:
        a = [all(af.evaluate(g, x) > 0 for g in r.constraints) for r in rm.regions]
        b = [all(af.evaluate(g, x) > 0 for g in r.constraints) for r in small.regions]
        assert a == b


def test_segment_space():
    """On the segment (0, 2) -> (2, 2) the neuron w = (1, 1), theta = 1 has pieces {x0} (x0 < 1) then {x0,x1}."""
    net = one_layer([[1, 1]], [1])
    rm = enumerate_regions(net, Space.segment((F(0), F(2)), (F(2), F(2))))
    assert sorted(rm.label(p) for p in rm.patterns) == ["{x0,x1}", "{x0}"]


def _triangle_pair():
    from verisnn.core.kernels import triangle
    from verisnn.core.model import Network, Neuron, Synapse

    syn = (Synapse("x0", "v", F(1)), Synapse("x1", "v", F(1)))
    return Network(("x0", "x1"), (Neuron("v", F(2)),), syn, ("v",), kernel=triangle(1))


def test_lower_dimensional_patterns():
    """Two triangle(1) spikes reach theta = 2 only when simultaneous: a pattern on the diagonal alone."""
    net = _triangle_pair()
    box = Box.uniform(0, 3, 2)
    assert count_regions(net, box) == 1
    dims = {enumerate_regions(net, box).label(p): k for p, k in patterns_by_dimension(net, box).items()}
    assert dims == {"-": 2, "{x0.1,x1.1}": 1}
    assert simulate(net, [F(1), F(1)]).times["v"] == 2
    relu = relu_network([([[1, -1], [-1, 1]], [0, 0]), ([[1, 1]], [0])])
    assert patterns_by_dimension(relu, Box.uniform(-1, 1, 2)) == {(False, True): 2, (True, False): 2,
                                                                    (False, False): 1}


def test_cli_lower_dim(cli, tmp_path):
    """`verisnn regions --lower-dim --json` lists the diagonal-only pattern with its dimension."""
    from verisnn.io import save_network

    save_network(_triangle_pair(), tmp_path / "tri.json")
    run = cli("regions", tmp_path / "tri.json", "--domain", "0:3", "--lower-dim", "--json")
    assert run.code == 0, run.err
    assert run.json["count"] == 1
    assert run.json["lower_dimensional"] == [{"pattern": "{x0.1,x1.1}", "dimension": 1}]


def test_search_reports_exact_count():
    """The heuristic search's best network is recounted exactly and beats the single-neuron bound."""
    net, count, history = search_max_regions(3, 2, iterations=4, seed=1)
    assert count == count_regions(net) and count >= 7
    assert history == sorted(history)


def test_sympy_outputs():
    """Piece outputs convert to sympy expressions in the free variables."""
    import sympy

    rm = enumerate_regions(one_layer([[1, 1]], [1]))
    exprs = {rm.label(r.pattern): rm.output_sympy(r)[0] for r in rm.regions}
    x0, x1 = sympy.symbols("x0 x1")
    assert sympy.simplify(exprs["{x0,x1}"] - (x0 + x1 + 1) / 2) == 0


def test_cli_regions_json(cli):
    """`verisnn regions --json` prints the count, the pieces and exact outputs."""
    run = cli("regions", "examples/fact_sum.json", "--domain", "-5:5", "--json")
    assert run.code == 0, run.err
    doc = run.json
    assert doc["count"] == 3 and doc["pieces"] == 3
    assert sorted(r["outputs"][0] for r in doc["regions"]) == ["1 + x0", "1 + x1", "1/2 + 1/2*x0 + 1/2*x1"]


def test_cli_regions_text_and_errors(cli, tmp_path):
    """Text output names the count; a bad domain exits 2 with one line; --plot writes a PNG."""
    run = cli("regions", "examples/kernel_box.json", "--domain", "0:5", "--prove-cover", "--prove-pieces",
              "--plot", tmp_path / "r.png")
    assert run.code == 0, run.err
    assert run.out.startswith("2 causal regions on 0:5,0:5")
    assert (tmp_path / "r.png").stat().st_size > 1000
    bad = cli("regions", "examples/kernel_box.json", "--domain", "0:1,2")
    assert bad.code == 2 and bad.err.count("\n") == 1
    relu = cli("regions", "examples/relu_small.json", "--domain", "-1:1", "--json")
    assert relu.code == 0 and relu.json["count"] == 2


def test_cli_list_sets_how_many_pieces_are_printed(cli):
    """--list N prints the first N pieces and says how many are left; --list 0 only the count; -1 exits 2."""
    full = cli("regions", "examples/fact_sum.json", "--domain", "-5:5")
    assert full.code == 0, full.err
    assert full.out.count("\npiece ") == 3 and "not listed" not in full.out
    one = cli("regions", "examples/fact_sum.json", "--domain", "-5:5", "--list", "1")
    assert one.code == 0 and one.out.count("\npiece ") == 1 and "... 2 more pieces not listed" in one.out
    assert one.out.split("\n")[2:5] == full.out.split("\n")[2:5]  # the first piece as in the full listing
    none = cli("regions", "examples/fact_sum.json", "--domain", "-5:5", "--list", "0")
    assert none.code == 0 and "\npiece " not in none.out and "... 3 pieces not listed" in none.out
    assert none.out.startswith("3 causal regions on -5:5,-5:5")
    bad = cli("regions", "examples/fact_sum.json", "--domain", "-5:5", "--list", "-1")
    assert bad.code == 2 and "--list" in bad.err and bad.err.count("\n") == 1


def test_progress_reports_every_piece_of_the_walk_then_the_replay():
    """The progress callback hears the walk's piece counts in order, then the replay; the map is unchanged."""
    q = Fraction
    net = layered(2, [{"weights": [[q(1), q(1, 2)], [q(1, 2), q(1)]], "thresholds": [q(1), q(3, 2)]},
                      {"weights": [[q(1), q(1)]], "thresholds": [q(2)]}])
    box = Box.uniform(-2, 2, 2)
    heard = []
    rm = enumerate_regions(net, box, progress=lambda phase, pieces: heard.append((phase, pieces)))
    assert heard == [("walk", k) for k in range(1, rm.pieces + 1)] + [("replay", rm.pieces)]
    plain = enumerate_regions(net, box)
    assert (rm.count, rm.pieces, rm.regions) == (plain.count, plain.pieces, plain.regions)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_closed_path_in_integers_equals_the_affine_formulas(data):
    """The sweep's integer firing time and conditions equal t_C = (theta + sum w a) / W and normalize(t_C - a)."""
    from strategies import rationals

    from verisnn.analyses.regions.sweep import _closed_path
    from verisnn.core.model import Synapse

    n = data.draw(st.integers(1, 3))
    m = data.draw(st.integers(1, 5))
    coef = rationals(-3, 3, (1, 2, 3, 5))
    arr = []
    for i in range(m):
        a = tuple(data.draw(coef) for _ in range(n + 1))
        if data.draw(st.booleans()):
            a = (a[0],) + (Fraction(0),) * n  # constant arrivals (references) too
        w = data.draw(positive_rationals)
        arr.append((i, Synapse(f"u{i}", "v", w), a, None, a))
    causal = tuple(sorted(data.draw(st.sets(st.integers(0, m - 1), min_size=1))))
    theta = data.draw(positive_rationals)
    tv, conds = _closed_path(theta, arr, causal)
    total = sum(arr[i][1].weight for i in causal)
    expect = af.shift(af.combine([(arr[i][1].weight / total, arr[i][2]) for i in causal], n), theta / total)
    assert tv == expect
    for i, (_, _, a, _, _) in enumerate(arr):
        g = af.sub(expect, a) if i in causal else af.sub(a, expect)
        assert conds[i] == (None if af.is_const(g) else af.normalize(g))
