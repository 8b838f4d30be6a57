"""C10: causal regions of deep networks (Singh, Montúfar, Kutyniok, arXiv 2609.11227, Section 7).

* **Thm 7.1** (upper bound): a positive network of shape ``(d, N1, ..., NL)`` has at most
  ``prod_l min((2^N_{l-1} - 1)^N_l, sum_{k < N_{l-1}} C(N_l kappa_{N_{l-1}}, k))`` causal regions,
  ``kappa_d = d (2^(d-1) - 1)`` (the per-layer factor is Prop 6.2's shallow bound);
* **Lemma 7.1 / Thm 7.2** (lower bound): a ``(2, m, 2)`` multi-fold block folds ``m - 1`` causal
  regions onto one reusable strip; ``L`` blocks give ``prod (m_l - 1)`` regions (Example 7.1: two
  ``m = 5`` blocks give 16); **Lemma C.1**: with shared weights the block cannot fold;
* **Lemma 7.2 / Thm 7.3** (shared weights in every layer, ordered thresholds): at most
  ``[(N1+1)^d - N1^d] * prod_{l>=2} C(N_{l-1} + N_l - 1, N_l)`` regions (Example C.1: 37 * 10 = 370).

Counts are exact (:mod:`verisnn.analyses.regions`, network generators and bounds in
:mod:`verisnn.analyses.regions.deep`; docs/deep.md): on ``Q^d``, or, for the fold, on the slice
``x0 = 0, x1 in (c_1, c_m)`` of the first block's breakpoints.  Every count's certificate is
re-checked by the independent checker (written with ``verisnn prove --certificates DIR``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from verisnn.analyses.regions import LP_BACKENDS
from verisnn.analyses.regions.deep import (
    deep_positive,
    deep_shared,
    deep_upper_bound,
    fold_network,
    layer_bound,
    search_shared_deep,
    shared_deep_bound,
    shared_layer_count,
)
from verisnn.analyses.regions.verdicts import exact_count, guard, judge
from verisnn.claims.registry import RunContext, claim
from verisnn.core.errors import InvalidInput
from verisnn.core.results import Result

DEEP_UPPER = "arXiv 2609.11227, Thm 7.1 (upper bound for deep networks)"
FOLD = "arXiv 2609.11227, Lemma 7.1, Thm 7.2, Example 7.1 (multi-fold lower bound)"
SHARED_DEEP = "arXiv 2609.11227, Lemma 7.2, Thm 7.3, Example C.1 (shared weights in every layer)"

SHAPES = [[2, 3, 3], [3, 3, 3], [2, 4, 4, 4]]


def _ints(size: Mapping[str, Any], key: str, default: list, least: int, length: int) -> list[int]:
    v = size.get(key, default)
    if not isinstance(v, list) or len(v) < length or not all(isinstance(x, int) and x >= least for x in v):
        raise InvalidInput(f"size {key!r} must be a list of at least {length} integers >= {least}, got {v!r}")
    return v


def _shapes(size: Mapping[str, Any]) -> list[list[int]]:
    if "shape" in size:
        return [_ints(size, "shape", [], 1, 2)]
    return SHAPES


def _count(net: Any, ctx: RunContext, domain: Any = None) -> Any:
    return exact_count(net, domain, timeout=ctx.timeout, seed=ctx.seed, lp=getattr(ctx, "lp", LP_BACKENDS[0]))




def _label(shape: list[int]) -> str:
    return "-".join(map(str, shape))


# --- Thm 7.1 ----------------------------------------------------------------------------------------
@claim("C10-deep-upper", expected="proved", sizes=[{"seeds": 2}], keys=["shape"], source=DEEP_UPPER)
@guard
def deep_upper(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Thm 7.1 (arXiv 2609.11227): a positive deep network has at most prod_l min((2^N_{l-1}-1)^N_l, sum_{k<N_{l-1}} C(N_l kappa, k)) regions."""
    t0 = time.perf_counter()
    runs = []
    for shape in _shapes(size):
        bound = deep_upper_bound(shape)
        for seed in range(int(size.get("seeds", 2))):
            rm = _count(deep_positive(shape, 101 * len(shape) + seed), ctx)
            runs.append((f"{_label(shape)} seed {seed}", rm, rm.count <= bound,
                         f"{rm.count} causal regions > Thm 7.1 bound {bound}"))
    return judge("C10-deep-upper", size, runs, t0, getattr(ctx, "certificates", None),
                 {"bounds": {_label(s): deep_upper_bound(s) for s in _shapes(size)}})


@claim("C10-deep-first-layer", expected="refuted", broken_of="C10-deep-upper", sizes=[{"ms": [5, 5]}],
       source=f"broken variant of C10-deep-upper (claims depth adds nothing, R <= the first layer's factor); "
              f"C10-deep-upper: {DEEP_UPPER}")
