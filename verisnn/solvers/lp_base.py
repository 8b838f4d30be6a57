"""What every LP backend provides: an incremental session deciding open polyhedra exactly.

A session holds strict affine constraints ``g(s) > 0`` over ``n`` free variables (``base`` plus a
stack of pushed groups).  Its answers are exact: :meth:`LPSession.witness` returns a rational
point checked against every constraint, or None only when the system is proved empty, and
:meth:`LPSession.infeasibility` returns the exactly checked Farkas certificate of that proof.
A question the backend cannot decide raises :class:`LPUndecided`, never read as "empty".
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Protocol

from verisnn.core.affine import Affine
from verisnn.core.errors import InternalError
from verisnn.core.polyhedra import Farkas


def check_widths(constraints: Iterable[Affine], n: int) -> None:
    """InternalError unless every constraint is an affine function of exactly ``n`` variables (``n + 1`` entries)."""
    for g in constraints:
        if len(g) != n + 1:
            raise InternalError(f"constraint of width {len(g)} in an LP over {n} variables")


class LPUndecided(Exception):
    """An LP question was not decided (timeout or solver ``unknown``); callers report Verdict.UNKNOWN."""


class LPSession(Protocol):
    """Exact, incremental feasibility of open polyhedra over a fixed list of free variables."""

    names: list[str]
    checks: int  # LP questions answered (witness and infeasibility calls; an immediate repeat may not count)
    fallbacks: int  # questions a float backend handed to its exact fallback (0 for exact backends)

    def push(self, constraints: Iterable[Affine]) -> None:
        """Assert ``g > 0`` for every ``g`` until the matching :meth:`pop`."""

    def pop(self) -> None:
        """Remove the group of constraints of the last :meth:`push`."""

    def asserted(self) -> list[Affine]:
        """Every asserted constraint, base first, then each pushed group in order (the order of certificates)."""

    def witness(self, extra: Iterable[Affine] = (), equal: Iterable[Affine] = ()) -> tuple[Fraction, ...] | None:
        """An exact point with every asserted ``g > 0``, every ``extra`` ``g > 0`` and every ``equal`` ``h == 0``.

        None when that system is empty (proved exactly); raises :class:`LPUndecided` when undecided.
        """

    def infeasibility(self, extra: Iterable[Affine] = (), equal: Iterable[Affine] = ()) -> Farkas | None:
        """The Farkas certificate that the system is empty, or None when it has a point.

        Its ``strict`` multipliers follow ``asserted() + list(extra)``, its ``equal`` ones ``equal``;
        it has passed :func:`~verisnn.core.polyhedra.check_farkas` before it is returned.
        """
