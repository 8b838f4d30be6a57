"""Solving: verdicts, unknown is never proved, z3 and cvc5 agree, SMT-LIB export parses in both."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import inputs_for, networks

from verisnn.core.domain import Box
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.model import layered
from verisnn.core.numbers import is_finite
from verisnn.core.results import Counterexample, Verdict
from verisnn.semantics.simulate import simulate
from verisnn.smt.smtlib import parse_smt2_z3, to_smt2
from verisnn.smt.snn import encode
from verisnn.smt.terms import q
from verisnn.solvers import Answer, Limits, Query, SolverOptions, Status, backend, decide, optimize, solve
from verisnn.solvers.cvc5_backend import parse_smt2


def check_z3(constraints):
    return backend("z3").check(constraints, Limits())


def check_cvc5(constraints):
    return backend("cvc5").check(constraints, Limits())

NET = layered(2, [{"weights": [[1, 1]], "thresholds": [1]}])


def _query(extra: list, subject: str = "q") -> Query:
    enc = encode(NET, "a", Box.uniform(0, 2, 2))

    def cex(model) -> Counterexample:
        x = enc.read_inputs(model)
        out = simulate(NET, x).outputs
        return Counterexample((x,), (out,), f"output {out[0]} at {x}")

    return Query(subject, enc.constraints + [c(enc) for c in extra], cex, proved="fine")


def test_unsat_is_proved_and_sat_is_refuted():
    """An impossible output time proves, a possible one refutes with the callback's counterexample."""
    proved = solve(_query([lambda e: e.outputs[0] > 3]))
    assert proved.verdict is Verdict.PROVED and "fine" in proved.reason
    refuted = solve(_query([lambda e: e.outputs[0] > 2]))
    assert refuted.verdict is Verdict.REFUTED
    assert simulate(NET, refuted.counterexample.inputs[0]).outputs[0] > 2


@pytest.mark.parametrize("solver", ["cvc5", "both"])
def test_other_solvers_give_the_same_verdicts(solver):
    """cvc5 alone and z3+cvc5 prove and refute the same queries as z3."""
    opts = SolverOptions(solver)
    assert solve(_query([lambda e: e.outputs[0] > 3]), opts).verdict is Verdict.PROVED
    r = solve(_query([lambda e: e.outputs[0] > 2]), opts)
    assert r.verdict is Verdict.REFUTED and simulate(NET, r.counterexample.inputs[0]).outputs[0] > 2


def test_replay_mismatch_is_an_internal_error():
    """A callback that finds no violation in the simulator raises instead of reporting."""
    def bad(model):
        raise InternalError("not reproduced")

    with pytest.raises(InternalError):
        solve(Query("q", [z3.Bool("p")], bad))


def test_resource_limit_gives_unknown_never_proved():
    """A tiny deterministic rlimit on a true property yields unknown with a reason."""
    from verisnn.analyses.properties import check_property

    net = layered(3, [{"weights": [[1, 2, 1], [2, 1, 1], [1, 1, 3]], "thresholds": [2, 3, 2]},
                      {"weights": [[1, 2, 1]], "thresholds": [2]}])
    r = check_property(net, "concave", Box.uniform(0, 3, 3), SolverOptions("z3", 60, rlimit=50))
    assert r.verdict is Verdict.UNKNOWN and r.reason
    assert check_property(net, "concave", Box.uniform(0, 3, 3)).verdict is Verdict.PROVED


def test_disagreement_raises(monkeypatch):
    """With solver=both, z3 sat vs cvc5 unsat is an internal error, never a verdict."""
    monkeypatch.setattr(backend("cvc5"), "check", lambda *a, **k: Answer(Status.UNSAT, "cvc5"))
    with pytest.raises(InternalError):
        solve(_query([lambda e: e.outputs[0] > 2]), SolverOptions("both"))
    with pytest.raises(InternalError):
        decide([z3.Bool("p")], SolverOptions("both"))


def test_unknown_from_one_solver_is_not_proved(monkeypatch):
    """With solver=both, unsat from z3 but unknown from cvc5 stays unknown."""
    monkeypatch.setattr(backend("cvc5"), "check",
                        lambda *a, **k: Answer(Status.UNKNOWN, "cvc5", reason="cvc5: timeout"))
    r = solve(_query([lambda e: e.outputs[0] > 3]), SolverOptions("both"))
    assert r.verdict is Verdict.UNKNOWN and "timeout" in r.reason


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_z3_and_cvc5_agree_on_a_corpus(data):
    """Fixed-input encodings of random networks, with the true or a wrong output asserted: same status in both."""
    net = data.draw(networks(max_layers=2, max_width=2))
    x = data.draw(inputs_for(net, allow_inf=False))
    sim = simulate(net, x)
    enc = encode(net, "a")
    base = enc.constraints + [t == q(v) for t, v in zip(enc.inputs, x)]
    o, f = enc.outputs[0], enc.output_fires[0]
    truth = sim.outputs[0]
    claim = z3.And(f, o == q(truth)) if is_finite(truth) else z3.Not(f)
    wrong = data.draw(st.booleans())
    cons = base + [z3.Not(claim) if wrong else claim]
    a, b = check_z3(cons), check_cvc5(cons)
    assert a.status == b.status == ("unsat" if wrong else "sat")
    if not wrong:
        assert enc.read_outputs(b.model) == sim.outputs


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_smt2_export_parses_in_both_solvers(data):
    """The SMT-LIB text of a two-copy query reads back in z3 and in cvc5, with the same status."""
    net = data.draw(networks(max_layers=2, max_width=2))
    box = Box.uniform(0, 2, net.dimension)
    a, b = encode(net, "a", box), encode(net, "b", box)
    cons = a.constraints + b.constraints + [z3.Or(*[x != y for x, y in zip(a.outputs, b.outputs)])]
    text = to_smt2(cons, "test query")
    assert "|t[x0]@a|" in text and text.startswith("; test query")
    back = parse_smt2_z3(text)
    assert check_z3(back).status == check_z3(cons).status
    solver, sm = parse_smt2(text.replace("(check-sat)\n", ""))
    assert len(sm.getDeclaredTerms()) >= 2 * net.dimension
    assert str(solver.checkSat()) == check_z3(cons).status


def test_smt2_file_written_by_solve(tmp_path):
    """solve(..., smt2=PATH) writes the query, and the file re-checks to the same status."""
    path = tmp_path / "q.smt2"
    solve(_query([lambda e: e.outputs[0] > 3]), SolverOptions(smt2=str(path)))
    text = path.read_text()
    assert "(check-sat)" in text
    assert check_z3(parse_smt2_z3(text)).status == "unsat"


def test_optimize_reports_attainment():
    """Exact optimum: attained minimum, unattained supremum of an open interval."""
    x = z3.Real("x")
    lo = optimize([x >= 1, x < 2], x, maximize=False)
    hi = optimize([x >= 1, x < 2], x, maximize=True)
    assert (lo.value, lo.attained) == (F(1), True)
    assert (hi.value, hi.attained) == (F(2), False)
    assert optimize([x > 1, x < 0], x, maximize=True).status == "infeasible"


def test_bad_options_are_rejected():
    """Unknown solver names and non-positive limits are user errors."""
    with pytest.raises(InvalidInput):
        SolverOptions("yices")
    with pytest.raises(InvalidInput):
        SolverOptions(timeout=0)
    with pytest.raises(InvalidInput):
        SolverOptions(rlimit=0)
