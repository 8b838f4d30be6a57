"""The exact LP layer: vertex and HiGHS-guided answers agree with z3, every point and certificate is exact, fallbacks happen."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verisnn.core.affine import Affine, evaluate
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.polyhedra import Farkas, Subspace, check_farkas, eliminate, satisfies
from verisnn.solvers.lp import LP_NAMES, LPOptions, LPUndecided, open_lp
from verisnn.solvers.lp_z3 import SolverUnknown

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXACT = [name for name in LP_NAMES if name != "z3"]  # the backends checked against z3
E = F(1, 10**40)


def rationals(lo: int = -4, hi: int = 4) -> st.SearchStrategy[F]:
    return st.builds(F, st.integers(lo, hi), st.integers(1, 4))


@st.composite
def systems(draw, max_constraints: int = 8, max_equalities: int = 0):
    """(n, box, constraints, equalities): random strict systems over 1-3 variables, optionally inside an open box."""
    n = draw(st.integers(1, 3))
    affine = st.tuples(*[rationals() for _ in range(n + 1)])
    box: list[Affine] = []
    if draw(st.booleans()):
        for k in range(n):
            unit = tuple(F(int(j == k)) for j in range(n))
            box.append((F(4),) + unit)
            box.append((F(4),) + tuple(-x for x in unit))
    constraints = draw(st.lists(affine, max_size=max_constraints))
    equalities = draw(st.lists(affine, max_size=max_equalities))
    return n, box, constraints, equalities


def names(n: int) -> list[str]:
    return [f"s{k}" for k in range(n)]


def tampered(farkas: Farkas, constraints: list[Affine]) -> list[Farkas]:
    """Certificates that must fail: a positive multiplier negated, or doubled where its constraint is not constant."""
    out = []
    for i, c in enumerate(farkas.strict):
        if c > 0:
            neg = list(farkas.strict)
            neg[i] = -c
            out.append(Farkas(tuple(neg), farkas.equal))
            if any(constraints[i][1:]):
                dbl = list(farkas.strict)
                dbl[i] = 2 * c
                out.append(Farkas(tuple(dbl), farkas.equal))
            break
    return out


def assert_exact(session, constraints, extra=(), equal=()):
    """The session's answer is an exact point or an exactly checked certificate, as z3 says."""
    point = session.witness(extra, equal)
    z3 = open_lp(session.names, constraints, LPOptions("z3"))
    truth = z3.witness(extra, equal)
    everything = constraints + list(extra)
    assert (point is None) == (truth is None)
    if point is not None:
        assert satisfies(point, everything, list(equal))
        assert session.infeasibility(extra, equal) is None
    else:
        farkas = session.infeasibility(extra, equal)
        assert farkas is not None and check_farkas(everything, list(equal), farkas)
        for bad in tampered(farkas, everything):
            assert not check_farkas(everything, list(equal), bad)
        zf = z3.infeasibility(extra, equal)
        assert zf is not None and check_farkas(everything, list(equal), zf)
    return point


@pytest.mark.parametrize("backend", EXACT)
@SETTINGS
@given(systems())
def test_backends_and_z3_agree_on_random_strict_systems(backend, system):
    """On random open systems every backend agrees with z3, with exact points and valid Farkas certificates."""
    n, box, constraints, _ = system
    session = open_lp(names(n), box + constraints, LPOptions(backend))
    assert_exact(session, box + constraints)


@pytest.mark.parametrize("backend", EXACT)
@SETTINGS
@given(systems(max_equalities=2))
def test_equalities_are_decided_exactly(backend, system):
    """With equalities the answer still agrees with z3; points satisfy every equality exactly."""
    n, box, constraints, equalities = system
    session = open_lp(names(n), box, LPOptions(backend))
    assert_exact(session, box, constraints, equalities)


@pytest.mark.parametrize("backend", EXACT)
@SETTINGS
@given(systems(max_constraints=6), st.data())
def test_push_pop_and_extra_constraints(backend, system, data):
    """Pushed groups add constraints, pop removes them, extra constraints hold only for one question."""
    n, box, constraints, _ = system
    session = open_lp(names(n), box, LPOptions(backend))
    half = len(constraints) // 2
    session.push(constraints[:half])
    assert session.asserted() == box + constraints[:half]
    assert_exact(session, box + constraints[:half], constraints[half:])
    session.push(constraints[half:])
    assert session.asserted() == box + constraints
    assert_exact(session, box + constraints)
    session.pop()
    assert session.asserted() == box + constraints[:half]
    assert_exact(session, box + constraints[:half])
    session.pop()
    assert_exact(session, box)
    with pytest.raises(InternalError):
        session.pop()


