"""A VNN-LIB property as solver constraints over a network's input and output terms.

``constraints(prop, xs, ys, fires=None, signs=None)`` gives one z3 term per assertion of ``prop``
(:class:`verisnn.io.vnnlib.Property`) with ``X_i`` read as ``xs[i]`` and ``Y_j`` as ``ys[j]``.  For
spiking outputs ``fires[j]`` says whether output ``j`` fires; when it does not, ``Y_j`` is infinite
with sign ``signs[j]`` (``+1``: a raw firing time, ``-1``: a negative code's decoded value) and
each atom is read exactly as :meth:`verisnn.io.vnnlib.Atom.holds` reads it, so a model of the
constraints is a counterexample by the exact reading too.
"""

from __future__ import annotations

from collections.abc import Sequence

import z3

from verisnn.io.vnnlib import And, Atom, Formula, Or, Property
from verisnn.smt.terms import Term, and_, q, total


def _compare(lhs: Term, op: str) -> z3.BoolRef:
    zero = q(0)
    return {"<=": lhs <= zero, "<": lhs < zero, ">=": lhs >= zero, ">": lhs > zero, "=": lhs == zero}[op]


def _or(*parts: z3.BoolRef) -> z3.BoolRef:
    keep = [p for p in parts if not z3.is_false(p)]
    if any(z3.is_true(p) for p in keep):
        return z3.BoolVal(True)
    if not keep:
        return z3.BoolVal(False)
    return keep[0] if len(keep) == 1 else z3.Or(*keep)


class _Terms:
    def __init__(self, xs: Sequence[Term], ys: Sequence[Term], fires: Sequence[z3.BoolRef] | None,
                 signs: Sequence[int] | None) -> None:
        self.values = {f"X_{i}": t for i, t in enumerate(xs)} | {f"Y_{j}": t for j, t in enumerate(ys)}
        self.fires = {f"Y_{j}": f for j, f in enumerate(fires)} if fires is not None else {}
        self.signs = {f"Y_{j}": s for j, s in enumerate(signs)} if signs is not None else {}

    def atom(self, a: Atom) -> z3.BoolRef:
        lhs = total([q(c) * self.values[v] for v, c in a.expr.coeffs] + [q(a.expr.const)])
        up, down = [], []  # silent outputs that make the left side +inf / -inf
        for v, c in a.expr.coeffs:
            f = self.fires.get(v)
            if f is None or z3.is_true(f):
                continue
            (up if (c > 0) == (self.signs.get(v, 1) > 0) else down).append(z3.Not(f))
        if not up and not down:
            return _compare(lhs, a.op)
        is_up, is_down = _or(*up), _or(*down)
        finite = and_(z3.Not(is_up) if up else z3.BoolVal(True), z3.Not(is_down) if down else z3.BoolVal(True))
        cases = [and_(finite, _compare(lhs, a.op))]
        if a.op in (">=", ">"):
            cases.append(and_(is_up, z3.Not(is_down)) if down else is_up)
        if a.op in ("<=", "<"):
            cases.append(and_(is_down, z3.Not(is_up)) if up else is_down)
        if a.op in ("<=", ">=", "=") and up and down:
            cases.append(and_(is_up, is_down))
        return _or(*cases)

    def formula(self, f: Formula) -> z3.BoolRef:
        if isinstance(f, Atom):
            return self.atom(f)
        parts = [self.formula(p) for p in f.parts]
        if isinstance(f, And):
            return and_(*parts)
        assert isinstance(f, Or)
        return _or(*parts)


def constraints(prop: Property, xs: Sequence[Term], ys: Sequence[Term], fires: Sequence[z3.BoolRef] | None = None,
                signs: Sequence[int] | None = None) -> list[z3.BoolRef]:
    """The assertions of ``prop`` over the given terms (see the module docstring)."""
    t = _Terms(xs, ys, fires, signs)
    return [t.formula(a) for a in prop.assertions]
