"""Exact Farkas (Motzkin) certificates for empty open polyhedra.

An open system ``g_1 > 0, ..., g_m > 0`` (affine ``g_i = b_i + a_i . s``) is empty iff there are
``lambda_i >= 0``, not all zero, with ``sum lambda_i a_i = 0`` and ``sum lambda_i b_i <= 0``.
:func:`farkas` finds such multipliers with an exact rational simplex (Bland's rule, phase 1) on
the ``n + 2`` equations in ``lambda``; every number is a Fraction, and the result is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from verisnn.core.affine import Affine
from verisnn.core.errors import InternalError
from verisnn.core.polyhedra import Farkas, check_farkas

ZERO = Fraction(0)


def farkas(constraints: Sequence[Affine]) -> tuple[Fraction, ...] | None:
    """Multipliers proving ``{g > 0 for g in constraints}`` empty, or None when it is not empty."""
    m = len(constraints)
    if m == 0:
        return None
    n = len(constraints[0]) - 1
    rows: list[tuple[list[Fraction], Fraction]] = []
    for j in range(n):
        rows.append(([g[j + 1] for g in constraints] + [ZERO], ZERO))
    rows.append(([Fraction(1)] * m + [ZERO], Fraction(1)))
    rows.append(([g[0] for g in constraints] + [Fraction(1)], ZERO))  # sum lambda b + sigma = 0, sigma >= 0
    cols = m + 1
    size = len(rows)
    table: list[list[Fraction]] = []
    for r, (coef, rhs) in enumerate(rows):
        table.append(list(coef) + [Fraction(1 if k == r else 0) for k in range(size)] + [rhs])
    basis = [cols + r for r in range(size)]
    width = cols + size
    while True:
        cost = [Fraction(1) if basis[r] >= cols else ZERO for r in range(size)]
        entering = None
        for j in range(width):
            if j in basis:
                continue
            d = (Fraction(1) if j >= cols else ZERO) - sum((cost[r] * table[r][j] for r in range(size)), ZERO)
            if d < 0:
                entering = j
                break
        if entering is None:
            break
        leave, best = None, None
        for r in range(size):
            a = table[r][entering]
            if a > 0:
                ratio = table[r][-1] / a
                if best is None or ratio < best or (ratio == best and basis[r] < basis[leave]):  # type: ignore[index]
                    leave, best = r, ratio
        if leave is None:
            raise InternalError("phase-1 simplex is unbounded (cannot happen)")
        pivot = table[leave][entering]
        table[leave] = [v / pivot for v in table[leave]]
        for r in range(size):
            if r != leave and table[r][entering]:
                f = table[r][entering]
                table[r] = [v - f * w for v, w in zip(table[r], table[leave])]
        basis[leave] = entering
    if any(basis[r] >= cols and table[r][-1] != 0 for r in range(size)):
        return None
    lam = [ZERO] * m
    for r in range(size):
        if basis[r] < m:
            lam[basis[r]] = table[r][-1]
    if not check(constraints, lam):
        raise InternalError("exact simplex produced a wrong Farkas certificate")
    return tuple(lam)


def check(constraints: Sequence[Affine], lam: Sequence[Fraction]) -> bool:
    """``lam >= 0``, not all zero, ``sum lam a = 0`` and ``sum lam b <= 0``: the system is empty."""
    return check_farkas(constraints, (), Farkas(tuple(lam)))
