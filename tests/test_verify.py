"""``verify``: the exact VNN-LIB reader, the property encoding, and verdicts on ReLU networks and SNNs."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
import z3
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from verisnn.analyses.emulation import emulate, random_relu
from verisnn.analyses.verify import verify, vnncomp_text
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import layered
from verisnn.core.results import Verdict
from verisnn.io import load_relu
from verisnn.io.vnnlib import load_vnnlib, parse_vnnlib
from verisnn.semantics.simulate import simulate
from verisnn.smt.vnnlib import constraints
from verisnn.solvers import SolverOptions

DIGITS = EXAMPLES / "digits"
NET = DIGITS / "digits_16x16.onnx"
INF = math.inf


def header(n_in: int, n_out: int) -> str:
    return "".join(f"(declare-const X_{i} Real)\n" for i in range(n_in)) + "".join(
        f"(declare-const Y_{j} Real)\n" for j in range(n_out))


def box_text(lo: list, hi: list) -> str:
    return "".join(f"(assert (>= X_{i} {a}))\n(assert (<= X_{i} {b}))\n" for i, (a, b) in enumerate(zip(lo, hi)))


# --- reader ------------------------------------------------------------------------------------
def test_numbers_are_exact_and_or_of_and_parses():
    """0.1 is 1/10, (/ 1 3) is 1/3, 1e-3 is 1/1000; an or of ands and chains parse; the box is the hull."""
    p = parse_vnnlib(header(2, 2) + """
        (assert (<= X_0 0.1)) (assert (>= X_0 (- 0.1)))
        (assert (or (and (>= X_1 (/ 1 3)) (<= X_1 1)) (and (>= X_1 2) (<= X_1 3))))
        (assert (or (and (<= Y_0 Y_1) (>= (* 2 Y_1) 1e-3)) (<= 0 Y_0 Y_1)))""")
    assert p.lo == (Fraction(-1, 10), Fraction(1, 3)) and p.hi == (Fraction(1, 10), Fraction(3))
    assert p.holds((Fraction(0), Fraction(1, 2)), (Fraction(1), Fraction(2)))
    assert not p.holds((Fraction(0), Fraction(3, 2)), (Fraction(1), Fraction(2)))  # X_1 in neither part
    assert not p.holds((Fraction(0), Fraction(1, 2)), (Fraction(3), Fraction(2)))


@pytest.mark.parametrize("text, message", [
    (header(1, 1) + "(assert (<= X_1 1))", "X_1 is used but not declared"),
    (header(1, 1) + "(assert (<= X_0 1)", "unbalanced '('"),
    (header(1, 1) + "(assert (<= X_0 1)))", "unbalanced ')'"),
    ("(declare-const Z Real)", "must be named X_i"),
    (header(1, 1) + "(assert (<= X_0 1))", "X_0 has no lower bound"),
    (header(1, 1) + box_text([0], [1]) + "(assert (<= (* X_0 Y_0) 1))", "nonlinear"),
    (header(1, 1) + box_text([0], [1]) + "(assert (ite true Y_0 1))", "unsupported constraint 'ite'"),
    (header(1, 1) + box_text([0], [1]) + "(assert (<= Y_0 0.1.2))", "unknown symbol"),
    ("(declare-const X_0 Real)(declare-const X_2 Real)(declare-const Y_0 Real)", "X_1 is not declared"),
])
def test_malformed_properties_name_the_problem(text, message):
    """Bad VNN-LIB text is an InvalidInput whose one line names the problem."""
    with pytest.raises(InvalidInput) as err:
        parse_vnnlib(text, "p.vnnlib")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_size_mismatch_is_input_error():
    """A property with the wrong X count for the network is an InvalidInput."""
    p = parse_vnnlib(header(2, 10) + box_text([0, 0], [1, 1]) + "(assert (>= Y_0 1))", "two.vnnlib")
    with pytest.raises(InvalidInput, match="declares 2 inputs X_i but the ReLU network has 64"):
        verify(load_relu(NET), p)


# --- silent outputs: the exact reading and the solver encoding agree ----------------------------------
ATOM_OPS = ["<=", "<", ">=", ">", "="]


@settings(max_examples=150, deadline=None)
@given(c0=st.integers(-2, 2), c1=st.integers(-2, 2), k=st.integers(-3, 3), op=st.sampled_from(ATOM_OPS),
       y0=st.one_of(st.just(INF), st.integers(-3, 3)), y1=st.one_of(st.just(INF), st.integers(-3, 3)),
       signs=st.tuples(st.sampled_from([1, -1]), st.sampled_from([1, -1])))
def test_encoding_of_silent_outputs_matches_exact_reading(c0, c1, k, op, y0, y1, signs):
    """For every atom over two outputs, each silent or not, z3's reading equals Atom.holds."""
    text = header(1, 2) + box_text([0], [1]) + f"(assert ({op} (+ (* {c0} Y_0) (* {c1} Y_1)) {k}))"
    p = parse_vnnlib(text)
    ys = [z3.Real("y0"), z3.Real("y1")]
    fs = [z3.Bool("f0"), z3.Bool("f1")]
    vals = [y0, y1]
    exact_vals = [v if v is INF else Fraction(v) for v in vals]
    shown = [(s * INF if v is INF else v) for v, s in zip(exact_vals, signs)]  # a silent value is +-inf by its sign
    want = p.holds((Fraction(0),), tuple(shown))
    s = z3.Solver()
    s.add(*constraints(p, [z3.RealVal(0)], ys, fs, signs))
    for y, f, v in zip(ys, fs, vals):
        s.add(f == (v is not INF))
        if v is not INF:
            s.add(y == v)
    assert (s.check() == z3.sat) == want


