"""C11: the open maximum of a shallow layer, d = 3 inputs and m = 2 neurons, positive weights, no sharing.

Singh, Montúfar, Kutyniok (arXiv 2609.11227) bound one layer by Prop 6.1 / 6.2,
``R_max(3, 2) <= min((2^3 - 1)^2, sum_{k<3} C(2 kappa_3, k)) = min(49, 172) = 49``, and give the
exact maximum only with shared weights (Prop 6.4: ``(m+1)^d - m^d = 19``); Section 6.4 leaves the
gap between the two open.  What these claims establish (docs/deep.md):

* **lower bound 21**: an explicit network (weights ``(1/16, 3, 2)``, ``(7/4, 4, 5/4)``, both
  thresholds 2) has exactly 21 causal regions on ``Q^3`` (exact count, certificate re-checked by the
  independent checker); so unshared weights beat the shared maximum 19;
* **upper bound 21**: at an input with distinct arrival times both causal sets are prefixes of the
  arrival order (so nested), and a pair ``S < T`` (neuron 1 has the smaller set) needs some
  ``i in S`` with ``w1_i/theta_1 > w2_i/theta_2`` (neuron 1 reached its threshold on ``S`` by the
  next arrival, neuron 2 did not); :func:`~verisnn.analyses.regions.deep.prefix_speed_bound` counts
  the pairs these two rules admit, maximized over the signs of ``w1_i/theta_1 - w2_i/theta_2``:
  21 for ``d = 3`` (5 for ``d = 2``, which is C9's ``2m + 1``).  The two rules are proved on paper
  in docs/deep.md (not by a solver); the claim checks them on every region it counts, and
  tests/test_deep.py checks them against exact enumeration of generated layers;
* **search**: a random-restart hill climb (``search_max_regions``, exact counts) never exceeds 21.

So ``R_max(3, 2) = 21``, with the caveat that the upper bound's two rules are a paper proof.  The
same holds for ``d = 4`` with 81 (``--size d=4``): the bound is 81 and a found network has 81.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from fractions import Fraction as F
from typing import Any

from verisnn.analyses.regions import LP_BACKENDS, one_layer, one_layer_bounds, search_max_regions
from verisnn.analyses.regions.deep import (
    causal_sets,
    prefix_speed_bound,
    shared_layer_count,
    speeds,
    tuple_allowed,
)
from verisnn.analyses.regions.verdicts import Undecided, exact_count, guard, judge
from verisnn.claims.registry import RunContext, claim
from verisnn.core.errors import InvalidInput
from verisnn.core.results import Result

SOURCE = "verisnn, on the open question of arXiv 2609.11227, Sec. 6.4 (the maximum of one unshared layer)"

# the best networks found by search_max_regions, per number of inputs d
BEST = {3: one_layer([[F(1, 16), F(3), F(2)], [F(7, 4), F(4), F(5, 4)]], [F(2), F(2)]),
        4: one_layer([[F(1), F(5, 2), F(4), F(9, 4)], [F(2), F(5), F(3, 4), F(1, 8)]], [F(2), F(7, 4)])}




def _d(size: Mapping[str, Any]) -> int:
    d = size.get("d", 3)
    if d not in BEST:
        raise InvalidInput(f"size 'd' must be one of {sorted(BEST)}, got {d!r}")
    return d


def _runs(size: Mapping[str, Any], ctx: RunContext, floor: int, upper: int) -> tuple[list, dict]:
    lp = getattr(ctx, "lp", LP_BACKENDS[0])
    d = _d(size)
    rm = exact_count(BEST[d], None, timeout=ctx.timeout, seed=ctx.seed, lp=lp)
    runs = [("best known network", rm, floor <= rm.count <= upper, f"{rm.count} causal regions outside [{floor}, {upper}]")]
    rules = _rules_hold(rm)
    iterations = int(size.get("search", 20))
    extra: dict = {"upper": upper}
    if iterations > 0:
        net, count, history = search_max_regions(d, 2, iterations=iterations, seed=ctx.seed)
        found = exact_count(net, None, timeout=ctx.timeout, seed=ctx.seed, lp=lp)
        runs.append((f"search best of {iterations}", found, found.count <= upper, f"{found.count} causal regions > {upper}"))
        rules = rules and _rules_hold(found)
        extra["search"] = {"iterations": iterations, "best": count, "history": history,
                           "weights": [str(s.weight) for s in net.synapses],
                           "thresholds": [str(n.threshold) for n in net.neurons]}
    extra["pair rules hold on every region"] = rules
    if not rules:  # a region that breaks the paper argument behind the upper bound: never report it as proved
        raise Undecided("a counted region breaks the nested-prefix / speed rules of docs/deep.md")
    return runs, extra


def _rules_hold(rm: Any) -> bool:
    """Every region's pair of causal sets is one that :func:`tuple_allowed` admits, and the count is the
    number of distinct pairs (so the bound on pairs bounds the count)."""
    lam = speeds(rm.network)
    pairs = {causal_sets(rm.network, r.x) for r in rm.regions}
    return len(pairs) == rm.count and all(tuple_allowed(lam, p) for p in pairs)


@claim("C11-max", expected="proved", sizes=[{"d": 3, "search": 20}], limits={"d": (3, 4)}, source=SOURCE)
@guard
def open_maximum(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Open question of arXiv 2609.11227 Sec. 6.4 (d = 3, m = 2, unshared): R_max(3, 2) = 21 (a certified 21-region network; nested-prefix bound).

    ``--size d=4`` does the same for four inputs: R_max(4, 2) = 81 (a certified 81-region network).
    """
    t0 = time.perf_counter()
    d = _d(size)
    upper = prefix_speed_bound(d, 2)
    runs, extra = _runs(size, ctx, upper, upper)
    extra["Prop 6.2 bound"] = one_layer_bounds(d, 2)[1]
    return judge("C11-max", size, runs, t0, getattr(ctx, "certificates", None), extra)


@claim("C11-max-shared", expected="refuted", broken_of="C11-max", sizes=[{"d": 3, "search": 0}], limits={"d": (3, 4)},
       source=f"broken variant of C11-max (claims the shared maximum of Prop 6.4 is the maximum); C11-max: {SOURCE}")
@guard
def shared_is_max(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: sharing weights costs nothing, R_max(d, 2) equals the shared maximum (m+1)^d - m^d (19 for d = 3; Prop 6.4)."""
    t0 = time.perf_counter()
    runs, extra = _runs(size, ctx, 0, shared_layer_count(_d(size), 2))
    return judge("C11-max-shared", size, runs, t0, getattr(ctx, "certificates", None), extra)
