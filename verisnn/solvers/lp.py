"""Exact LP over open polyhedra: the backends by name and how to open a session.

``open_lp(names, base, LPOptions("vertex"))`` gives an :class:`~verisnn.solvers.lp_base.LPSession`.
"vertex" (the default) keeps the exact vertices of the cell inside an open box and cuts them by
each question's constraints, in integer arithmetic (other bases and equalities go to "highs").
"highs" asks the HiGHS floating-point LP solver for a guide and checks every answer
in exact rationals (an interior point against every constraint, a Farkas certificate with
:func:`~verisnn.core.polyhedra.check_farkas`), falling back to z3 when a check fails; "z3" asks
z3's exact QF_LRA solver directly.  See docs/lp.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from verisnn.core.affine import Affine
from verisnn.core.errors import InvalidInput
from verisnn.core.polyhedra import Farkas, check_farkas
from verisnn.solvers.lp_base import LPSession, LPUndecided
from verisnn.solvers.lp_highs import HighsSession
from verisnn.solvers.lp_vertex import VertexSession
from verisnn.solvers.lp_z3 import Oracle

#: the LP backends users can choose (``--lp``), default first
LP_NAMES: tuple[str, ...] = ("vertex", "highs", "z3")

__all__ = ["LP_NAMES", "Farkas", "LPOptions", "LPSession", "LPUndecided", "check_farkas", "open_lp"]


@dataclass(frozen=True)
class LPOptions:
    """Which LP backend, and the wall-clock seconds allowed per LP question (None: no limit)."""

    backend: str = "vertex"
    timeout: float | None = 60.0

    def __post_init__(self) -> None:
        if self.backend not in LP_NAMES:
            raise InvalidInput(f"LP backend must be one of {', '.join(LP_NAMES)}, got {self.backend!r}")
        if self.timeout is not None and not self.timeout > 0:
            raise InvalidInput(f"LP timeout must be > 0 seconds, got {self.timeout!r}")


def open_lp(names: Sequence[str], base: Iterable[Affine] = (), options: LPOptions | None = None) -> LPSession:
    """An exact LP session over the free variables ``names`` with the strict constraints ``base`` asserted."""
    options = options or LPOptions()
    if options.backend == "z3":
        return Oracle(names, base, options.timeout)
    if options.backend == "vertex":
        return VertexSession(names, base, options.timeout)
    return HighsSession(names, base, options.timeout)
