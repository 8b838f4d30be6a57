"""Exact facts about open polyhedra: interior points, Farkas (Motzkin) certificates, affine subspaces.

A system is a list of strict constraints ``g_i(s) > 0`` and a list of equalities ``h_j(s) = 0``,
each an :data:`~verisnn.core.affine.Affine` ``(c0, c1, ..., cn)``.  Everything here is exact
rational arithmetic and imports no solver, so an independent certificate checker can use it.

A :class:`Farkas` certificate proves that such a system has no solution: nonnegative multipliers
``lambda_i`` of the strict constraints and multipliers ``mu_j`` of any sign of the equalities whose
combination ``sum lambda_i g_i + sum mu_j h_j`` has linear part zero and a constant ``c`` with
either ``c < 0``, or ``c <= 0`` and some ``lambda_i > 0``.  At a solution ``s`` the combination
would be ``sum lambda_i g_i(s) >= 0`` (``> 0`` when some ``lambda_i > 0``), so it cannot equal ``c``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from verisnn.core.affine import Affine, combine, compose, evaluate


@dataclass(frozen=True)
class Farkas:
    """Multipliers proving ``{g_i > 0, h_j = 0}`` empty: ``strict`` (one per ``g_i``, all >= 0), ``equal`` (per ``h_j``)."""

    strict: tuple[Fraction, ...]
    equal: tuple[Fraction, ...] = ()

    def combination(self, constraints: Sequence[Affine], equalities: Sequence[Affine] = ()) -> Affine:
        """``sum lambda_i g_i + sum mu_j h_j`` (exact)."""
        n = _width(constraints, equalities)
        terms = [(c, g) for c, g in zip(self.strict, constraints) if c]
        terms += [(c, h) for c, h in zip(self.equal, equalities) if c]
        return combine(terms, n - 1)  # per coefficient one integer sum over a common denominator


def _width(constraints: Sequence[Affine], equalities: Sequence[Affine]) -> int:
    for g in list(constraints) + list(equalities):
        return len(g)
    return 1


def check_farkas(constraints: Sequence[Affine], equalities: Sequence[Affine], farkas: Farkas) -> bool:
    """True when ``farkas`` proves ``{g > 0 for g in constraints, h = 0 for h in equalities}`` empty (exact)."""
    if len(farkas.strict) != len(constraints) or len(farkas.equal) != len(equalities):
        return False
    if any(type(c) is not Fraction and type(c) is not int for c in farkas.strict + farkas.equal):
        return False
    if any(c < 0 for c in farkas.strict if c):  # zero is common and never negative: skip the comparison
        return False
    width = _width(constraints, equalities)
    if any(len(g) != width for g in constraints) or any(len(h) != width for h in equalities):
        return False
    combo = farkas.combination(constraints, equalities)
    if any(combo[1:]):
        return False
    return combo[0] < 0 or (combo[0] <= 0 and any(farkas.strict))


def satisfies(point: Sequence[Fraction], constraints: Sequence[Affine], equalities: Sequence[Affine] = ()) -> bool:
    """True when ``point`` has every ``g > 0`` and every ``h == 0`` (exact)."""
    return all(evaluate(g, point) > 0 for g in constraints) and all(evaluate(h, point) == 0 for h in equalities)


# --- affine subspaces: eliminating equalities exactly -----------------------------------------------------------
@dataclass(frozen=True)
class Subspace:
    """The solutions of a consistent equality system, ``s = origin + basis @ u`` for free ``u``.

    ``inner`` gives each original variable as an affine function of ``u`` (for :func:`compose`);
    ``rows`` are the reduced equalities (pivot form) with ``combos`` saying which combination of the
    original equalities each row is, so a Farkas certificate of the reduced system lifts back.
    """

    inner: tuple[Affine, ...]
    pivots: tuple[int, ...]
    rows: tuple[Affine, ...]
    combos: tuple[tuple[Fraction, ...], ...]

    @property
    def dim(self) -> int:
        return len(self.inner[0]) - 1 if self.inner else 0

    def restrict(self, g: Affine) -> Affine:
        """``g`` as a function of the free coordinates ``u``."""
        if not self.inner:
            return (g[0],)
        return compose(g, self.inner)

    def lift(self, u: Sequence[Fraction]) -> tuple[Fraction, ...]:
        """The original point of the free coordinates ``u``."""
        return tuple(evaluate(a, u) for a in self.inner)

    def lift_farkas(self, constraints: Sequence[Affine], reduced: Farkas, m: int) -> Farkas:
        """A certificate of the original system from one of the restricted system (``m`` equalities).

        The restricted combination has linear part zero in ``u``, so the original linear part
        ``v = sum lambda_i a_i`` is a combination of the pivot rows; subtracting it with the equalities
        leaves the same constant (every equality vanishes on the subspace).
        """
        n = len(constraints[0]) - 1 if constraints else len(self.inner)
        v = [Fraction(0)] * (n + 1)
        for c, g in zip(reduced.strict, constraints):
            if c:
                for k in range(1, n + 1):
                    v[k] += c * g[k]
        mu = [Fraction(0)] * m
        for p, combo in zip(self.pivots, self.combos):
            w = v[p + 1]
            if w:
                for j, c in enumerate(combo):
                    mu[j] -= w * c
        return Farkas(reduced.strict, tuple(mu))


def eliminate(equalities: Sequence[Affine], n: int) -> Subspace | Farkas:
    """The solution subspace of ``h = 0 for h in equalities`` over ``n`` variables, or a Farkas proof it is empty.

    Gauss-Jordan elimination in exact rationals, keeping track of which combination of the
    original equalities each reduced row is.
    """
    m = len(equalities)
    rows = [list(h) for h in equalities]
    combos = [[Fraction(int(i == j)) for j in range(m)] for i in range(m)]
    pivots: list[int] = []
    r = 0
    for col in range(n):
        piv = next((i for i in range(r, m) if rows[i][col + 1]), None)
        if piv is None:
            continue
        rows[r], rows[piv] = rows[piv], rows[r]
        combos[r], combos[piv] = combos[piv], combos[r]
        inv = 1 / rows[r][col + 1]
        rows[r] = [x * inv for x in rows[r]]
        combos[r] = [x * inv for x in combos[r]]
        for i in range(m):
            f = rows[i][col + 1]
            if i != r and f:
                rows[i] = [x - f * y for x, y in zip(rows[i], rows[r])]
                combos[i] = [x - f * y for x, y in zip(combos[i], combos[r])]
        pivots.append(col)
        r += 1
    for i in range(r, m):
        if rows[i][0]:  # 0 = c with c != 0: the combination, scaled to constant -1
            scale = -1 / rows[i][0]
            return Farkas((), tuple(c * scale for c in combos[i]))
    free = [k for k in range(n) if k not in pivots]
    d = len(free)
    inner: list[Affine] = []
    for k in range(n):
        if k in free:
            j = free.index(k)
            inner.append((Fraction(0),) + tuple(Fraction(int(i == j)) for i in range(d)))
        else:
            row = rows[pivots.index(k)]
            inner.append((-row[0],) + tuple(-row[f + 1] for f in free))
    return Subspace(tuple(inner), tuple(pivots), tuple(tuple(x) for x in rows[:r]),
                    tuple(tuple(c) for c in combos[:r]))
