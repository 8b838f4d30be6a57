"""Bounded open polyhedra by their vertices, in exact integer arithmetic.

A :class:`Polytope` is an open polyhedron ``{g_i(s) > 0}`` that is bounded and full-dimensional,
kept as its constraints and the exact vertices of its closure (a double description).  Cutting it
by one more constraint ``h > 0`` needs no LP:

- the open part ``P ∩ {h > 0}`` is nonempty exactly when some vertex has ``h > 0`` (a vertex with
  ``h > 0`` has a neighbourhood in ``P`` on which ``h > 0``, and ``P`` is the hull of its vertices);
- its vertices are the old ones with ``h >= 0`` and the points where ``h = 0`` meets an edge whose
  ends have opposite signs.  Two vertices span an edge exactly when the constraints tight at both
  have rank ``n - 1`` (they cut out a line, and a line meets a polytope in an edge or not at all).

The centroid of the vertices is strictly inside (every constraint is ``>= 0`` at every vertex and
``> 0`` at one), so every "nonempty" answer comes with an exact interior point.  An "empty" answer
comes with a Farkas certificate from the vertex where ``h`` is largest: there ``-h`` is a
nonnegative combination of the tight constraints' linear parts (LP optimality, found exactly among
bases of the tight rows), see :meth:`Polytope.farkas`.

Points are integer numerators over one positive integer denominator, constraints primitive integer
rows: every sign is an integer dot product.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Sequence
from fractions import Fraction

from verisnn.core.affine import Affine

Row = tuple[int, ...]  # (c0, c1, ..., cn), primitive integers: c0 + c . s
Point = tuple[tuple[int, ...], int]  # (numerators, denominator > 0), reduced


def _scaled(g: Affine) -> tuple[Row, int, int]:
    """``(row, den, k)`` with ``row = (den / k) * g`` coprime integers."""
    dens = [c.denominator for c in g]  # Fractions and ints alike
    den = math.lcm(*dens)
    ints = [c.numerator * (den // d) if d != den else c.numerator for c, d in zip(g, dens)]
    k = math.gcd(*ints) or 1
    return (tuple(x // k for x in ints) if k != 1 else tuple(ints)), den, k


def scaled_row(g: Affine) -> tuple[Row, Fraction]:
    """``(row, s)``: ``row = s * g`` with ``s > 0`` rational and ``row`` coprime integers (the same half-space)."""
    row, den, k = _scaled(g)
    return row, Fraction(den, k)


def integer_row(g: Affine) -> Row:
    """``g`` scaled by a positive rational to coprime integers."""
    return _scaled(g)[0]


def _point(nums: Sequence[int], den: int) -> Point:
    if den < 0:
        nums, den = [-x for x in nums], -den
    k = math.gcd(den, *nums)
    return tuple(x // k for x in nums), den // k


def _value(row: Row, p: Point) -> int:
    """``den * row(p)``: its sign is the sign of the constraint at ``p``."""
    nums, den = p
    return row[0] * den + sum(map(operator.mul, row[1:], nums))


def rank(rows: Sequence[Sequence[int]]) -> int:
    """The rank of the linear parts of integer rows (fraction-free Gaussian elimination)."""
    m = [list(r) for r in rows]
    r = 0
    width = len(m[0]) if m else 0
    for col in range(width):
        pivot = next((i for i in range(r, len(m)) if m[i][col]), None)
        if pivot is None:
            continue
        m[r], m[pivot] = m[pivot], m[r]
        for i in range(r + 1, len(m)):
            if m[i][col]:
                a, b = m[r][col], m[i][col]
                m[i] = [a * x - b * y for x, y in zip(m[i], m[r])]
        r += 1
    return r


def determinant(matrix: Sequence[Sequence[int]]) -> int:
    """The determinant of a square integer matrix (Bareiss' fraction-free elimination, exact)."""
    m = [list(r) for r in matrix]
    n = len(m)
    sign, previous = 1, 1
    for k in range(n - 1):
        if not m[k][k]:
            swap = next((i for i in range(k + 1, n) if m[i][k]), None)
            if swap is None:
                return 0
            m[k], m[swap] = m[swap], m[k]
            sign = -sign
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                m[i][j] = (m[i][j] * m[k][k] - m[i][k] * m[k][j]) // previous
        previous = m[k][k]
    return sign * m[n - 1][n - 1] if n else 1


def _cramer(columns: Sequence[Sequence[int]], target: Sequence[int]) -> list[Fraction] | None:
    """``mu`` with ``sum mu_j columns[j] = target`` (integer columns, Cramer's rule), or None when singular."""
    n = len(target)
    matrix = [[columns[j][r] for j in range(n)] for r in range(n)]
    d = determinant(matrix)
    if not d:
        return None
    out = []
    for j in range(n):
        replaced = [row[:j] + [target[r]] + row[j + 1:] for r, row in enumerate(matrix)]
        out.append(Fraction(determinant(replaced), d))
    return out


class Polytope:
    """A bounded, full-dimensional open polyhedron: constraint rows and the exact vertices of its closure.

    ``vertices[k]`` is a :data:`Point`; ``tight[k]`` the bit set of the rows that vanish there.
    Build one with :meth:`box`, refine it with :meth:`cut`.  ``_ranks[i]`` remembers the ranks of
    row sets whose last row is ``i``; a polytope shares these caches with its ancestors only for
    the rows they have in common (siblings' rows at the same position differ).
    """

    __slots__ = ("_ranks", "n", "rows", "tight", "vertices")

    def __init__(self, n: int, rows: list[Row], vertices: list[Point], tight: list[int], ranks: list[dict]) -> None:
        self.n, self.rows, self.vertices, self.tight, self._ranks = n, rows, vertices, tight, ranks

    @staticmethod
    def box(lo: Sequence[Fraction], hi: Sequence[Fraction]) -> Polytope:
        """The open box ``lo < s < hi`` (every ``lo_k < hi_k``); rows ``s_k - lo_k`` then ``hi_k - s_k`` per k."""
        n = len(lo)
        rows: list[Row] = []
        for k, (a, b) in enumerate(zip(lo, hi)):
            if not a < b:
                raise ValueError("a box side is empty")
            unit = [Fraction(0)] * n
            unit[k] = Fraction(1)
            rows.append(integer_row((-Fraction(a), *unit)))
            rows.append(integer_row((Fraction(b), *(-u for u in unit))))
        den = math.lcm(*(Fraction(v).denominator for v in list(lo) + list(hi)))
        vertices, tight = [], []
        for corner in itertools.product((0, 1), repeat=n):
            nums = [int(Fraction(hi[k] if c else lo[k]) * den) for k, c in enumerate(corner)]
            vertices.append(_point(nums, den))
            tight.append(sum(1 << (2 * k + c) for k, c in enumerate(corner)))
        return Polytope(n, rows, vertices, tight, [{} for _ in rows])

    def _rank(self, bits: int) -> int:
        if not bits:
            return 0
        cache = self._ranks[bits.bit_length() - 1]
        got = cache.get(bits)
        if got is None:
            got = rank([self.rows[i][1:] for i in range(len(self.rows)) if bits >> i & 1])
            cache[bits] = got
        return got

    def _values(self, row: Row) -> list[int]:
        """:func:`_value` of ``row`` at every vertex."""
        vertices = self.vertices
        if self.n == 2:  # written out for the small dimensions of region work (about 2.5x faster)
            h, a, b = row
            return [h * d + a * x + b * y for (x, y), d in vertices]
        if self.n == 3:
            h, a, b, c = row
            return [h * d + a * x + b * y + c * z for (x, y, z), d in vertices]
        if self.n == 4:
            h, a, b, c, e = row
            return [h * d + a * x + b * y + c * z + e * w for (x, y, z, w), d in vertices]
        head, coef = row[0], row[1:]
        return [head * den + sum(map(operator.mul, coef, nums)) for nums, den in vertices]

    def excludes(self, row: Row) -> bool:
        """True when ``self ∩ {row > 0}`` is empty (what :meth:`cut_row` returning None means), without cutting."""
        if not any(row[1:]):
            return row[0] <= 0
        return max(self._values(row)) <= 0

    def cut(self, g: Affine) -> Polytope | None:
        """``self ∩ {g > 0}``, or None when that open set is empty (no vertex has ``g > 0``)."""
        return self.cut_row(integer_row(g))

    def cut_row(self, row: Row) -> Polytope | None:
        """:meth:`cut` by a constraint given as its :func:`integer_row`."""
        rows = self.rows + [row]
        ranks = self._ranks + [{}]
        if not any(row[1:]):
            return Polytope(self.n, rows, self.vertices, self.tight, ranks) if row[0] > 0 else None
        values = self._values(row)
        top, bottom = max(values), min(values)
        if top <= 0:
            return None
        if bottom > 0:  # strictly positive at every vertex: the same vertices, none of them on the new row
            return Polytope(self.n, rows, self.vertices, self.tight, ranks)
        bit = 1 << len(self.rows)
        vertices: list[Point] = []
        tight: list[int] = []
        for p, t, v in zip(self.vertices, self.tight, values):
            if v >= 0:
                vertices.append(p)
                tight.append(t | bit if v == 0 else t)
        negative = [k for k, v in enumerate(values) if v < 0]
        if negative:
            child = Polytope(self.n, rows, vertices, tight, ranks)
            seen = set(vertices)
            need = self.n - 1
            for i, vi in enumerate(values):
                if vi <= 0:
                    continue
                ti, (pi, qi) = self.tight[i], self.vertices[i]
                for j in negative:
                    common = ti & self.tight[j]
                    if common.bit_count() < need or self._rank(common) != need:
                        continue
                    vj = values[j]
                    pj, qj = self.vertices[j]
                    # h(u) w - h(w) u over h(u) - h(w), with h(.) = value / denominator
                    p = _point([vi * b - vj * a for a, b in zip(pi, pj)], vi * qj - vj * qi)
                    if p not in seen:
                        seen.add(p)
                        child.vertices.append(p)
                        child.tight.append(common | bit)
            return child
        return Polytope(self.n, rows, vertices, tight, ranks)

    def _centroid(self) -> Point:
        den = math.lcm(*(q for _, q in self.vertices))
        sums = [0] * self.n
        for nums, q in self.vertices:
            f = den // q
            for c, x in enumerate(nums):
                sums[c] += x * f
        return _point(sums, den * len(self.vertices))

    def centroid(self) -> tuple[Fraction, ...]:
        """The mean of the vertices: strictly inside the open polytope (exact)."""
        nums, den = self._centroid()
        return tuple(Fraction(x, den) for x in nums)

    def _inside(self, p: Point) -> bool:
        return all(_value(r, p) > 0 for r in self.rows)

    def inside(self, s: Sequence[Fraction]) -> bool:
        """True when every constraint row is > 0 at ``s`` (exact)."""
        den = math.lcm(*(Fraction(x).denominator for x in s)) if s else 1
        return self._inside(_point([int(Fraction(x) * den) for x in s], den))

    def point(self) -> tuple[Fraction, ...]:
        """A simple exact interior point: the centroid, or a nearby point with a small denominator.

        Whichever it is, it has been checked exactly against every row (ArithmeticError otherwise: a bug).
        """
        nums, den = self._centroid()
        for limit in (4, 64, 1024, 1 << 16):
            if den <= limit:
                break
            # the nearest multiple of 1/limit of each coordinate (a guess, checked exactly)
            q = _point([(2 * x * limit + den) // (2 * den) for x in nums], limit)
            if self._inside(q):
                return tuple(Fraction(x, q[1]) for x in q[0])
        if not self._inside((nums, den)):
            raise ArithmeticError("the centroid of the vertices is not strictly inside")  # unreachable for a polytope
        return tuple(Fraction(x, den) for x in nums)

    def farkas(self, g: Affine) -> list[Fraction]:
        """Multipliers ``lambda >= 0`` over ``self.rows + [integer_row(g)]`` proving ``self ∩ {g > 0}`` empty.

        Call only when :meth:`cut` returned None.  At the vertex ``v`` where ``g`` is largest
        (``g(v) <= 0``) the linear part of ``-g`` is a nonnegative combination of the rows tight at
        ``v``; then ``g + sum mu_t row_t`` is the constant ``g(v) <= 0``.  Multipliers refer to the
        integer rows (positive multiples of the constraints given).
        """
        row = integer_row(g)
        out = [Fraction(0)] * (len(self.rows) + 1)
        out[-1] = Fraction(1)
        if not any(row[1:]):
            return out  # a constant g <= 0
        values = self._values(row)
        best = 0  # the vertex where g = value / denominator is largest (compared by cross multiplication)
        for k in range(1, len(values)):
            if values[k] * self.vertices[best][1] > values[best] * self.vertices[k][1]:
                best = k
        tight = [i for i in range(len(self.rows)) if self.tight[best] >> i & 1]
        target = [-c for c in row[1:]]
        for basis in itertools.combinations(tight, self.n):
            columns = [self.rows[i][1:] for i in basis]
            mu = _cramer(columns, target)
            if mu is not None and all(x >= 0 for x in mu):
                for i, x in zip(basis, mu):
                    out[i] = x
                return out
        raise ArithmeticError("no nonnegative basis at the maximising vertex")  # unreachable for a true vertex
