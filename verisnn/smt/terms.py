"""Solver terms shared by every encoding: exact constants, readback, guarded sums, kernel terms."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import z3

from verisnn.core.errors import InternalError
from verisnn.core.kernels import Kernel

Term = z3.ArithRef


def q(value: Fraction | int) -> z3.RatNumRef:
    """An exact z3 rational constant."""
    v = Fraction(value)
    return z3.RealVal(f"{v.numerator}/{v.denominator}")


def exact(model: Any, term: z3.ExprRef) -> Fraction | bool:
    """The model's value of ``term`` as an exact Fraction (arithmetic) or bool (Boolean)."""
    v = model.eval(term, model_completion=True)
    if z3.is_true(v):
        return True
    if z3.is_false(v):
        return False
    if z3.is_int_value(v):
        return Fraction(v.as_long())
    if z3.is_rational_value(v):
        return Fraction(v.numerator_as_long(), v.denominator_as_long())
    raise InternalError(f"solver value of {term} is not a rational: {v}")


def name(kind: str, node: str, tag: str) -> str:
    return f"{kind}[{node}]@{tag}" if tag else f"{kind}[{node}]"


def and_(*parts: z3.BoolRef | bool) -> z3.BoolRef:
    keep = [p for p in parts if not (z3.is_true(p) if isinstance(p, z3.ExprRef) else p is True)]
    if any((z3.is_false(p) if isinstance(p, z3.ExprRef) else p is False) for p in keep):
        return z3.BoolVal(False)
    if not keep:
        return z3.BoolVal(True)
    return keep[0] if len(keep) == 1 else z3.And(*keep)


def implies(a: z3.BoolRef, b: z3.BoolRef) -> z3.BoolRef:
    if z3.is_true(a):
        return b
    if z3.is_false(a) or z3.is_true(b):
        return z3.BoolVal(True)
    return z3.Implies(a, b)


def total(terms: Sequence[Term]) -> Term:
    """The sum of ``terms`` without zero constants; one term stays itself (no unary ``(+ t)``, which cvc5 rejects)."""
    terms = [t for t in terms if not (z3.is_rational_value(t) and t.as_fraction() == 0)]
    if not terms:
        return q(0)
    return terms[0] if len(terms) == 1 else z3.Sum(*terms)


def affine(coef: Sequence[Fraction], const: Fraction, terms: Sequence[Term]) -> Term:
    """The term ``sum_k coef_k terms_k + const`` (zero coefficients dropped, unit ones unmultiplied)."""
    parts = [t if c == 1 else q(c) * t for c, t in zip(coef, terms) if c != 0]
    if const != 0 or not parts:
        parts.append(q(const))
    return total(parts)


def kernel_summands(kernel: Kernel, s: Term, left: bool = False) -> list[tuple[z3.BoolRef, Term]]:
    """``eps(s)`` (or its left limit ``eps(s^-)``) as guarded summands ``[s >= o] (jump + dslope (s - o))``.

    One summand per kernel event (breakpoint ``o`` with its jump and slope change), exact and
    right-continuous (left limits use ``s > o``); ``eps(s)`` is the sum of the bodies whose guard holds.
    """
    out = []
    for e in kernel.events():
        if e.jump == 0 and e.slope_change == 0:
            continue
        guard = s > q(e.offset) if left else s >= q(e.offset)
        elapsed = s if e.offset == 0 else s - q(e.offset)
        parts = [] if e.jump == 0 else [q(e.jump)]
        if e.slope_change != 0:
            parts.append(elapsed if e.slope_change == 1 else q(e.slope_change) * elapsed)
        out.append((guard, total(parts)))
    return out


def kernel_term(kernel: Kernel, s: Term, left: bool = False) -> Term:
    """``eps(s)`` (or ``eps(s^-)``) as one term: the sum of :func:`kernel_summands` under ``If``."""
    return total([z3.If(guard, body, q(0)) for guard, body in kernel_summands(kernel, s, left)])



def variables(prefix: str, n: int) -> list[Term]:
    """Fresh real variables ``prefix[0] .. prefix[n-1]``."""
    return [z3.Real(f"{prefix}[{j}]") for j in range(n)]