@pytest.mark.parametrize("backend", LP_NAMES)
def test_push_pop_on_a_square(backend):
    """A square is nonempty, cutting it to x > 2 empties it, popping the cut restores it."""
    square = [(F(1), F(1), F(0)), (F(1), F(-1), F(0)), (F(1), F(0), F(1)), (F(1), F(0), F(-1))]
    session = open_lp(["x", "y"], square, LPOptions(backend))
    assert satisfies(session.witness(), square)
    session.push([(F(-2), F(1), F(0))])
    assert session.witness() is None
    farkas = session.infeasibility()
    assert check_farkas(session.asserted(), (), farkas)
    session.pop()
    assert session.witness() is not None and session.infeasibility() is None
    assert session.checks >= 3


@pytest.mark.parametrize("backend", LP_NAMES)
def test_inconsistent_equalities_have_a_certificate_without_strict_multipliers(backend):
    """x + y = 0 and x + y = 1 contradict each other: the certificate uses only the equalities."""
    session = open_lp(["x", "y"], [(F(1), F(1), F(0))], LPOptions(backend))
    equal = [(F(0), F(1), F(1)), (F(-1), F(1), F(1))]
    assert session.witness(equal=equal) is None
    farkas = session.infeasibility(equal=equal)
    assert check_farkas(session.asserted(), equal, farkas)


# --- numerically hard systems: the float guide fails its exact check, the exact fallback answers -----------------
HARD = {
    # feasible only on 0 < x < 10^-40
    "thin slab": ([(F(0), F(1)), (E, F(-1))], True),
    # near-parallel hyperplanes: x + y > 0 and x + (1 + 10^-40) y < 0 meet in a sliver with y < 0
    "near-parallel, nonempty": ([(F(0), F(1), F(1)), (F(0), F(-1), F(-1) - E), (F(1), F(1), F(0)),
                                 (F(1), F(-1), F(0)), (F(1), F(0), F(1)), (F(1), F(0), F(-1))], True),
    # ... and with y > 0 they are disjoint
    "near-parallel, empty": ([(F(0), F(1), F(1)), (F(0), F(-1), F(-1) - E), (F(0), F(0), F(1))], False),
    # tiny coefficients next to 1
    "tiny coefficients": ([(F(0), F(1, 10**30), F(1)), (F(0), F(-1, 10**30), F(-1) + E)], True),
    # huge constants: 10^30 < x < 10^30 + 1
    "huge constants": ([(F(-10**30), F(1)), (F(10**30) + 1, F(-1))], True),
    # huge and tiny coefficients in one row
    "huge and tiny, empty": ([(F(0), F(10**30), F(1, 10**30)), (F(0), F(-10**30), F(1, 10**30)),
                              (F(0), F(0), F(-1))], False),
}


@pytest.mark.parametrize("name", sorted(HARD))
def test_fallback_is_taken_on_numerically_hard_systems(name):
    """Where the float answer fails its exact check, the session falls back and still answers exactly."""
    constraints, feasible = HARD[name]
    n = len(constraints[0]) - 1
    session = open_lp(names(n), constraints, LPOptions("highs"))
    point = assert_exact(session, constraints)
    assert (point is not None) == feasible
    assert session.fallbacks >= 1


def test_easy_systems_need_no_fallback():
    """A box cut by a few ordinary hyperplanes is decided by the float guide plus exact checks alone."""
    box = [(F(4), F(1), F(0)), (F(4), F(-1), F(0)), (F(4), F(0), F(1)), (F(4), F(0), F(-1))]
    session = open_lp(["x", "y"], box, LPOptions("highs"))
    for cut in [(F(1), F(1), F(-2)), (F(-9), F(1), F(1)), (F(0), F(3), F(-1))]:
        assert_exact(session, box, [cut])
    assert session.fallbacks == 0


