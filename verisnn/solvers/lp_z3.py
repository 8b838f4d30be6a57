"""Exact feasibility of open polyhedra (strict affine inequalities) with z3 over the reals.

:class:`Oracle` is the "z3" LP session: z3's models are exact rationals (each checked against
the system before it is returned), "empty" comes with a Farkas certificate that z3 finds as the
model of the dual system and :func:`~verisnn.core.polyhedra.check_farkas` checks, and ``unknown``
raises :class:`SolverUnknown` (an :class:`~verisnn.solvers.lp_base.LPUndecided`), never read as
empty.  :func:`exact_witness` and :func:`exact_farkas` are the exact fallback of the float backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import z3

from verisnn.core.affine import Affine
from verisnn.core.errors import InternalError
from verisnn.core.polyhedra import Farkas, check_farkas, satisfies
from verisnn.smt.terms import affine, q, total
from verisnn.solvers.lp_base import LPUndecided, check_widths


class SolverUnknown(LPUndecided):
    """z3 could not decide an LP question (timeout or ``unknown``); never a verdict."""


def _millis(timeout: float | None) -> int | None:
    return None if timeout is None else max(1, int(timeout * 1000))


def _solver(timeout: float | None) -> z3.Solver:
    solver = z3.SolverFor("QF_LRA")
    ms = _millis(timeout)
    if ms is not None:
        solver.set("timeout", ms)
    solver.set("arith.solver", 2)  # much faster than the default on unions of polyhedra
    return solver


def _value(model: z3.ModelRef, x: z3.ArithRef) -> Fraction:
    return Fraction(model.eval(x, model_completion=True).as_fraction())  # type: ignore[attr-defined]


class Oracle:
    """Exact feasibility of strict linear constraints over ``names`` (z3, incremental).

    ``base`` constraints (e.g. the open box) are asserted once; :meth:`push` / :meth:`pop` add
    and remove a region's constraints; :meth:`witness` returns an exact point satisfying the
    asserted constraints and some extra ones, or None when they are infeasible.
    """

    def __init__(self, names: Sequence[str], base: Iterable[Affine] = (), timeout: float | None = 60.0) -> None:
        self.names = list(names)
        self.timeout = timeout
        self.vars = [z3.Real(f"{name}") for name in self.names]
        self.solver = _solver(timeout)
        self._terms: dict[Affine, z3.ArithRef] = {}
        self._positive: dict[Affine, z3.BoolRef] = {}
        self._groups: list[list[Affine]] = [list(base)]
        self.checks = 0
        self.fallbacks = 0
        for g in self._groups[0]:
            self.solver.add(self.positive(g))

    def term(self, a: Affine) -> z3.ArithRef:
        t = self._terms.get(a)
        if t is None:
            check_widths([a], len(self.vars))
            t = self._terms[a] = affine(a[1:], a[0], self.vars)
        return t

    def positive(self, g: Affine) -> z3.BoolRef:
        b = self._positive.get(g)
        if b is None:
            b = self._positive[g] = self.term(g) > 0
        return b

    def push(self, constraints: Iterable[Affine]) -> None:
        group = list(constraints)
        self._groups.append(group)
        self.solver.push()
        for g in group:
            self.solver.add(self.positive(g))

    def pop(self) -> None:
        if len(self._groups) == 1:
            raise InternalError("LP session pop without a matching push")
        self._groups.pop()
        self.solver.pop()

    def asserted(self) -> list[Affine]:
        return [g for group in self._groups for g in group]

    def block(self, constraints: Sequence[Affine]) -> None:
        """Assert that the point lies outside the closure ``{g >= 0}`` of a region (some ``g < 0``)."""
        self.solver.add(z3.Or([self.term(g) < 0 for g in constraints]))

    def witness(self, extra: Iterable[Affine] = (), equal: Iterable[Affine] = ()) -> tuple[Fraction, ...] | None:
        """An exact point of the asserted constraints, ``extra`` (``> 0``) and ``equal`` (``= 0``), or None."""
        self.checks += 1
        extra = list(extra)
        equal = list(equal)
        assumptions = [self.positive(g) for g in extra] + [self.term(g) == 0 for g in equal]
        result = self.solver.check(*assumptions)
        if result == z3.unsat:
            return None
        if result != z3.sat:
            raise SolverUnknown(f"z3 returned {result}: {self.solver.reason_unknown()}")
        model = self.solver.model()
        p = tuple(_value(model, x) for x in self.vars)
        if not satisfies(p, self.asserted() + extra, equal):
            raise InternalError("z3 model violates a constraint it was asked to satisfy")
        return p

    def infeasibility(self, extra: Iterable[Affine] = (), equal: Iterable[Affine] = ()) -> Farkas | None:
        """The checked Farkas certificate that the asserted constraints, ``extra`` and ``equal`` are empty, or None."""
        self.checks += 1
        return exact_farkas(self.asserted() + list(extra), list(equal), self.timeout)


def exact_witness(n: int, constraints: Sequence[Affine], equalities: Sequence[Affine] = (),
                  timeout: float | None = 60.0) -> tuple[Fraction, ...] | None:
    """An exact point of ``{g > 0, h = 0}`` over ``n`` variables, or None when z3 proves it empty."""
    oracle = Oracle([f"s{k}" for k in range(n)], constraints, timeout)
    return oracle.witness((), equalities)


def exact_farkas(constraints: Sequence[Affine], equalities: Sequence[Affine] = (),
                 timeout: float | None = 60.0) -> Farkas | None:
    """A Farkas certificate of ``{g > 0, h = 0}`` found by z3 (and checked exactly), or None when z3 finds none.

    The certificate system is ``lambda >= 0`` with ``sum lambda_i g_i + sum mu_j h_j`` of linear part
    zero and constant ``c``, and ``(sum lambda = 1 and c <= 0) or c = -1``; by Motzkin's transposition
    theorem it has a solution exactly when the strict system is empty.
    """
    n = len((list(constraints) + list(equalities) or [(Fraction(0),)])[0]) - 1
    lam = [z3.Real(f"lambda{i}") for i in range(len(constraints))]
    mu = [z3.Real(f"mu{j}") for j in range(len(equalities))]
    solver = _solver(timeout)
    solver.add(*[x >= 0 for x in lam])
    rows = list(zip(lam, constraints)) + list(zip(mu, equalities))

    def combo(k: int) -> z3.ArithRef:
        return total([q(g[k]) * x for x, g in rows if g[k]] or [q(Fraction(0))])

    solver.add(*[combo(k) == 0 for k in range(1, n + 1)])
    c = combo(0)
    one = total(lam) == 1 if lam else z3.BoolVal(False)
    solver.add(z3.Or(z3.And(one, c <= 0), c == -1))
    result = solver.check()
    if result == z3.unsat:
        return None
    if result != z3.sat:
        raise SolverUnknown(f"z3 returned {result} on a Farkas system: {solver.reason_unknown()}")
    model = solver.model()
    farkas = Farkas(tuple(_value(model, x) for x in lam), tuple(_value(model, x) for x in mu))
    if not check_farkas(constraints, equalities, farkas):
        raise InternalError("z3's Farkas certificate fails the exact check")
    return farkas


def covers(names: Sequence[str], bounds: Sequence[Affine], cells: Sequence[Sequence[Affine]],
           timeout: float | None = 60.0) -> bool:
    """Prove that the closures ``{g >= 0 for g in cell}`` cover ``{b >= 0 for b in bounds}``.

    Returns True when z3 proves that no point of the closed domain lies outside every closed
    cell (unsat), False when it finds one; raises :class:`SolverUnknown` otherwise.
    """
    oracle = Oracle(names, timeout=timeout)
    s = oracle.solver
    for b in bounds:
        s.add(oracle.term(b) >= 0)
    for cell in cells:
        if not cell:
            return True
        s.add(z3.Or([oracle.term(g) < 0 for g in cell]))
    result = s.check()
    if result == z3.unsat:
        return True
    if result == z3.sat:
        return False
    raise SolverUnknown(f"z3 returned {result}: {s.reason_unknown()}")
