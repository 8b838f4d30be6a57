"""C6: "incoming weights summing to a positive number at every neuron imply continuity" is false.

An earlier version of Singh, Fono, Kutyniok, *Expressivity of Spiking Neural Networks* (arXiv
2308.08218) stated: if ``sum_i w_i > 0`` at every neuron, ``R(Phi)`` is continuous (CPWL).
verisnn searches the family parametrically: one neuron, fan-in ``d``, linear kernel,
``w in [-2, 2]^d`` (nonzero) with ``sum w > 0``, ``theta in (0, 2]``, inputs in ``[0, 4]^d``, for

    exists x, y:  |x - y|_inf <= 10^-6  and  t(y) - t(x) >= 1.

Why a hit is a genuine discontinuity: the search also requires every positive subset sum
``W_S`` to be at least 1/4.  On a piece with causal set ``S`` the firing time is
``(theta + sum_S w_i x_i) / W_S``, whose gradient has l1 norm ``sum_S |w_i| / W_S <= 8 d``; a
continuous PWL map is Lipschitz with its largest piece slope, so it cannot move by 1 while its
inputs move by at most ``10^-6``.  The network and both inputs are replayed in the exact
simulator.  Paired check: with ``w in [1/4, 2]^d`` the same search is unsatisfiable.
"""


from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from verisnn.analyses.parametric import search_jump
from verisnn.claims.registry import RunContext, claim
from verisnn.core.results import Result
from verisnn.solvers import SolverOptions

SOURCE = "an earlier version of arXiv 2308.08218: positive weight sums imply continuity (false)"

DELTA = Fraction(1, 10**6)
JUMP = Fraction(1)
MIN_SUBSET_SUM = Fraction(1, 4)


@claim("C6", expected="refuted", mode="parametric", sizes=[{"d": 3}], limits={"d": (2, 4)}, source=SOURCE)
def positive_sum_claim(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Earlier claim: every neuron's incoming weights sum > 0 => continuous. Search for a counterexample."""
    return search_jump(int(size.get("d", 3)), (-2, 2), (0, 2), signed=True, inputs=(0, 4), delta=DELTA, jump=JUMP,
                       min_subset_sum=MIN_SUBSET_SUM, options=SolverOptions.of(ctx))


@claim("C6-positive", expected="proved", mode="parametric", sizes=[{"d": 2}], broken_of="C6", limits={"d": (2, 4)},
       source=f"paired check of C6 (all weights positive: no jump); C6: {SOURCE}")
def positive_weights_search(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Paired check: with all weights positive (in [1/4, 2]) the same search finds no jump (unsat).

    Default size d = 2 (well under a second); ``--size d=3`` is proved too, in about 50 s.
    """
    return search_jump(int(size.get("d", 2)), (Fraction(1, 4), 2), (0, 2), signed=False, inputs=(0, 4), delta=DELTA,
                       jump=JUMP, min_subset_sum=MIN_SUBSET_SUM, options=SolverOptions.of(ctx))
