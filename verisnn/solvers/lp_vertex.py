"""The "vertex" LP session: the exact vertices of the current cell, cut by each new constraint.

Region enumeration asks its LP questions inside an open box, and every question adds a few
constraints to a cell already known.  This session keeps, per pushed group, the cell as a
:class:`~verisnn.core.polytope.Polytope` (its constraints and the exact vertices of its closure)
and answers each question by cutting that polytope: integer arithmetic only, no float and no
solver.  "Nonempty" comes with the vertices' centroid (or a nearby point with a small
denominator) checked against every constraint; "empty" with the Farkas certificate read off
the vertex where the failing constraint is largest, checked by
:func:`~verisnn.core.polyhedra.check_farkas`.  Cuts of a question's prefixes are remembered, so
asking ``part + [h]`` after ``part`` costs one cut.

The base must start with the box's bounds ``s_k - lo_k > 0, hi_k - s_k > 0`` in the order of
:meth:`Space.from_box`; anything else (an unbounded base, equalities) goes to a
:class:`~verisnn.solvers.lp_highs.HighsSession` opened on the same stack, and ``fallbacks``
reports whether that happened.  See docs/lp.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from verisnn.core.affine import Affine, ByIdentity
from verisnn.core.errors import InternalError
from verisnn.core.polyhedra import Farkas, check_farkas
from verisnn.core.polytope import Polytope, integer_row, scaled_row
from verisnn.solvers.lp_base import check_widths
from verisnn.solvers.lp_highs import HighsSession

_MEMO = 256  # remembered prefix cuts per stack level (each holds a polytope: memory)


def box_bounds(base: Sequence[Affine], n: int) -> tuple[list[Fraction], list[Fraction]] | None:
    """``(lo, hi)`` when ``base`` starts with ``s_k - lo_k > 0, hi_k - s_k > 0`` for ``k = 0..n-1`` in that order."""
    if len(base) < 2 * n:
        return None
    lo, hi = [], []
    for k in range(n):
        below, above = base[2 * k], base[2 * k + 1]
        if len(below) != n + 1 or len(above) != n + 1:
            return None
        for j in range(n):
            if below[j + 1] != (j == k) or above[j + 1] != -(j == k):
                return None
        lo.append(Fraction(-below[0]))
        hi.append(Fraction(above[0]))
        if not lo[-1] < hi[-1]:
            return None
    return lo, hi


class _Empty:
    """A stack level (or a question) whose cell is empty: the cut that emptied it and the polytope before."""

    __slots__ = ("before", "constraint", "index")

    def __init__(self, before: Polytope, constraint: Affine, index: int) -> None:
        self.before, self.constraint, self.index = before, constraint, index


_Cell = Polytope | _Empty


class VertexSession:
    """An exact incremental LP session over an open box by vertex enumeration (see the module docstring)."""

    def __init__(self, names: Sequence[str], base: Iterable[Affine] = (), timeout: float | None = 60.0) -> None:
        self.names = list(names)
        self.n = len(self.names)
        self.timeout = timeout
        self._checks = 0
        base = list(base)
        check_widths(base, self.n)
        self._groups: list[list[Affine]] = [base]
        self._flat: list[Affine] = list(base)
        self._highs: HighsSession | None = None
        bounds = box_bounds(base, self.n)
        self._cells: list[_Cell] | None = None
        self._memo: list[dict] = [{}]
        self._rows = ByIdentity(integer_row)  # integer rows by constraint, for cutting
        self._scales = ByIdentity(lambda g: scaled_row(g)[1])  # their scales, for Farkas certificates
        if bounds is not None:
            box = Polytope.box(*bounds)
            if box.rows != [integer_row(g) for g in base[:2 * self.n]]:
                raise InternalError("the vertex LP's box rows differ from its base constraints")
            self._cells = [self._cut(box, base[2 * self.n:], 2 * self.n, {})]

    @property
    def checks(self) -> int:
        """Questions answered, by vertices or by the HiGHS session."""
        return self._checks + (self._highs.checks if self._highs is not None else 0)

    @property
    def fallbacks(self) -> int:
        """Questions the HiGHS session handed on to its exact fallback (vertex answers need none)."""
        return self._highs.fallbacks if self._highs is not None else 0

    @property
    def delegated(self) -> bool:
        """True once a question went to the HiGHS session (a base that is not a box, or equalities)."""
        return self._highs is not None

    # --- the constraint stack ---------------------------------------------------------------------------------
    def push(self, constraints: Iterable[Affine]) -> None:
        group = list(constraints)
        check_widths(group, self.n)
        if self._cells is not None:
            self._cells.append(self._cut(self._cells[-1], group, len(self._flat), self._memo[-1]))
        self._groups.append(group)
        self._flat.extend(group)
        self._memo.append({})
        if self._highs is not None:
            self._highs.push(group)

    def pop(self) -> None:
        if len(self._groups) == 1:
            raise InternalError("LP session pop without a matching push")
        group = self._groups.pop()
        del self._flat[len(self._flat) - len(group):]
        self._memo.pop()
        if self._cells is not None:
            self._cells.pop()
        if self._highs is not None:
            self._highs.pop()

    def asserted(self) -> list[Affine]:
        return list(self._flat)

    # --- questions --------------------------------------------------------------------------------------------
    def witness(self, extra: Iterable[Affine] = (), equal: Iterable[Affine] = ()) -> tuple[Fraction, ...] | None:
        extra, equal = list(extra), list(equal)
        if self._cells is None or equal:
            return self._delegate().witness(extra, equal)
        self._checks += 1
        cell = self._question(extra)
        if isinstance(cell, _Empty):
            return None
        try:
            return cell.point()  # checked exactly against every constraint row there
        except ArithmeticError as exc:
            raise InternalError(f"the vertex LP's interior point: {exc}") from None

    def infeasibility(self, extra: Iterable[Affine] = (), equal: Iterable[Affine] = ()) -> Farkas | None:
        extra, equal = list(extra), list(equal)
        if self._cells is None or equal:
            return self._delegate().infeasibility(extra, equal)
        self._checks += 1
        cell = self._question(extra)
        if not isinstance(cell, _Empty):
            return None
        constraints = self._flat + extra
        mu = cell.before.farkas(cell.constraint)
        rows = len(cell.before.rows)  # the polytope before the cut holds the first ``rows`` constraints
        if len(mu) != rows + 1 or rows > cell.index:
            raise InternalError("a vertex Farkas certificate does not line up with the constraints")
        strict = [Fraction(0)] * len(constraints)
        for i, m in zip(list(range(rows)) + [cell.index], mu):
            if m:
                strict[i] = m * self._scales(constraints[i])
        farkas = Farkas(tuple(strict))
        if not check_farkas(constraints, (), farkas):
            raise InternalError("a vertex Farkas certificate fails its exact check")
        return farkas

    # --- cutting ----------------------------------------------------------------------------------------------
    def _question(self, extra: list[Affine]) -> _Cell:
        check_widths(extra, self.n)
        cells = self._cells
        assert cells is not None
        return self._cut(cells[-1], extra, len(self._flat), self._memo[-1])

    def _cut(self, cell: _Cell, constraints: list[Affine], start: int, memo: dict) -> _Cell:
        """``cell`` cut by every constraint in turn (``start``: the index of the first one among all asserted).

        Prefixes are remembered in ``memo`` by the identity of their constraints (each entry keeps
        its constraints alive, so an ``id`` is not reused while remembered).  Before cutting by the
        constraints after the remembered prefix, the last one is tried on the prefix's polytope: a
        superset of the question's set, so when the last constraint already empties it the
        question is empty, and the cuts in between (which would add vertices) are skipped.  Most
        questions of region enumeration are of this kind: "is this constraint implied?", "yes";
        so the last constraint is tried on ``cell`` itself first, before any prefix is looked up.
        """
        if isinstance(cell, _Empty):
            return cell
        last = len(constraints) - 1
        if last > 0 and cell.excludes(self._rows(constraints[last])):  # the cell alone excludes it: no prefix needed
            return _Empty(cell, constraints[last], start + last)
        key: tuple[int, ...] = ()
        done = 0
        ids = tuple(map(id, constraints))
        for k in range(len(constraints), 0, -1):  # the longest remembered prefix
            entry = memo.get(ids[:k])
            # an entry keeps its constraints alive, and live objects have distinct ids: equal ids are the same objects
            if entry is not None and entry[0][-1] is constraints[k - 1]:
                cell, done, key = entry[1], k, ids[:k]
                break
        if 0 < done < last and isinstance(cell, Polytope) and cell.excludes(self._rows(constraints[last])):
            return _Empty(cell, constraints[last], start + last)
        for k in range(done, len(constraints)):
            if isinstance(cell, _Empty):
                break
            g = constraints[k]
            cut = cell.cut_row(self._rows(g))
            cell = cut if cut is not None else _Empty(cell, g, start + k)
            key = key + (id(g),)
            if len(memo) > _MEMO:
                memo.clear()
            memo[key] = (constraints[:k + 1], cell)
        return cell

    def _delegate(self) -> HighsSession:
        """The HiGHS session on the same stack, opened on first use."""
        if self._highs is None:
            self._highs = HighsSession(self.names, self._groups[0], self.timeout)
            for group in self._groups[1:]:
                self._highs.push(group)
        return self._highs
