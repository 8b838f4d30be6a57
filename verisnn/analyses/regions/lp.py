"""The exact LP questions of region enumeration, asked through the solver layer's LP sessions.

One function opens an incremental LP session over a domain's free variables (``lp`` names the
backend, :data:`LP_BACKENDS`, default first); every answer is exact (a rational interior point, or
"empty" with an exactly checked Farkas certificate), and an undecided question raises
:class:`~verisnn.solvers.lp.LPUndecided`, which :func:`~verisnn.analyses.regions.count_regions`
turns into an UNKNOWN result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from verisnn.core.affine import Affine
from verisnn.solvers.lp import LP_NAMES, LPOptions, LPSession
from verisnn.solvers.lp import open_lp as open_session

#: the LP backends region enumeration can use, default first
LP_BACKENDS = LP_NAMES


def open_lp(names: Sequence[str], base: Iterable[Affine], lp: str = LP_BACKENDS[0],
            timeout: float = 60.0) -> LPSession:
    """An LP session over ``names`` with the open constraints ``base`` asserted (push/pop/witness/infeasibility)."""
    return open_session(names, list(base), LPOptions(backend=lp, timeout=timeout))
