"""Canonical solver terms for both sides of an equivalence query (structural hashing, exact rewrites only).

A :class:`Lin` is an exact linear combination of :class:`Algebra` atoms: the input values, ReLU
hinges ``relu(n)`` of normalized linear forms, and opaque solver terms.  Both networks of an
equivalence query are written in one Algebra, so sub-functions that they compute the same way
become the same atom (a shared solver term); when the outputs' canonical terms coincide, the
networks are equal with no solver call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from itertools import pairwise

import z3

from verisnn.core.model import ReluNetwork
from verisnn.core.numbers import Time, is_finite
from verisnn.semantics.relu import affine_range
from verisnn.smt.lemmas import pwl_term
from verisnn.smt.terms import Term, q, total


class Lin:
    """An exact linear combination ``c + sum_k coef_k * atom_k`` of :class:`Algebra` atoms."""

    __slots__ = ("c", "t")

    def __init__(self, c: Fraction = Fraction(0), t: Mapping[int, Fraction] | None = None):
        self.c = Fraction(c)
        self.t = {k: v for k, v in (t or {}).items() if v != 0}

    def __add__(self, other: Lin) -> Lin:
        t = dict(self.t)
        for k, v in other.t.items():
            t[k] = t.get(k, Fraction(0)) + v
        return Lin(self.c + other.c, t)

    def __sub__(self, other: Lin) -> Lin:
        return self + other.scale(Fraction(-1))

    def scale(self, a: Fraction) -> Lin:
        return Lin(self.c * a, {k: v * a for k, v in self.t.items()})

    def shift(self, a: Fraction) -> Lin:
        return Lin(self.c + a, self.t)

    def key(self) -> tuple:
        return (self.c, tuple(sorted(self.t.items())))

    @property
    def is_zero(self) -> bool:
        return self.c == 0 and not self.t


class Algebra:
    """Canonical terms for both sides of one equivalence query (structural hashing).

    Atoms are the input values, ReLU hinges ``relu(n)`` of normalized linear forms ``n`` (leading
    coefficient 1, so ``relu(a n) = a relu(n)`` for ``a > 0`` and ``relu(e) = e + relu(-e)``), and
    opaque solver terms.  Equal sub-functions built the same way on both sides become the same
    atom, so the solver sees shared terms; every rewrite is an exact identity.  A hinge whose
    argument has a fixed sign on the box (interval bounds of the atoms) is replaced by its
    argument or 0.
    """

    def __init__(self) -> None:
        self.terms: list[Term] = []
        self.bounds: list[tuple[Fraction | None, Fraction | None]] = []
        self.hinges: dict[tuple, int] = {}
        self.constraints: list[z3.BoolRef] = []

    def var(self, term: Term, lo: Time | None = None, hi: Time | None = None) -> Lin:
        self.terms.append(term)
        self.bounds.append((lo if lo is not None and is_finite(lo) else None,  # type: ignore[arg-type]
                            hi if hi is not None and is_finite(hi) else None))  # type: ignore[arg-type]
        return Lin(Fraction(0), {len(self.terms) - 1: Fraction(1)})

    def range(self, e: Lin) -> tuple[Fraction | None, Fraction | None]:
        """Interval bounds of ``e`` from its atoms' bounds (``None``: unbounded)."""
        keys = list(e.t)
        return affine_range([e.t[k] for k in keys], e.c, [self.bounds[k] for k in keys])  # type: ignore[misc]

    def relu(self, e: Lin) -> Lin:
        lo, hi = self.range(e)
        if lo is not None and lo >= 0:
            return e
        if hi is not None and hi <= 0:
            return Lin()
        lead = e.t[min(e.t)]
        if lead < 0:
            return e + self.relu(e.scale(Fraction(-1)))
        n = e.scale(1 / lead)
        key = n.key()
        if key not in self.hinges:
            arg = self.term(n)
            h = z3.Real(f"relu[{len(self.hinges)}]")
            self.constraints.append(h == z3.If(arg > 0, arg, q(0)))
            nlo, nhi = self.range(n)
            self.hinges[key] = len(self.terms)
            self.terms.append(h)
            self.bounds.append((Fraction(0) if nlo is None else max(nlo, Fraction(0)),
                                None if nhi is None else max(nhi, Fraction(0))))
        return Lin(Fraction(0), {self.hinges[key]: lead})

    def term(self, e: Lin) -> Term:
        parts = [self.terms[k] if a == 1 else q(a) * self.terms[k] for k, a in sorted(e.t.items())]
        if e.c != 0 or not parts:
            parts.append(q(e.c))
        return total(parts)

def relu_lins(relu: ReluNetwork, alg: Algebra, xs: Sequence[Lin]) -> tuple[Lin, ...]:
    """The outputs of ``relu`` on the inputs ``xs`` as canonical terms (hidden units as hinges)."""
    cur = list(xs)
    last = len(relu.layers) - 1
    for li, layer in enumerate(relu.layers):
        nxt = []
        for row, b in zip(layer.weights, layer.bias):
            z = Lin(b)
            for w, a in zip(row, cur):
                if w != 0:
                    z = z + a.scale(w)
            nxt.append(z if li == last else alg.relu(z))
        cur = nxt
    return tuple(cur)


def pwl_lin(alg: Algebra, pieces: Sequence[tuple[Fraction, Fraction, Fraction]], u: Lin, lo: Time, hi: Time) -> Lin:
    """A proved PWL summary of ``u`` as a Lin: hinges if continuous, else an opaque If-chain term."""
    continuous = all(p[1] * n[0] + p[2] == n[1] * n[0] + n[2] for p, n in pairwise(pieces))
    if not continuous:
        return alg.var(pwl_term(pieces, alg.term(u)), lo, hi)
    out = u.scale(pieces[0][1]).shift(pieces[0][2])
    for prev, cur in pairwise(pieces):
        if cur[1] != prev[1]:
            out = out + alg.relu(u.shift(-cur[0])).scale(cur[1] - prev[1])
    return out
