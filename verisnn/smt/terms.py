"""Solver terms shared by every encoding: exact constants, readback, guarded sums, kernel terms."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import z3

from verisnn.core.errors import InternalError

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


