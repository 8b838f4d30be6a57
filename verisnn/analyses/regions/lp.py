"""The exact LP questions of region enumeration, asked through the solver layer.

One function opens an incremental LP session over a domain's free variables; every answer is
exact (a rational interior point, or "empty"), and an undecided question raises the solver
layer's exception, which the public entry points turn into an UNKNOWN result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from verisnn.core.affine import Affine
from verisnn.core.errors import InvalidInput
from verisnn.solvers.lp_z3 import Oracle, SolverUnknown

#: the LP backends region enumeration can use
LP_BACKENDS = ("z3",)

#: raised when an LP question is not decided (timeout, solver unknown); never read as "empty"
Undecided = SolverUnknown


def open_lp(names: Sequence[str], base: Iterable[Affine], lp: str = "z3", timeout: float = 60.0) -> Oracle:
    """An LP session over ``names`` with the open constraints ``base`` asserted (push/pop/witness, ``checks``)."""
    if lp not in LP_BACKENDS:
        raise InvalidInput(f"unknown LP backend {lp!r}; choose one of {', '.join(LP_BACKENDS)}")
    return Oracle(names, base, timeout)
