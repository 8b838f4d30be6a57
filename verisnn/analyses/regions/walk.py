"""The split tree's nodes: one unit's split of a cell, and depth-first walks below a cell.

A :class:`Cell` is a node of the split tree (see :mod:`verisnn.analyses.regions.enumerate`): the
units processed so far, their constant pattern on an open cell, an exact interior point.  A
:class:`Walk` splits a cell by its next unit and walks subtrees; every answer depends only on the
node it is asked at, so a subtree can be walked alone (:mod:`verisnn.analyses.regions.subtrees`).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verisnn.analyses.regions.maps import AnyNetwork, Region, affine_outputs
from verisnn.analyses.regions.space import Space
from verisnn.analyses.regions.sweep import StepMemo, Tie, relu_step, relu_units, snn_step
from verisnn.core import affine as af
from verisnn.core.affine import Affine
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.model import ReluNetwork
from verisnn.core.numbers import fmt
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


def node_rng(seed: int, k: int, point: Sequence[Fraction]) -> random.Random:
    """The generator that moves a point of unit ``k``'s split off its ties: a function of the seed, ``k`` and the point.

    Seeded per node (never shared along the walk), so a subtree walked alone, on another machine,
    perturbs exactly as it does inside the whole walk.
    """
    text = f"{seed}|{k}|" + ",".join(fmt(v) for v in point)
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "big"))


@dataclass(frozen=True)
class Cell:
    """A node of the split tree: ``units[:k]`` processed, their pattern constant on the open cell.

    ``constraints`` are the cell's (``g > 0``, the domain's bounds not repeated), ``point`` an
    exact interior point, ``labels`` the processed units' activations and ``steps`` per processed
    unit its affine value and the constraints of its path (as :class:`Region.steps`).  ``known``, when
    given, is the set of :func:`~verisnn.core.affine.key` of ``constraints``, handed down from the parent's split
    so that no cell hashes its whole constraint list again.
    """

    k: int
    constraints: tuple[Affine, ...]
    point: tuple[Fraction, ...]
    labels: tuple = ()
    steps: tuple = ()
    known: frozenset | None = field(default=None, compare=False, repr=False)


class Walk:
    """The split tree of one network on one domain: each node's split, and depth-first walks below a node.

    Every answer depends only on the node it is asked at (its cell, point and steps), the seed and
    the LP backend, never on what the walk did before; with an LP backend whose answers depend only
    on the question (``vertex`` on a box) a subtree walked in a fresh session, in another process,
    is the subtree of the whole walk.  The constraints of the cell being split must be the ones
    asserted in ``oracle`` (pushed over the domain's bounds).
    """

    def __init__(self, net: AnyNetwork, space: Space, oracle: Any, seed: int = 0, deadline: float | None = None):
        self.net, self.space, self.oracle, self.seed, self.deadline = net, space, oracle, seed, deadline
        self.n = space.dimension
        self.bounds = list(space.bounds)
        self.on_piece: Callable[[int], None] | None = None  # told the number of pieces after each new one
        # shared objects: equal paths give the same constraint objects, and these caches (and the LP
        # session's integer rows) answer once per object
        self._memo = StepMemo()
        self._key = af.ByIdentity(af.key)
        self._neg = af.ByIdentity(af.neg)
        if isinstance(net, ReluNetwork):
            self.units: list = relu_units(net)
            self.init: dict = {("x", j): a for j, a in enumerate(space.inputs)}
        else:
            self.units = list(net.order)
            self.init = {name: a for name, a in zip(net.inputs, space.inputs)}
            self.init.update({r.name: af.const(r.time, self.n) for r in net.references})

    def root(self) -> Cell:
        """The whole domain, with its first interior point (InvalidInput when the domain has no interior)."""
        first = self.oracle.witness()
        if first is None:
            raise InvalidInput(f"domain {self.space.description} has an empty interior")
        return Cell(0, (), first, (), ())

    def values(self, cell: Cell) -> dict:
        """Every input's, reference's and processed unit's affine value on ``cell``."""
        return {**self.init, **{u: value for u, (value, _) in zip(self.units, cell.steps)}}

    def _step(self, u: Any, aff: Mapping, p: Sequence[Fraction]) -> tuple:
        if isinstance(self.net, ReluNetwork):
            return relu_step(self.net, u, aff, p, self.n)
        return snn_step(self.net, u, aff, p, self.n, self._memo)

    def _in_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise LPUndecided("region enumeration ran out of time")

    def _generic(self, cell: Cell, aff: Mapping, p: tuple[Fraction, ...], extra: list[Affine]) -> tuple:
        """Unit ``cell.k``'s step at ``p``, moving ``p`` off ties inside the cell and ``extra`` (a generator seeded
        by the node)."""
        u = self.units[cell.k]
        rng = None
        inside = None
        for _ in range(50):
            try:
                return (p, *self._step(u, aff, p))
            except Tie:
                rng = rng or node_rng(self.seed, cell.k, p)
                inside = inside or self.bounds + list(cell.constraints) + extra
                p = _perturb(p, inside, rng)
        raise InternalError("could not find a generic interior point")

    def split(self, cell: Cell) -> tuple[dict, list[Cell]]:
        """The split tree of unit ``cell.k`` in ``cell`` and its children, one per distinct path.

        The tree is nested dicts: ``{"split": h, "pos": ..., "neg": ...}``, ``{"empty": extra}``
        with the part's constraints beyond the cell, or ``{"child": j}``.
        """
        cons = list(cell.constraints)
        aff = self.values(cell)
        known = cell.known if cell.known is not None else frozenset(map(self._key, cons))
        children: list[Cell] = []
        index: dict[frozenset, int] = {}
        root: dict = {}
        work: list[tuple[list[Affine], tuple[Fraction, ...], dict]] = [([], cell.point, root)]
        while work:
            self._in_time()
            extra, p, node = work.pop()
            p, label, value, region = self._generic(cell, aff, p, extra)
            fresh: list[Affine] = []
            fresh_keys: list[tuple] = []
            for g in region:
                k = self._key(g)
                if k not in known and k not in fresh_keys:
                    fresh_keys.append(k)
                    fresh.append(g)
            keys = frozenset(fresh_keys)
            if keys not in index:
                index[keys] = len(children)
                children.append(Cell(cell.k + 1, tuple(cons + fresh), p, cell.labels + (label,),
                                     cell.steps + ((value, tuple(region)),), known | keys))
            have = set(map(self._key, extra))
            part = list(extra)
            for g, k in zip(fresh, fresh_keys):
                if k in have:
                    continue
                neg = self._neg(g)
                q = self.oracle.witness(part + [neg])
                node["split"], node["pos"], node["neg"] = g, {}, {}
                if q is None:
                    node["neg"]["empty"] = part + [neg]
                else:
                    work.append((part + [neg], q, node["neg"]))
                node = node["pos"]
                part = part + [g]
            node["child"] = index[keys]
        return root, children

    def leaf(self, cell: Cell) -> Region:
        """The piece of a cell below which every unit is processed."""
        return Region(cell.labels, cell.constraints, cell.point, self.space.x(cell.point),
                      affine_outputs(self.net, self.values(cell), self.n), cell.steps)

    def node(self, cell: Cell, tree: dict, children: list) -> dict:
        """The tree node of a split cell (``children``: the children's nodes, in order)."""
        return {"unit": self.units[cell.k], "cell": cell.constraints, "split": tree, "children": children}

    def walk(self, cell: Cell, leaves: list[Region]) -> dict:
        """The subtree below ``cell`` (depth first, children in order), appending its pieces to ``leaves``.

        Leaf nodes are ``{"piece": i}`` with ``i`` the index in ``leaves``.
        """
        self._in_time()
        if cell.k == len(self.units):
            leaves.append(self.leaf(cell))
            if self.on_piece is not None:
                self.on_piece(len(leaves))
            return {"piece": len(leaves) - 1}
        tree, children = self.split(cell)
        nodes = []
        for child in children:
            if child.k == len(self.units):  # a piece asks the LP nothing: no push
                nodes.append(self.walk(child, leaves))
                continue
            self.oracle.push(child.constraints[len(cell.constraints):])
            nodes.append(self.walk(child, leaves))
            self.oracle.pop()
        return self.node(cell, tree, nodes)


__all__ = ["Cell", "Walk", "node_rng"]