def test_silent_time_reads_as_plus_infinity():
    """Y_0 >= 5 holds for a silent output (+inf), Y_0 <= 5 does not; two silent outputs compare equal."""
    p = parse_vnnlib(header(1, 2) + box_text([0], [1]) + "(assert (>= Y_0 5))")
    assert p.holds((Fraction(0),), (INF, Fraction(0)))
    q = parse_vnnlib(header(1, 2) + box_text([0], [1]) + "(assert (<= Y_0 Y_1))")
    assert q.holds((Fraction(0),), (INF, INF))
    r = parse_vnnlib(header(1, 2) + box_text([0], [1]) + "(assert (< Y_0 Y_1))")
    assert not r.holds((Fraction(0),), (INF, INF)) and r.holds((Fraction(0),), (Fraction(1), INF))


# --- ReLU networks: the committed trained network ------------------------------------------------
@pytest.mark.parametrize("name, verdict, methods", [
    ("img0_eps0.05", Verdict.PROVED, {"bounds"}),
    ("img1_eps0.05", Verdict.PROVED, {"lp"}),
    ("img1_eps0.1", Verdict.REFUTED, {"attack", "lp"}),
])
def test_digits_relu_both_verdicts(name, verdict, methods):
    """The trained 64-16-16-10 network: proved by bounds, proved by exact LP branch and bound, refuted."""
    relu = load_relu(NET)
    p = load_vnnlib(DIGITS / f"digits_16x16_{name}.vnnlib")
    r = verify(relu, p)
    assert r.verdict is verdict and r.details["method"] in methods, r
    if verdict is Verdict.REFUTED:
        x = r.counterexample.inputs[0]
        assert p.holds(x, relu(x)) and relu(x) == r.counterexample.outputs[0]
        text = vnncomp_text(r)
        assert text.startswith("sat\n((X_0 ") and "(Y_9 " in text
    else:
        assert vnncomp_text(r) == "unsat\n"


def _random_property(relu, rng: random.Random, n_in: int) -> str:
    lo = [Fraction(rng.randint(-4, 0), 4) for _ in range(n_in)]
    hi = [a + Fraction(rng.randint(1, 4), 4) for a in lo]
    ys = [relu(tuple(rng.choice((a, b)) for a, b in zip(lo, hi)))[0] for _ in range(6)]
    k = sorted(ys)[rng.randint(0, 5)] + Fraction(rng.randint(-2, 2), 8)
    op = rng.choice([">=", "<="])
    body = f"(assert ({op} Y_0 {float(k)!r}))" if Fraction(repr(float(k))) == k else f"(assert ({op} Y_0 (/ {k.numerator} {k.denominator})))"
    return header(n_in, relu.n_outputs) + "".join(
        f"(assert (>= X_{i} (/ {a.numerator} {a.denominator})))\n(assert (<= X_{i} (/ {b.numerator} {b.denominator})))\n"
        for i, (a, b) in enumerate(zip(lo, hi))) + body


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_relu_verdicts_agree_with_z3_alone(seed):
    """On random small ReLU networks and output-bound properties, verify agrees with one plain z3 query."""
    from verisnn.smt.relu import encode_relu

    rng = random.Random(seed)
    relu = random_relu(2, [rng.randint(2, 6), rng.randint(2, 5)], 1, seed=seed)
    p = parse_vnnlib(_random_property(relu, rng, 2))
    r = verify(relu, p)
    xs = [z3.Real(f"x{i}") for i in range(2)]
    enc = encode_relu(relu, xs)
    s = z3.Solver()
    s.add(*enc.constraints, *constraints(p, xs, enc.outputs))
    assert r.verdict is (Verdict.REFUTED if s.check() == z3.sat else Verdict.PROVED), r
    if r.verdict is Verdict.REFUTED:
        x = r.counterexample.inputs[0]
        assert p.holds(x, relu(x))


