"""Exact affine functions and open polyhedra over a few free variables, with an exact LP oracle.

An :data:`Affine` is a tuple ``(c0, c1, ..., cn)`` of Fractions standing for
``c0 + c1*s1 + ... + cn*sn``.  A *constraint* is an affine ``g`` read as ``g(s) > 0`` (open);
the closure of a region ``{g_1 > 0, ..., g_r > 0}`` is ``{g_i >= 0}``.

:class:`Oracle` decides feasibility of conjunctions of strict constraints exactly (z3 over the
reals: its models are exact rationals, and ``unknown`` is raised, never read as infeasible).
It keeps an incremental solver so that a region tree can be explored with push/pop.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import z3

from .encode import q, total
from .errors import InternalError
from .numbers import fmt

Affine = tuple[Fraction, ...]


class SolverUnknown(Exception):
    """The LP oracle could not decide (timeout or solver ``unknown``); never a verdict."""


# --- affine arithmetic ---------------------------------------------------------------------------
def const(c: Fraction, n: int) -> Affine:
    return (Fraction(c),) + (Fraction(0),) * n


def var(i: int, n: int) -> Affine:
    """The free variable ``s_i`` (0-based)."""
    return (Fraction(0),) + tuple(Fraction(1 if j == i else 0) for j in range(n))


def add(a: Affine, b: Affine) -> Affine:
    return tuple(x + y for x, y in zip(a, b))


def sub(a: Affine, b: Affine) -> Affine:
    return tuple(x - y for x, y in zip(a, b))


def scale(a: Affine, c: Fraction) -> Affine:
    return tuple(x * c for x in a)


def shift(a: Affine, c: Fraction) -> Affine:
    return (a[0] + c,) + a[1:]


def combine(terms: Iterable[tuple[Fraction, Affine]], n: int) -> Affine:
    """``sum c * a`` over ``terms``."""
    out = [Fraction(0)] * (n + 1)
    for c, a in terms:
        if c:
            for j, x in enumerate(a):
                if x:
                    out[j] += c * x
    return tuple(out)


def evaluate(a: Affine, point: Sequence[Fraction]) -> Fraction:
    total = a[0]
    for c, x in zip(a[1:], point):
        if c:
            total += c * x
    return total


def is_const(a: Affine) -> bool:
    return not any(a[1:])


def normalize(g: Affine) -> Affine:
    """``g`` scaled by a positive number so that equal half-spaces get equal tuples."""
    for c in g[1:]:
        if c:
            return scale(g, 1 / abs(c))
    return g


def compose(a: Affine, inner: Sequence[Affine]) -> Affine:
    """``a(inner(t))`` where ``inner`` gives each of ``a``'s variables as an affine function of ``t``."""
    n = len(inner[0]) - 1 if inner else 0
    return shift(combine(zip(a[1:], inner), n), a[0])


def to_text(a: Affine, names: Sequence[str]) -> str:
    """``"1/2 + x0 - 3*x1"`` (exact)."""
    parts: list[str] = []
    for c, name in zip(a[1:], names):
        if not c:
            continue
        mag = "" if abs(c) == 1 else f"{fmt(abs(c))}*"
        sign = "-" if c < 0 else "+"
        parts.append(f"{sign} {mag}{name}")
    head = fmt(a[0]) if a[0] or not parts else ""
    if not head:
        text = " ".join(parts)
        return text[2:] if text.startswith("+ ") else "-" + text[2:]
    return " ".join([head] + parts)


def constraint_text(g: Affine, names: Sequence[str], strict: bool = True) -> str:
    """``g > 0`` written as ``lhs > rhs`` with the constant on the right."""
    lhs = to_text((Fraction(0),) + g[1:], names)
    return f"{lhs} {'>' if strict else '>='} {fmt(-g[0])}"


def to_sympy(a: Affine, names: Sequence[str]):  # -> sympy.Expr
    import sympy

    syms = sympy.symbols(list(names)) if names else []
    expr = sympy.Rational(a[0].numerator, a[0].denominator)
    for c, s in zip(a[1:], syms):
        expr += sympy.Rational(c.numerator, c.denominator) * s
    return expr


# --- exact feasibility -----------------------------------------------------------------------------
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
