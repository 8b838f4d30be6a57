"""Exact vertex representation of open polytopes: vertices as brute force finds them, points inside, certificates."""

from __future__ import annotations

import itertools
from fractions import Fraction as F

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verisnn.core.polyhedra import Farkas, check_farkas
from verisnn.core.polytope import Polytope, determinant, integer_row, scaled_row

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def solve(matrix, rhs):
    """The unique solution of a square system (exact), or None when it is singular."""
    n = len(matrix)
    a = [list(map(F, row)) + [F(b)] for row, b in zip(matrix, rhs)]
    for col in range(n):
        pivot = next((i for i in range(col, n) if a[i][col]), None)
        if pivot is None:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        inv = 1 / a[col][col]
        a[col] = [x * inv for x in a[col]]
        for i in range(n):
            if i != col and a[i][col]:
                f = a[i][col]
                a[i] = [x - f * y for x, y in zip(a[i], a[col])]
    return [row[n] for row in a]


def brute_vertices(n, rows):
    """Every point where n linearly independent rows vanish and every row is >= 0 (the closure's vertices)."""
    out = set()
    for basis in itertools.combinations(rows, n):
        p = solve([[F(r[1 + c]) for c in range(n)] for r in basis], [F(-r[0]) for r in basis])
        if p is not None and all(r[0] + sum(c * x for c, x in zip(r[1:], p)) >= 0 for r in rows):
            out.add(tuple(p))
    return out


@st.composite
def cut_sequences(draw):
    """A box in 1-3 dimensions and up to 7 cuts with small integer coefficients (often degenerate)."""
    n = draw(st.integers(1, 3))
    lo = [F(draw(st.integers(-3, 0))) for _ in range(n)]
    hi = [a + draw(st.integers(1, 3)) for a in lo]
    coefficient = st.integers(-2, 2).map(F)
    cuts = draw(st.lists(st.tuples(*[coefficient] * (n + 1)), max_size=7))
    return n, lo, hi, cuts


@SETTINGS
@given(cut_sequences())
def test_cuts_keep_exactly_the_vertices_of_the_closure(sequence):
    """After every cut: the vertex list is the brute-force vertex set, the point is inside, empty means certified."""
    n, lo, hi, cuts = sequence
    poly = Polytope.box(lo, hi)
    for g in cuts:
        cut = poly.cut(g)
        if cut is None:
            mu = poly.farkas(g)
            rows = poly.rows + [integer_row(g)]
            constraints = [tuple(F(x) for x in r) for r in rows]
            assert check_farkas(constraints, (), Farkas(tuple(mu)))
            continue  # the cut is dropped: the next one cuts the same cell
        poly = cut
        got = {tuple(F(x, p[1]) for x in p[0]) for p in poly.vertices}
        assert len(got) == len(poly.vertices)
        assert got == brute_vertices(n, poly.rows)
        assert poly.inside(poly.point()) and poly.inside(poly.centroid())
        for p, bits in zip(poly.vertices, poly.tight):
            vanish = {i for i, r in enumerate(poly.rows) if r[0] * p[1] + sum(c * x for c, x in zip(r[1:], p[0])) == 0}
            assert vanish == {i for i in range(len(poly.rows)) if bits >> i & 1}


def test_scaled_row_is_a_positive_multiple():
    """Rows are coprime integers and a positive multiple of the constraint; constants and zero rows too."""
    for g in [(F(1, 2), F(-3, 4), F(1, 6)), (F(-2),), (F(0), F(0)), (F(6), F(4))]:
        row, s = scaled_row(g)
        assert s > 0 and row == tuple(s * c for c in g)
    assert integer_row((F(6), F(4))) == (3, 2)


@SETTINGS
@given(st.integers(1, 5).flatmap(lambda n: st.lists(st.lists(st.integers(-4, 4), min_size=n, max_size=n),
                                                     min_size=n, max_size=n)))
def test_determinant_is_sympys(matrix):
    """Bareiss' fraction-free determinant (used for Farkas multipliers by Cramer's rule) equals sympy's."""
    import sympy

    assert determinant(matrix) == sympy.Matrix(matrix).det()