# --- certificates and exact elimination, without any solver -----------------------------------------------------
def test_check_farkas_by_hand():
    """x > 1 and x < 0 are refuted by 1*(x - 1) + 1*(-x); wrong lengths, signs or sums are rejected."""
    cs = [(F(-1), F(1)), (F(0), F(-1))]
    assert check_farkas(cs, (), Farkas((F(1), F(1))))
    assert not check_farkas(cs, (), Farkas((F(1), F(2))))
    assert not check_farkas(cs, (), Farkas((F(-1), F(-1))))
    assert not check_farkas(cs, (), Farkas((F(0), F(0))))
    assert not check_farkas(cs, (), Farkas((F(1),)))
    # x > 0 and -x > 0: constant 0 with a positive multiplier suffices; with equalities mu may be negative
    assert check_farkas([(F(0), F(1)), (F(0), F(-1))], (), Farkas((F(1), F(1))))
    assert check_farkas([(F(0), F(1))], [(F(1), F(1))], Farkas((F(1),), (F(-1),)))
    assert not check_farkas([(F(0), F(1))], [(F(1), F(1))], Farkas((F(1),), (F(1),)))


@SETTINGS
@given(systems(max_constraints=0, max_equalities=3))
def test_elimination_parametrises_the_solutions(system):
    """Every lifted point solves the equalities; an inconsistent system gets a certificate."""
    n, _, _, equalities = system
    sub = eliminate(equalities, n)
    if isinstance(sub, Farkas):
        assert check_farkas((), equalities, sub)
        return
    assert isinstance(sub, Subspace)
    for u in [(F(0),) * sub.dim, tuple(F(k + 1, 3) for k in range(sub.dim))]:
        p = sub.lift(u)
        assert all(evaluate(h, p) == 0 for h in equalities)


# --- options --------------------------------------------------------------------------------------------------
def test_bad_backend_name_is_invalid_input():
    """An unknown LP backend is rejected with the list of choices."""
    with pytest.raises(InvalidInput, match="vertex, highs, z3"):
        LPOptions("simplex")
    with pytest.raises(InvalidInput, match="timeout"):
        LPOptions("highs", timeout=0)


def test_z3_undecided_is_lp_undecided():
    """z3's 'unknown' in the LP layer is an LPUndecided, which callers turn into an UNKNOWN verdict."""
    assert issubclass(SolverUnknown, LPUndecided)


# --- emptiness proofs without an LP (opposite constraints, remembered certificates) -----------------------------
@pytest.mark.parametrize("backend", EXACT)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems(max_constraints=5), st.lists(st.tuples(rationals(), rationals(), rationals(), rationals()), max_size=4))
def test_questions_like_region_enumeration_agree_with_z3(backend, system, cuts):
    """Cell, cell and -g, cell and -g and h, asked twice over push/pop: every answer exact and as z3 says."""
    n, box, constraints, _ = system
    session = open_lp(names(n), box, LPOptions(backend))
    hyperplanes = constraints + [c[: n + 1] for c in cuts]
    for _ in range(2):
        session.push(constraints)
        for g in hyperplanes:
            neg = tuple(-x for x in g)
            assert_exact(session, box + constraints, [neg])
            for h in hyperplanes[:2]:
                assert_exact(session, box + constraints, [neg, h])
        session.pop()


def test_opposite_and_remembered_certificates_are_used():
    """A cut opposite to a tighter constraint, and a repeated contradiction, are proved empty without an LP."""
    box = [(F(4), F(1), F(0)), (F(4), F(-1), F(0)), (F(4), F(0), F(1)), (F(4), F(0), F(-1))]
    session = open_lp(["x", "y"], box, LPOptions("highs"))
    # x > -4 is implied by the box: -(x + 5) > 0 is opposite to 4 + x > 0 and tighter
    assert_exact(session, box, [(F(-5), F(-1), F(0))])
    assert session._memo.hits == 1
    # x + y > 8 is empty in the box by a three-constraint certificate; asked again (fresh tuples) it is remembered
    cut = [(F(-8), F(1), F(1))]
    assert_exact(session, box, cut)
    hits = session._memo.hits
    session.push([(F(3), F(1), F(-1))])
    assert_exact(session, box + [(F(3), F(1), F(-1))], [(F(-8), F(1), F(1))])
    assert session._memo.hits == hits + 1
    session.pop()