# --- spiking networks -----------------------------------------------------------------------------
def test_snn_times_with_silent_output():
    """X/Y are spike times: a bound on the firing time is refuted or proved; a silent output is +inf."""
    net = layered(2, [{"weights": [[1, 1]], "thresholds": [1]}])  # fires at (1 + x0 + x1) / 2
    late = parse_vnnlib(header(2, 1) + box_text([0, 0], [1, 1]) + "(assert (>= Y_0 1.25))")
    r = verify(net, late)
    assert r.verdict is Verdict.REFUTED and r.counterexample.outputs[0][0] >= Fraction(5, 4)
    never = parse_vnnlib(header(2, 1) + box_text([0, 0], [1, 1]) + "(assert (> Y_0 (/ 3 2)))")
    assert verify(net, never).verdict is Verdict.PROVED
    quiet = layered(1, [{"weights": [[-1]], "thresholds": [1]}])  # never fires: Y_0 = +inf
    silent = parse_vnnlib(header(1, 1) + box_text([0], [1]) + "(assert (>= Y_0 1000))")
    r = verify(quiet, silent)
    assert r.verdict is Verdict.REFUTED and r.counterexample.outputs[0][0] == INF
    finite = parse_vnnlib(header(1, 1) + box_text([0], [1]) + "(assert (<= Y_0 1000))")
    assert verify(quiet, finite).verdict is Verdict.PROVED


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coded_snn_emulation_agrees_with_its_relu(seed):
    """A coded SNN (values through its codes) gets the ReLU network's verdicts on both sides of its range."""
    relu = random_relu(2, [3], 1, seed=seed)
    box = Box((Fraction(0),) * 2, (Fraction(1),) * 2)
    snn = emulate(relu, box).network
    corners = sorted(relu(c)[0] for c in box.corners())
    top = corners[-1]
    for k, op in ((top, ">="), (top + 1, ">=")):
        text = header(2, 1) + box_text([0, 0], [1, 1]) + f"(assert ({op} Y_0 (/ {k.numerator} {k.denominator})))"
        p = parse_vnnlib(text)
        a, b = verify(relu, p), verify(snn, p, SolverOptions(timeout=60))
        assert a.verdict is b.verdict and a.verdict is not Verdict.UNKNOWN, (a, b)
        if b.verdict is Verdict.REFUTED:
            x = b.counterexample.inputs[0]
            assert simulate(snn, list(x)).decoded_outputs() == b.counterexample.outputs[0]


# --- the command ------------------------------------------------------------------------------------
def test_cli_verify_exit_codes_and_vnncomp_file(cli, tmp_path):
    """proved -> 0 and 'unsat'; refuted -> 1 with the counterexample; a wrong-size property -> 2, one line."""
    out = tmp_path / "result.txt"
    r = cli("verify", NET, DIGITS / "digits_16x16_img0_eps0.05.vnnlib", "--vnncomp-result", out)
    assert r.code == 0 and r.out.startswith("proved"), (r.out, r.err)
    assert out.read_text() == "unsat\n"
    r = cli("verify", NET, DIGITS / "digits_16x16_img1_eps0.1.vnnlib", "--json", "--vnncomp-result", out)
    assert r.code == 1 and r.json["verdict"] == "refuted"
    assert out.read_text().startswith("sat\n((X_0 ")
    bad = tmp_path / "bad.vnnlib"
    bad.write_text(header(3, 10) + box_text([0, 0, 0], [1, 1, 1]) + "(assert (>= Y_0 Y_1))")
    r = cli("verify", NET, bad)
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "declares 3 inputs" in r.err


