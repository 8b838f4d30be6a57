"""Exact affine functions and open polyhedra over a few free variables.

An :data:`Affine` is a tuple ``(c0, c1, ..., cn)`` of Fractions standing for
``c0 + c1*s1 + ... + cn*sn``.  A *constraint* is an affine ``g`` read as ``g(s) > 0`` (open);
the closure of a region ``{g_1 > 0, ..., g_r > 0}`` is ``{g_i >= 0}``.

Feasibility of such systems is decided in the solver layer (:mod:`verisnn.solvers.lp`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

from verisnn.core.numbers import fmt

Affine = tuple[Fraction, ...]


# --- affine arithmetic ---------------------------------------------------------------------------
def const(c: Fraction, n: int) -> Affine:
    return (Fraction(c),) + (Fraction(0),) * n


def var(i: int, n: int) -> Affine:
    """The free variable ``s_i`` (0-based)."""
    return (Fraction(0),) + tuple(Fraction(1 if j == i else 0) for j in range(n))


def add(a: Affine, b: Affine) -> Affine:
    return tuple(x + y for x, y in zip(a, b))


def sub(a: Affine, b: Affine) -> Affine:
    return tuple(_diff(x, y) for x, y in zip(a, b))


def _diff(x: Fraction, y: Fraction) -> Fraction:
    """``x - y`` by one cross multiplication (Fraction's own operator dispatches and reduces twice)."""
    if not y:
        return x
    xn, xd, yn, yd = x.numerator, x.denominator, y.numerator, y.denominator
    return Fraction(xn * yd - yn * xd, xd * yd) if xd != yd else Fraction(xn - yn, xd)


def neg(a: Affine) -> Affine:
    """``-a``: the opposite half-space's constraint."""
    return tuple(-x for x in a)


def scale(a: Affine, c: Fraction) -> Affine:
    return tuple(x * c for x in a)


def shift(a: Affine, c: Fraction) -> Affine:
    return (a[0] + c,) + a[1:]


def combine(terms: Iterable[tuple[Fraction, Affine]], n: int) -> Affine:
    """``sum c * a`` over ``terms``: per coefficient one integer sum over a common denominator."""
    used = [(c, a) for c, a in terms if c]
    out = []
    for j in range(n + 1):
        parts = [(c.numerator * a[j].numerator, c.denominator * a[j].denominator) for c, a in used if a[j]]
        if not parts:
            out.append(Fraction(0))
            continue
        den = math.lcm(*(q for _, q in parts))
        out.append(Fraction(sum(p * (den // q) for p, q in parts), den))
    return tuple(out)


def evaluate(a: Affine, point: Sequence[Fraction]) -> Fraction:
    """``a(point)``, accumulated as one integer fraction over the terms' least common denominator."""
    num, den = a[0].numerator, a[0].denominator
    for c, x in zip(a[1:], point):
        if c and x:
            n2, d2 = c.numerator * x.numerator, c.denominator * x.denominator
            if d2 == den:
                num += n2
            else:
                g = math.gcd(den, d2)
                num = num * (d2 // g) + n2 * (den // g)
                den = den // g * d2
    return Fraction(num, den)


def key(a: Affine) -> tuple[int, ...]:
    """``a`` as integers (numerator, denominator per coefficient), for sets and dicts: equal exactly when
    the affines are equal, and hashing ints is far cheaper than hashing Fractions."""
    return tuple(x for c in a for x in (c.numerator, c.denominator))


class ByIdentity:
    """Values computed from affines, remembered per object (hashing Fractions is slow); at most ``limit``.

    Each entry keeps its affine alive, so an ``id`` is never reused while it is remembered.  Code
    that hands the same objects around (the region walk shares its constraints) asks once per object.
    """

    __slots__ = ("_compute", "_entries", "_limit")

    def __init__(self, compute, limit: int = 100_000) -> None:
        self._compute, self._limit = compute, limit
        self._entries: dict[int, tuple[Affine, object]] = {}

    def __call__(self, g: Affine):
        entry = self._entries.get(id(g))
        if entry is not None and entry[0] is g:
            return entry[1]
        if len(self._entries) > self._limit:
            self._entries.clear()
        value = self._compute(g)
        self._entries[id(g)] = (g, value)
        return value


def is_const(a: Affine) -> bool:
    return not any(a[1:])


def normalize(g: Affine) -> Affine:
    """``g`` scaled by a positive number so that equal half-spaces get equal tuples."""
    for c in g[1:]:
        if c:
            if c == 1 or c == -1:
                return g
            p, q = abs(c.numerator), c.denominator  # dividing by |c| = p/q: one Fraction(n, d) per entry
            return tuple(Fraction(x.numerator * q, x.denominator * p) for x in g)
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