def test_highs_prints_nothing():
    """The HiGHS backend writes nothing to stdout (JSON output of the CLI stays clean)."""
    code = ("from fractions import Fraction as F\n"
            "from verisnn.solvers.lp import open_lp\n"
            "from verisnn.solvers.lp import LPOptions\n"
            "s = open_lp(['x'], [(F(1), F(1)), (F(1), F(-1))], LPOptions('highs'))\n"
            "assert s.witness() is not None and s.witness([(F(-2), F(1))]) is None\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""


# --- the vertex backend ------------------------------------------------------------------------------------------
def test_vertex_delegates_what_is_not_a_box():
    """An unbounded base or an equality goes to the HiGHS session on the same stack; answers stay exact."""
    half = [(F(0), F(1), F(0)), (F(0), F(0), F(1))]  # the open quadrant: not a box
    session = open_lp(["x", "y"], half, LPOptions("vertex"))
    session.push([(F(-1), F(-1), F(1))])
    assert_exact(session, half + [(F(-1), F(-1), F(1))], [(F(-5), F(1), F(0))])
    assert session.delegated
    box = [(F(4), F(1), F(0)), (F(4), F(-1), F(0)), (F(4), F(0), F(1)), (F(4), F(0), F(-1))]
    boxed = open_lp(["x", "y"], box, LPOptions("vertex"))
    assert_exact(boxed, box, [(F(1), F(1), F(-2))])
    assert not boxed.delegated
    assert_exact(boxed, box, [], [(F(1), F(1), F(-2))])
    assert boxed.delegated


def test_vertex_looks_ahead_past_cuts_the_question_does_not_need():
    """When the last constraint already empties the remembered prefix, the cuts in between are skipped.

    The certificate then rests on the prefix and the last constraint only: the middle constraint
    gets multiplier 0.  Without the look-ahead the vertex maximising ``-(x + 5)`` would be one of
    ``{x > 1}`` and its certificate would use the middle constraint.
    """
    box = [(F(4), F(1), F(0)), (F(4), F(-1), F(0)), (F(4), F(0), F(1)), (F(4), F(0), F(-1))]
    session = open_lp(["x", "y"], box, LPOptions("vertex"))
    middle, last = (F(-1), F(1), F(0)), (F(-5), F(-1), F(0))  # x > 1, then x < -5
    assert_exact(session, box, [middle, last])
    farkas = session.infeasibility([middle, last])
    assert farkas.strict[4] == 0 and farkas.strict[5] > 0
    # a question whose last constraint does not empty the prefix is answered by cutting in order
    assert_exact(session, box, [middle, (F(-3), F(-1), F(0))])  # x > 1 and x < -3: empty only after the middle
    assert session.infeasibility([middle, (F(-3), F(-1), F(0))]).strict[4] > 0


@pytest.mark.parametrize("count", [3, 6])
def test_vertex_degenerate_cuts_through_one_point(count):
    """Many hyperplanes through one vertex (degenerate vertices): cells and certificates stay exact, as z3 says."""
    box = [(F(1), F(1), F(0), F(0)), (F(1), F(-1), F(0), F(0)), (F(1), F(0), F(1), F(0)),
           (F(1), F(0), F(-1), F(0)), (F(1), F(0), F(0), F(1)), (F(1), F(0), F(0), F(-1))]
    session = open_lp(["x", "y", "z"], box, LPOptions("vertex"))
    planes = [(F(1), F(1), F(k, count), F(-1)) for k in range(count)]  # all vanish at (-1, 0, 0)
    planes += [(F(0), F(1), F(-k), F(1)) for k in range(count)]
    pushed: list[Affine] = []
    for g in planes:
        assert_exact(session, box + pushed, [tuple(-x for x in g)])
        if session.witness([g]) is not None:
            session.push([g])
            pushed.append(g)
    assert not session.delegated


@pytest.mark.parametrize("backend", LP_NAMES)
def test_constraints_of_the_wrong_width_are_internal_errors(backend):
    """A constraint over the wrong number of variables is a bug of the caller, never a silently truncated answer."""
    box = [(F(1), F(1)), (F(1), F(-1))]
    session = open_lp(["x"], box, LPOptions(backend))
    wide = (F(0), F(1), F(1))
    for ask in (lambda: session.witness([wide]), lambda: session.push([wide])):
        with pytest.raises(InternalError, match="width 3"):
            ask()
    if backend != "z3":
        with pytest.raises(InternalError, match="width 3"):
            session.infeasibility([wide])