@pytest.mark.slow
def test_digits_snn_emulation_via_twin_both_verdicts():
    """The emulation of the digits network on [0,1]^64: refuted and proved through its twin (exact equivalence)."""
    relu = load_relu(NET)
    snn = emulate(relu, Box((Fraction(0),) * 64, (Fraction(1),) * 64)).network
    for name, verdict in (("img1_eps0.1", Verdict.REFUTED), ("img0_eps0.1", Verdict.PROVED)):
        p = load_vnnlib(DIGITS / f"digits_16x16_{name}.vnnlib")
        r = verify(snn, p, SolverOptions(timeout=300), twin=relu)
        assert r.verdict is verdict, r
    assert r.details["method"] == "twin" and r.details["equivalence"]["verdict"] == "proved"  # the SNN's bounds alone do not prove img0_eps0.1


# --- affine neurons (fixed causal sets) are exact -------------------------------------------------
from strategies import boxes_around, networks, points_in

from verisnn.analyses.verify.snn_fixed import fixed_neurons
from verisnn.core.kernels import linear
from verisnn.semantics.bounds import firing_bounds


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_fixed_causal_set_neurons_fire_at_their_affine_time(data):
    """Every neuron found affine on a box fires, for every point of the box, exactly at its form's value."""
    net = data.draw(networks(kernels=st.just(linear()), mixed_kernels=False))
    centre = [Fraction(data.draw(st.integers(0, 4)), 2) for _ in net.inputs]
    box = data.draw(boxes_around(centre, max_radius=1))
    fixed = fixed_neurons(net, firing_bounds(net, box))
    points = [data.draw(points_in(box)) for _ in range(3)] + [box.lo, box.hi]
    for x in points:
        sim = simulate(net, list(x))
        for v in fixed.causal:
            coeffs, const = fixed.forms[v]
            assert sim.times[v] != INF, v
            atoms = {u: sim.times[u] for u in coeffs}
            assert const + sum(c * atoms[u] for u, c in coeffs.items()) == sim.times[v], (v, x)


def test_digits_emulation_is_mostly_affine_and_proved_directly():
    """On a robustness box, all but the unstable units of the digits emulation are affine; bounds prove it."""
    relu = load_relu(NET)
    snn = emulate(relu, Box((Fraction(0),) * 64, (Fraction(1),) * 64)).network
    p = load_vnnlib(DIGITS / "digits_16x16_img0_eps0.05.vnnlib")
    r = verify(snn, p)
    assert r.verdict is Verdict.PROVED and r.details["method"] == "bounds", r
    assert r.size["affine"] == len(snn.neurons) - verify(relu, p).size["unstable"]


def test_early_excitation_fires_with_the_early_prefix():
    """A neuron fired by an early excitatory spike before later spikes arrive: its affine time uses only that spike."""
    from verisnn.core.model import Network, Neuron, Synapse

    net = Network(("x0", "x1", "x2"), (Neuron("v", Fraction(1)),),
                  (Synapse("x0", "v", Fraction(2)), Synapse("x1", "v", Fraction(-3)), Synapse("x2", "v", Fraction(3, 2))),
                  ("v",))
    x = (Fraction(0), Fraction(3, 5), Fraction(1))
    box = Box(x, x)
    assert simulate(net, list(x)).times["v"] == Fraction(1, 2)
    fixed = fixed_neurons(net, firing_bounds(net, box))
    assert fixed.causal["v"] == (0,)
    if "v" in fixed.causal:
        coeffs, const = fixed.forms["v"]
        assert const + sum(c * xv for c, xv in zip([coeffs.get(n, 0) for n in net.inputs], x)) == Fraction(1, 2)


def test_digits_32x32_counterexample_is_exact():
    """64-32-32-10: a counterexample with margin about 0.014 (Marabou 2.0.0 answers unsat on this file)."""
    relu = load_relu(DIGITS / "digits_32x32.onnx")
    p = load_vnnlib(DIGITS / "digits_32x32_img1_eps0.05.vnnlib")
    r = verify(relu, p)
    assert r.verdict is Verdict.REFUTED
    x = r.counterexample.inputs[0]
    y = relu(x)
    assert all(a <= v <= b for v, a, b in zip(x, p.lo, p.hi)) and p.holds(x, y) and y[4] - y[8] > Fraction(1, 100)
