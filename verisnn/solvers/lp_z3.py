"""Exact feasibility of open polyhedra (strict affine inequalities) with z3 over the reals.

:class:`Oracle` decides conjunctions of strict constraints exactly: z3's models are exact
rationals, and ``unknown`` raises :class:`SolverUnknown`, never read as infeasible.  It keeps an
incremental solver so that a region tree can be explored with push/pop.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import z3

from verisnn.core.affine import Affine, evaluate
from verisnn.core.errors import InternalError
from verisnn.smt.terms import q, total


class SolverUnknown(Exception):
    """The LP oracle could not decide (timeout or solver ``unknown``); never a verdict."""


class Oracle:
    """Exact feasibility of strict linear constraints over ``names`` (z3, incremental).

    ``base`` constraints (e.g. the open box) are asserted once; :meth:`push` / :meth:`pop` add
    and remove a region's constraints; :meth:`witness` returns an exact point satisfying the
    asserted constraints and some extra ones, or None when they are infeasible.
    """

    def __init__(self, names: Sequence[str], base: Iterable[Affine] = (), timeout: float = 60.0) -> None:
        self.names = list(names)
        self.vars = [z3.Real(f"{name}") for name in self.names]
        self.solver = z3.SolverFor("QF_LRA")
        self.solver.set("timeout", max(1, int(timeout * 1000)))
        self.solver.set("arith.solver", 2)  # much faster than the default on unions of polyhedra
        self._terms: dict[Affine, z3.ArithRef] = {}
        self._positive: dict[Affine, z3.BoolRef] = {}
        self.checks = 0
        for g in base:
            self.solver.add(self.positive(g))

    def term(self, a: Affine) -> z3.ArithRef:
        t = self._terms.get(a)
        if t is None:
            parts = [q(c) * x for c, x in zip(a[1:], self.vars) if c]
            if a[0] or not parts:
                parts.append(q(a[0]))
            t = total(parts)
            self._terms[a] = t
        return t

    def positive(self, g: Affine) -> z3.BoolRef:
        b = self._positive.get(g)
        if b is None:
            b = self._positive[g] = self.term(g) > 0
        return b

    def push(self, constraints: Iterable[Affine]) -> None:
        self.solver.push()
        for g in constraints:
            self.solver.add(self.positive(g))

    def pop(self) -> None:
        self.solver.pop()

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
        point = []
        for x in self.vars:
            val = model.eval(x, model_completion=True)
            point.append(Fraction(val.as_fraction()))  # type: ignore[attr-defined]
        p = tuple(point)
        if any(evaluate(g, p) <= 0 for g in extra) or any(evaluate(g, p) != 0 for g in equal):
            raise InternalError("z3 model violates a constraint it was asked to satisfy")
        return p


def covers(names: Sequence[str], bounds: Sequence[Affine], cells: Sequence[Sequence[Affine]],
           timeout: float = 60.0) -> bool:
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
