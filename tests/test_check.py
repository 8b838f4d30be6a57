"""``verisnn check`` end to end: verdicts, exit codes 0/1/2, JSON, SMT-LIB export, both solvers."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from conftest import EXAMPLES, run_cli

from verisnn.core.numbers import INF
from verisnn.io import load_network, parse_inputs
from verisnn.semantics.simulate import realize
from verisnn.smt.smtlib import parse_smt2_z3
from verisnn.solvers import Limits, backend
from verisnn.solvers.cvc5_backend import parse_smt2

POSITIVE = EXAMPLES / "positive_2layer.json"
INHIBIT = EXAMPLES / "fact_inhibit.json"
BOX_KERNEL = EXAMPLES / "kernel_box.json"


@pytest.mark.parametrize("prop", ["monotone", "concave", "lipschitz", "translation", "continuous", "bounds"])
def test_positive_linear_example_proves_everything(prop):
    """The positive linear 2-3-1 example: every property proved, exit 0, JSON verdict 'proved'."""
    run = run_cli("check", POSITIVE, "--property", prop, "--domain", "0:2", "--json")
    assert run.code == 0, run.err
    assert run.json["verdict"] == "proved"


def test_inhibition_refutes_monotone_with_replayable_counterexample():
    """The w=(1,-1) neuron of docs/model.md is not monotone: exit 1 and the printed inputs reproduce the violation."""
    run = run_cli("check", INHIBIT, "--property", "monotone", "--domain", "0:2", "--json")
    assert run.code == 1, run.err
    doc = run.json
    assert doc["verdict"] == "refuted"
    net = load_network(INHIBIT)
    x, y = (parse_inputs(",".join(v), 2) for v in doc["counterexample"]["inputs"][:2])
    assert all(a <= b for a, b in zip(x, y))
    rx, ry = realize(net, x)[0], realize(net, y)[0]
    assert ry != INF and (rx == INF or rx > ry)


def test_inhibition_is_discontinuous_with_a_jump_witness():
    """The w=(1,-1) neuron jumps from firing to silent at s = 1: continuity refuted with a witness."""
    run = run_cli("check", INHIBIT, "--property", "continuous", "--domain", "0:0,0:2")
    assert run.code == 1, run.err
    assert "refuted continuous" in run.out and "discontinuous" in run.out


def test_finite_kernel_refutes_continuity():
    """Positive weights but a box kernel: continuity is refuted on a box containing the expiry."""
    run = run_cli("check", BOX_KERNEL, "--property", "continuous", "--domain", "0:3", "--json")
    assert run.code == 1, run.err
    assert run.json["verdict"] == "refuted"


def test_lipschitz_constant_option():
    """lipschitz=1/2 is refuted for a neuron whose slope is 1, lipschitz=1 proved."""
    assert run_cli("check", POSITIVE, "-p", "lipschitz=1/2", "-d", "0:2").code == 1
    assert run_cli("check", POSITIVE, "-p", "lipschitz=1", "-d", "0:2").code == 0


def test_bad_input_exits_2():
    """Unknown property, malformed domain and wrong dimension: exit 2, one line on stderr, no traceback."""
    for args in (["-p", "convex", "-d", "0:1"], ["-p", "monotone", "-d", "0-1"], ["-p", "monotone", "-d", "0:1,0:1,0:1"],
                 ["-p", "lipschitz=-1", "-d", "0:1"], ["-p", "monotone", "-d", "2:1"]):
        run = run_cli("check", POSITIVE, *args)
        assert run.code == 2, (args, run.out, run.err)
        assert "Traceback" not in run.err and run.err.strip()


def test_smt2_export_and_both_solvers(tmp_path):
    """--smt2 writes a file both solvers read back, and --solver both agrees with z3."""
    path = tmp_path / "concave.smt2"
    run = run_cli("check", POSITIVE, "-p", "concave", "-d", "0:2", "--solver", "both", "--smt2", path, "--json")
    assert run.code == 0, run.err
    assert run.json["verdict"] == "proved"
    text = path.read_text()
    assert backend("z3").check(parse_smt2_z3(text), Limits()).status == "unsat"
    solver, _ = parse_smt2(text.replace("(check-sat)\n", ""))
    assert solver.checkSat().isUnsat()


def test_timeout_never_proves():
    """A deterministic resource limit too small to decide gives unknown and exit 1."""
    run = run_cli("check", POSITIVE, "-p", "concave", "-d", "0:2", "--rlimit", "20", "--json")
    assert run.code == 1
    assert run.json["verdict"] == "unknown" and run.json["reason"]


def test_counterexample_numbers_are_exact_strings():
    """JSON counterexample inputs are exact rationals as strings."""
    run = run_cli("check", INHIBIT, "-p", "concave", "-d", "0:2", "--json")
    assert run.code == 1 and run.json["verdict"] == "refuted"
    for vec in run.json["counterexample"]["inputs"]:
        for v in vec:
            assert isinstance(v, str) and F(v) == F(v)


def test_compositional_and_monolithic_agree_on_positive_networks():
    """Positive linear networks: the neuron-by-neuron proof and the monolithic query both prove monotone and concave."""
    from verisnn.analyses.properties.compositional import compositional
    from verisnn.analyses.properties.order import concave_query, monotone_query
    from verisnn.core.domain import Box
    from verisnn.core.model import layered
    from verisnn.core.results import Verdict
    from verisnn.solvers import SolverOptions, solve

    net = layered(2, [{"weights": [[1, 2], [2, 1], [1, 1]], "thresholds": [1, 2, 1]},
                      {"weights": [[1, 1, 2], [2, 1, 1]], "thresholds": [2, 1], "delays": [[0, 1, 0], [0, 0, 0]]}])
    box = Box.uniform(0, 2, 2)
    for name, build, local in (("monotone", monotone_query, (monotone_query,)),
                               ("concave", concave_query, (monotone_query, concave_query))):
        composed = compositional(net, box, name, local, SolverOptions())
        assert composed is not None and composed.verdict is Verdict.PROVED
        assert composed.details["method"] == "compositional"
        assert solve(build(net, box)).verdict is Verdict.PROVED


def test_compositional_declines_signed_networks():
    """Signed networks are never proved neuron by neuron (the composition argument needs monotone neurons)."""
    from verisnn.analyses.properties.compositional import compositional
    from verisnn.analyses.properties.order import concave_query, monotone_query
    from verisnn.core.domain import Box
    from verisnn.core.model import layered
    from verisnn.solvers import SolverOptions

    net = layered(2, [{"weights": [[1, 1], [1, 1]], "thresholds": [1, 1]}, {"weights": [[2, -1]], "thresholds": [1]}])
    local = (monotone_query, concave_query)
    assert compositional(net, Box.uniform(0, 2, 2), "concave", local, SolverOptions()) is None