@guard
def deep_upper_broken(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: depth adds no regions, R <= the first layer's factor of Thm 7.1 alone (the fold network beats it on Q^2)."""
    t0 = time.perf_counter()
    ms = _ints(size, "ms", [5, 5], 3, 1)
    net, _, _ = fold_network(ms)
    rm = _count(net, ctx)
    bound = layer_bound(2, ms[0])
    return judge("C10-deep-first-layer", size,
                 [(f"fold {ms} on Q^2", rm, rm.count <= bound, f"{rm.count} causal regions > first-layer bound {bound}")],
                 t0, getattr(ctx, "certificates", None))


# --- Lemma 7.1 / Thm 7.2 ---------------------------------------------------------------------------
def _fold(size: Mapping[str, Any], ctx: RunContext, subject: str, shared: bool) -> Result:
    t0 = time.perf_counter()
    blocks = size.get("blocks", [[3], [5], [5, 5], [3, 3, 3], [4, 4]])
    if "ms" in size:
        blocks = [_ints(size, "ms", [], 3, 1)]
    runs = []
    for ms in blocks:
        net, box, target = fold_network(ms, shared=shared)
        rm = _count(net, ctx, box)
        word = "shared-weight blocks" if shared else "fold"
        runs.append((f"{word} {ms}", rm, rm.count == target,
                     f"{rm.count} causal regions on the slice, not prod(m_l - 1) = {target}"))
    return judge(subject, size, runs, t0, getattr(ctx, "certificates", None))


@claim("C10-fold", expected="proved", sizes=[{}], keys=["ms", "blocks"], source=FOLD)
@guard
def fold(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Lemma 7.1, Thm 7.2, Example 7.1 (arXiv 2609.11227): L multi-fold (2, m_l, 2) blocks have exactly prod(m_l - 1) regions on the fold's slice.

    Default blocks [3], [5], [5, 5] (Example 7.1: 16), [3, 3, 3], [4, 4]; larger ones with
    ``--size 'blocks=[[5,5,5],[6,6]]'`` (64 and 25 regions, about 15 s) or ``--size 'ms=[4,4,4]'``.
    """
    return _fold(size, ctx, "C10-fold", shared=False)


@claim("C10-fold-shared", expected="refuted", broken_of="C10-fold", sizes=[{"blocks": [[5, 5]]}], keys=["ms"],
       source=f"broken variant of C10-fold (shares the weights per layer, which cannot fold by Lemma C.1); "
              f"C10-fold: {FOLD}")
@guard
def fold_shared(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken (Lemma C.1): the same blocks with shared weights per layer also fold, giving prod(m_l - 1) regions."""
    return _fold(size, ctx, "C10-fold-shared", shared=True)


# --- Lemma 7.2 / Thm 7.3 ---------------------------------------------------------------------------
def _shared_runs(size: Mapping[str, Any], ctx: RunContext, bound: Any, what: str) -> list:
    shapes = [_ints(size, "shape", [], 1, 2)] if "shape" in size else [[3, 3, 3], [2, 3, 3], [3, 2, 2]]
    runs = []
    for shape in shapes:
        b = bound(shape)
        for seed in range(int(size.get("seeds", 2))):
            rm = _count(deep_shared(shape, 7 * len(shape) + seed), ctx)
            runs.append((f"shared {_label(shape)} seed {seed}", rm, rm.count <= b, f"{rm.count} causal regions > {what} {b}"))
    return runs


@claim("C10-shared-deep", expected="proved", sizes=[{"seeds": 2, "search": 3}], keys=["shape"], source=SHARED_DEEP)
@guard
def shared_deep(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Lemma 7.2, Thm 7.3 (arXiv 2609.11227): shared weights in every layer => R <= [(N1+1)^d - N1^d] prod_{l>=2} C(N_{l-1}+N_l-1, N_l).

    Seeded networks of 3-3-3 (Example C.1: bound 370), 2-3-3, 3-2-2, and the best of a short hill
    climb over 3-3-3 (``--size search=200`` for a long one; docs/deep.md gives the best found).
    """
    t0 = time.perf_counter()
    runs = _shared_runs(size, ctx, shared_deep_bound, "Thm 7.3 bound")
    shape = _ints(size, "shape", [3, 3, 3], 1, 2)
    bound = shared_deep_bound(shape)
    best, best_count, history = search_shared_deep(shape, iterations=int(size.get("search", 3)), seed=ctx.seed)
    rm = _count(best, ctx)
    runs.append((f"search best {_label(shape)}", rm, rm.count <= bound, f"{rm.count} causal regions > Thm 7.3 bound {bound}"))
    return judge("C10-shared-deep", size, runs, t0, getattr(ctx, "certificates", None),
                 {"search": {"shape": shape, "best": best_count, "bound": bound, "history": history}})


@claim("C10-shared-depth-free", expected="refuted", broken_of="C10-shared-deep", sizes=[{"seeds": 1, "shape": [3, 3, 3]}],
       source=f"broken variant of C10-shared-deep (claims depth adds nothing: Prop 6.4 for the first layer alone); "
              f"C10-shared-deep: {SHARED_DEEP}")
@guard
def shared_deep_broken(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: with shared weights depth adds nothing, R <= (N1+1)^d - N1^d (Prop 6.4 for the first layer alone)."""
    t0 = time.perf_counter()
    runs = _shared_runs(size, ctx, lambda s: shared_layer_count(s[0], s[1]), "first-layer count")
    return judge("C10-shared-depth-free", size, runs, t0, getattr(ctx, "certificates", None))
