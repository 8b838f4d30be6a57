"""The split tree: exact enumeration of causal (or activation) regions by complement splitting.

Neurons (or ReLU units) are processed in topological order.  A *cell* is an open polyhedron on
which the pattern of the neurons processed so far is constant and every firing time is affine.
For the next neuron, an exact interior point ``p`` of the cell is swept symbolically
(:mod:`verisnn.analyses.regions.sweep`): that gives the neuron's outcome, its affine firing time
and the open polyhedron ``R = {r_1 > 0, ..., r_k > 0}`` of inputs where the sweep takes the same
path.  The rest of the cell is split by hyperplanes: ``cell ∩ {r_1 < 0}``, ``cell ∩ {r_1 > 0,
r_2 < 0}``, ..., each part either empty (the LP says so) or explored again from its own exact
interior point.  The closures of the children of every split cover the parent's closure, so the
leaves cover the cell by construction; no solver proof of cover is needed.  Parts found on the
same path (the same ``R``) are one piece: the cell intersected with ``R``.

All LP questions (exact interior points, emptiness) go through one incremental LP session per
enumeration (:mod:`verisnn.analyses.regions.lp`): the cell's constraints are pushed once, and the
parts of its split are asked as extra constraints.  One cell's split is
:meth:`verisnn.analyses.regions.walk.Walk.split`; with ``distribute`` the subtrees below a
frontier are walked elsewhere (:mod:`verisnn.analyses.regions.subtrees`) and merged in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from verisnn.analyses.regions.lp import LP_BACKENDS, open_lp
from verisnn.analyses.regions.maps import AnyNetwork, Region, RegionMap
from verisnn.analyses.regions.space import Space, domain_space
from verisnn.analyses.regions.subtrees import TASK_SECONDS, Distribute, distributed_walk
from verisnn.analyses.regions.walk import Walk
from verisnn.core.collect import collector_paused
from verisnn.core.domain import Box
from verisnn.core.model import ReluNetwork
from verisnn.core.results import Result, Verdict
from verisnn.solvers.lp import LPUndecided


def enumerate_regions(net: AnyNetwork, domain: Box | Space | None = None, *, verify: bool = True,
                      prove_cover: bool = False, timeout: float = 60.0, seed: int = 0,
                      deadline: float | None = None, lp: str = LP_BACKENDS[0], solver: Any = None,
                      distribute: Distribute | None = None, frontier: int = 1,
                      task_seconds: float | None = TASK_SECONDS, keep_tree: bool = True,
                      progress: Callable[[str, int], None] | None = None) -> RegionMap:
    """All causal (or activation) regions of ``net`` on ``domain`` (a Box, a Space, or None = ``Q^d``).

    ``verify`` replays every piece's interior point in the exact simulator; ``prove_cover`` also
    asks the SMT solver (``solver``: SolverOptions or a RunContext) to prove the pieces cover the
    domain.  ``lp`` names the LP backend; ``timeout`` bounds each LP call (seconds) and
    ``deadline`` (a ``time.monotonic()`` value) the whole run.  An undecided LP question or the
    deadline raises the LP layer's exception (:class:`verisnn.solvers.lp.LPUndecided`):
    :func:`count_regions` turns it into an UNKNOWN result, so a count is never a guess.  The
    returned map keeps the split tree (``RegionMap.tree``) that a certificate is written from.

    ``distribute`` (see :func:`verisnn.analyses.regions.subtrees.distributed_walk`) walks the
    subtrees below a frontier of at least ``frontier`` cells elsewhere, e.g. on a Dask cluster,
    each task for about ``task_seconds`` before it leaves the rest of its subtree to new tasks,
    and each subtree's pieces are replayed where it was walked; the map is the one of the walk in
    this process (docs/cluster.md says for which LP backends).  Without ``keep_tree`` the map
    has no split tree (no certificate can be written from it), and the subtree tasks do not
    send theirs.

    ``progress(phase, pieces)`` is told the pieces found so far during the serial walk (phase
    ``"walk"``), and once before the replay (phase ``"replay"``); it only reports, it decides nothing.
    """
    with collector_paused():
        return _enumerate(net, domain, verify, prove_cover, timeout, seed, deadline, lp, solver, distribute, frontier,
                          task_seconds, keep_tree, progress)


def _enumerate(net: AnyNetwork, domain: Box | Space | None, verify: bool, prove_cover: bool, timeout: float, seed: int,
               deadline: float | None, lp: str, solver: Any, distribute: Distribute | None, frontier: int,
               task_seconds: float | None, keep_tree: bool, progress: Callable[[str, int], None] | None) -> RegionMap:
    start = time.monotonic()
    space = domain_space(net, domain)
    oracle = open_lp(space.names, space.bounds, lp, timeout)
    walker = Walk(net, space, oracle, seed, deadline)
    if progress is not None:
        walker.on_piece = lambda count: progress("walk", count)
    leaves: list[Region] = []
    if distribute is None:
        tree = walker.walk(walker.root(), leaves)
        checks = oracle.checks
    else:  # the tasks replay their own pieces (with verify) before they answer
        tree, checks = distributed_walk(walker, leaves, distribute, frontier, lp=lp, timeout=timeout, verify=verify,
                                        seconds=task_seconds, splits=keep_tree)
    result = RegionMap(net, space, tuple(leaves), time.monotonic() - start, checks, tree=tree if keep_tree else None)
    if verify:
        if progress is not None and distribute is None:
            progress("replay", len(leaves))
        result = result.verify() if distribute is None else replace(result, verified=True)
    if prove_cover:
        from verisnn.analyses.regions.pieces import prove_cover as cover_proof

        result = cover_proof(result, solver, timeout)
    return RegionMap(result.network, result.space, result.regions, time.monotonic() - start, result.lp_checks,
                     result.verified, result.covered, result.extra, result.tree)


def count_regions(net: AnyNetwork, domain: Box | Space | None = None, **kwargs: Any) -> Result:
    """The exact number of patterns realized on open subsets of ``domain`` (None = ``Q^d``), as a Result.

    PROVED when the enumeration completed and every piece was replayed in the exact simulator:
    ``details`` holds ``count``, ``pieces``, ``lp_checks`` and ``regions`` (the
    :class:`RegionMap`).  UNKNOWN, with the reason, when an LP question was undecided or the
    ``deadline`` passed.  Keyword arguments are those of :func:`enumerate_regions`.
    """
    t0 = time.perf_counter()
    subject = "regions"
    try:
        rm = enumerate_regions(net, domain, **kwargs)
    except LPUndecided as exc:
        return Result(subject, Verdict.UNKNOWN, time.perf_counter() - t0, reason=str(exc) or "LP undecided")
    if not rm.verified:
        return Result(subject, Verdict.UNKNOWN, time.perf_counter() - t0,
                      reason="pieces not replayed in the exact simulator (verify=False)",
                      details={"count": rm.count, "pieces": rm.pieces, "regions": rm})
    kind = "activation" if isinstance(net, ReluNetwork) else "causal"
    return Result(subject, Verdict.PROVED, time.perf_counter() - t0,
                  reason=f"{rm.count} {kind} region{'s' if rm.count != 1 else ''} on {rm.space.description}",
                  details={"count": rm.count, "pieces": rm.pieces, "lp_checks": rm.lp_checks, "regions": rm})
