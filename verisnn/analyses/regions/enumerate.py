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
parts of its split are asked as extra constraints.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from verisnn.analyses.regions.lp import LP_BACKENDS, open_lp
from verisnn.analyses.regions.maps import AnyNetwork, Region, RegionMap, affine_outputs
from verisnn.analyses.regions.space import Space, domain_space
from verisnn.analyses.regions.sweep import Tie, relu_step, relu_units, snn_step
from verisnn.core import affine as af
from verisnn.core.affine import Affine
from verisnn.core.domain import Box
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.model import ReluNetwork
from verisnn.core.results import Result, Verdict
from verisnn.solvers.lp import LPUndecided


def _perturb(p: Sequence[Fraction], constraints: Sequence[Affine], rng: random.Random) -> tuple[Fraction, ...]:
    """A point near ``p`` still strictly inside ``constraints`` (a generic direction, halving steps)."""
    for _ in range(200):
        direction = [Fraction(rng.randint(-97, 97), 97) for _ in p]
        step = Fraction(1)
        for _ in range(60):
            q = tuple(a + step * r for a, r in zip(p, direction))
            if all(af.evaluate(g, q) > 0 for g in constraints):
                return q
            step /= 4
    raise InternalError("could not move an interior point off a boundary")


def enumerate_regions(net: AnyNetwork, domain: Box | Space | None = None, *, verify: bool = True,
                      prove_cover: bool = False, timeout: float = 60.0, seed: int = 0,
                      deadline: float | None = None, lp: str = LP_BACKENDS[0], solver: Any = None) -> RegionMap:
    """All causal (or activation) regions of ``net`` on ``domain`` (a Box, a Space, or None = ``Q^d``).

    ``verify`` replays every piece's interior point in the exact simulator; ``prove_cover`` also
    asks the SMT solver (``solver``: SolverOptions or a RunContext) to prove the pieces cover the
    domain.  ``lp`` names the LP backend; ``timeout`` bounds each LP call (seconds) and
    ``deadline`` (a ``time.monotonic()`` value) the whole run.  An undecided LP question or the
    deadline raises the LP layer's exception (:class:`verisnn.solvers.lp.LPUndecided`):
    :func:`count_regions` turns it into an UNKNOWN result, so a count is never a guess.  The
    returned map keeps the split tree (``RegionMap.tree``) that a certificate is written from.
    """
    start = time.monotonic()
    space = domain_space(net, domain)
    n = space.dimension
    oracle = open_lp(space.names, space.bounds, lp, timeout)
    rng = random.Random(seed)

    if isinstance(net, ReluNetwork):
        units: list = relu_units(net)
        init: dict = {("x", j): a for j, a in enumerate(space.inputs)}

        def step(u: Any, aff: Mapping, p: Sequence[Fraction]) -> tuple:
            return relu_step(net, u, aff, p, n)
    else:
        units = list(net.order)
        init = {name: a for name, a in zip(net.inputs, space.inputs)}
        init.update({r.name: af.const(r.time, n) for r in net.references})

        def step(u: Any, aff: Mapping, p: Sequence[Fraction]) -> tuple:
            return snn_step(net, u, aff, p, n)

    first = oracle.witness()
    if first is None:
        raise InvalidInput(f"domain {space.description} has an empty interior")
    leaves: list[Region] = []
    bounds = list(space.bounds)

    def split(u: Any, cons: list[Affine], point: tuple[Fraction, ...], aff: dict) -> tuple[dict, list[tuple]]:
        """The split tree of unit ``u`` in the cell ``cons`` (pushed in the LP) and its distinct paths.

        Returns the tree (nested dicts: ``{"split": h, "pos": ..., "neg": ...}``, ``{"empty": extra}``
        with the part's constraints beyond the cell, or ``{"child": j}``) and the paths
        ``(fresh constraints, interior point, activation, affine value, path constraints)``, one per child ``j``.
        """
        known = set(cons)
        paths: list[tuple] = []
        index: dict[frozenset, int] = {}
        root: dict = {}
        work: list[tuple[list[Affine], tuple[Fraction, ...], dict]] = [([], point, root)]
        while work:
            if deadline is not None and time.monotonic() > deadline:
                raise LPUndecided("region enumeration ran out of time")
            extra, p, node = work.pop()
            inside = bounds + cons + extra
            for _ in range(50):
                try:
                    label, value, region = step(u, aff, p)
                    break
                except Tie:
                    p = _perturb(p, inside, rng)
            else:
                raise InternalError("could not find a generic interior point")
            fresh: list[Affine] = []
            for g in region:
                if g not in known and g not in fresh:
                    fresh.append(g)
            key = frozenset(fresh)
            if key not in index:
                index[key] = len(paths)
                paths.append((fresh, p, label, value, tuple(region)))
            have = set(extra)
            part = list(extra)
            for g in fresh:
                if g in have:
                    continue
                neg = af.scale(g, Fraction(-1))
                q = oracle.witness(part + [neg])
                node["split"], node["pos"], node["neg"] = g, {}, {}
                if q is None:
                    node["neg"]["empty"] = part + [neg]
                else:
                    work.append((part + [neg], q, node["neg"]))
                node = node["pos"]
                part = part + [g]
            node["child"] = index[key]
        return root, paths

    def dfs(k: int, cons: list[Affine], point: tuple[Fraction, ...], aff: dict, labels: list, steps: tuple) -> dict:
        if deadline is not None and time.monotonic() > deadline:
            raise LPUndecided("region enumeration ran out of time")
        if k == len(units):
            leaves.append(Region(tuple(labels), tuple(cons), point, space.x(point), affine_outputs(net, aff, n), steps))
            return {"piece": len(leaves) - 1}
        u = units[k]
        tree, paths = split(u, cons, point, aff)
        children = []
        for fresh, p, label, value, region in paths:
            oracle.push(fresh)
            children.append(dfs(k + 1, cons + fresh, p, {**aff, u: value}, labels + [label], steps + ((value, region),)))
            oracle.pop()
        return {"unit": u, "cell": tuple(cons), "split": tree, "children": children}

    tree = dfs(0, [], first, init, [], ())
    result = RegionMap(net, space, tuple(leaves), time.monotonic() - start, oracle.checks, tree=tree)
    if verify:
        result = result.verify()
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
