"""The split tree in parts: a frontier split here, the subtrees below it walked elsewhere, merged in order.

:func:`distributed_walk` splits the cells of the tree level by level, in this process, until a
level has at least ``frontier`` cells (or every unit is processed).  Each cell of that level
becomes one task, a plain JSON document (:func:`subtree_task`): the network in its file format,
the domain, the LP backend, the seed and the cell (unit index ``k``, constraints, interior point,
and per processed unit its activation, affine value and path constraints), exact rationals as
text.  :func:`walk_subtree` walks one task's subtree depth-first in a fresh LP session, for
about :data:`TASK_SECONDS`; the cells it has not split by then come back as *holes*, and each
hole becomes a new task.  So a large subtree is spread over the workers while it is walked, and
no task runs much longer than that.  Tasks are pure: a task run twice (a worker died) may leave
its holes elsewhere, but describes the same subtree.  The driver puts every answer in its place
and numbers the pieces in depth-first order at the end, as the serial walk does.

The map equals the serial walk's when every node's answers depend only on the node (see
:class:`~verisnn.analyses.regions.walk.Walk`): true for the ``vertex`` LP backend on a box,
whose points and emptiness answers are functions of the question; see docs/cluster.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

from verisnn.analyses.regions.lp import open_lp
from verisnn.analyses.regions.maps import AnyNetwork, Region, check_point
from verisnn.analyses.regions.space import domain_space
from verisnn.analyses.regions.walk import Cell, Walk
from verisnn.core.affine import Affine
from verisnn.core.collect import collector_paused
from verisnn.core.domain import Box
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.model import ReluNetwork
from verisnn.core.numbers import fmt, parse_rational
from verisnn.io import network_from_json, network_to_json, relu_from_json, relu_to_json
from verisnn.semantics.simulate import Activation

#: the task document's format tag
SUBTREE_FORMAT = "verisnn.subtree/1"

#: about how long one task walks before it leaves the rest of its subtree to new tasks (seconds)
TASK_SECONDS = 2.0

#: ``distribute(tasks, answer)`` runs every task document and calls ``answer(i, result)`` with the
#: result of task ``i`` (in any order); ``answer`` yields new task documents, numbered on from the
#: last ones, which ``distribute`` sends out as they are yielded and runs too.  It returns when
#: every task has been answered.
Distribute = Callable[[Sequence[Mapping[str, Any]], Callable[[int, Mapping[str, Any]], Iterable[Mapping[str, Any]]]],
                      None]


class Codec:
    """Exact text form of the tree's values: affine functions by their index in one table of distinct ones.

    The table lists each distinct affine function once, as exact rational strings (``[c0, c1,
    ..., cn]``, ``c0 + c1*s1 + ...``); everything else refers to it by index (None: silent).
    Encoding builds the table (:meth:`ref`, then :meth:`table`); decoding starts from one
    (``table``), each function parsed once and shared.  A malformed value raises ``error``
    (InvalidInput for a task's input, InternalError for a worker's answer).
    """

    def __init__(self, n: int, error: type[Exception] = InvalidInput, table: Any = None) -> None:
        self.n, self.error = n, error
        self._table: list[Affine] = []
        self._by_id: dict[int, tuple[int, Affine]] = {}
        self._by_value: dict[tuple[int, ...], int] = {}
        self._negated: dict[int, Affine] = {}  # -table[k] by k, for split trees
        if table is not None:
            if not isinstance(table, list):
                raise error("a subtree's table of affine functions must be a list")
            self._table = [self._parse(doc) for doc in table]

    def _parse(self, doc: Any) -> Affine:
        if not isinstance(doc, list) or len(doc) != self.n + 1:
            raise self.error(f"an affine function of a subtree must list {self.n + 1} rationals, got {doc!r:.60}")
        return tuple(self.rational(c) for c in doc)

    def rational(self, text: Any) -> Fraction:
        if self.error is InternalError and isinstance(text, str):  # a worker's answer: our own exact text
            num, _, den = text.partition("/")
            try:
                return Fraction(int(num), int(den)) if den else Fraction(int(num))
            except (ValueError, ZeroDivisionError):
                pass
        return parse_rational(text, "a rational of a subtree", self.error)

    def ref(self, a: Affine | None) -> int | None:
        """The index of ``a`` in the table being built (None for None)."""
        if a is None:
            return None
        seen = self._by_id.get(id(a))
        if seen is not None:
            return seen[0]
        # by value: integers hash much faster than Fractions
        k = self._by_value.setdefault(tuple(x for c in a for x in (c.numerator, c.denominator)), len(self._table))
        if k == len(self._table):
            self._table.append(a)
        self._by_id[id(a)] = (k, a)  # keeps ``a`` alive, so its id is not given to another tuple
        return k

    def refs(self, affines: Sequence[Affine]) -> list[int | None]:
        return [self.ref(a) for a in affines]

    def table(self) -> list[list[str]]:
        return [[fmt(c) for c in a] for a in self._table]

    def read_affine(self, k: Any) -> Affine | None:
        if k is None:
            return None
        if not isinstance(k, int) or not 0 <= k < len(self._table):
            raise self.error(f"a subtree refers to affine function {k!r}, not in its table")
        return self._table[k]

    def read_affines(self, doc: Any) -> tuple[Affine, ...]:
        table = self._table
        try:
            if not doc or min(doc) >= 0:
                return tuple(table[k] for k in doc)
        except (TypeError, IndexError):
            pass
        raise self.error(f"a subtree's constraints must be a list of affine functions, got {doc!r:.60}")

    # --- activations and steps -------------------------------------------------------------------------------
    @staticmethod
    def label(act: Any) -> Any:
        if act is None or isinstance(act, bool):
            return act
        return {"causal": list(act.causal), "pieces": list(act.pieces), "jump": act.jump}

    def read_label(self, doc: Any) -> Any:
        if doc is None or isinstance(doc, bool):
            return doc
        try:
            return Activation(tuple(int(i) for i in doc["causal"]), tuple(int(i) for i in doc["pieces"]),
                              bool(doc["jump"]))
        except (KeyError, TypeError, ValueError):
            raise self.error(f"an activation of a subtree is malformed: {doc!r:.60}") from None

    def steps(self, steps: Sequence) -> list:
        return [[self.ref(value), self.refs(region)] for value, region in steps]

    def read_steps(self, doc: Any) -> tuple:
        if not isinstance(doc, list) or not all(isinstance(s, list) and len(s) == 2 for s in doc):
            raise self.error("a subtree's steps must be [value, constraints] pairs")
        return tuple((self.read_affine(value), self.read_affines(region)) for value, region in doc)

    # --- split trees ------------------------------------------------------------------------------------------
    # A split node's part is the list of signed hyperplanes on the way from the split's root (``h``
    # going to "pos", ``-h`` to "neg"); an empty part is that list, written as ``{"empty": 1}``.
    # The part is kept as a chain ``(h, negative, rest)`` back to the root (None), so a deep split
    # costs one step per node; it is spelled out only at an empty part.
    def split(self, root: Mapping) -> dict:
        """One cell's split tree (:meth:`Walk.split`) as JSON, iteratively (split trees can be deep)."""
        out: dict = {}
        work: list[tuple[Mapping, dict, Any]] = [(root, out, None)]
        while work:
            node, into, part = work.pop()
            if "child" in node:
                into["child"] = node["child"]
            elif "empty" in node:
                into["empty"] = 1 if _is_part(node["empty"], part) else self.refs(node["empty"])
            else:
                h = node["split"]
                into["h"], into["pos"], into["neg"] = self.ref(h), {}, {}
                work.append((node["pos"], into["pos"], (h, False, part)))
                work.append((node["neg"], into["neg"], (h, True, part)))
        return out

    def read_split(self, doc: Any) -> dict:
        """A split tree back from :meth:`split`'s JSON (the same nested dicts :meth:`Walk.split` builds)."""
        out: dict = {}
        work: list[tuple[Any, dict, Any]] = [(doc, out, None)]
        while work:
            node, into, part = work.pop()
            if not isinstance(node, Mapping):
                raise self.error("a split node of a subtree must be a JSON object")
            if "child" in node:
                into["child"] = int(node["child"])
            elif "empty" in node:
                into["empty"] = self._part(part) if node["empty"] == 1 else list(self.read_affines(node["empty"]))
            else:
                k = node["h"]
                h = self.read_affine(k)
                if h is None:
                    raise self.error("a split of a subtree has no hyperplane")
                into["split"], into["pos"], into["neg"] = h, {}, {}
                work.append((node["pos"], into["pos"], (k, False, part)))
                work.append((node["neg"], into["neg"], (k, True, part)))
        return out

    def _part(self, part: Any) -> list[Affine]:
        """The signed hyperplanes of a chain of table indices, from the split's root."""
        out: list[Affine] = []
        while part is not None:
            k, negative, part = part
            if negative:
                neg = self._negated.get(k)
                if neg is None:
                    neg = self._negated[k] = tuple(-c for c in self._table[k])
                out.append(neg)
            else:
                out.append(self._table[k])
        out.reverse()
        return out

    def child(self, parent: Cell, child: Cell, doc: dict) -> list:
        """One child of a split cell: its unit's activation, affine value and path, the constraints it adds, its node."""
        value, path = child.steps[-1]
        return [self.label(child.labels[-1]), self.ref(value), self.refs(path),
                self.refs(child.constraints[len(parent.constraints):]), doc]

    def read_subtree(self, doc: Any, cell: Cell, walk: Walk, holes: list[tuple[Cell, dict]]) -> dict:
        """The subtree below ``cell`` back from a task's JSON (see :func:`walk_subtree`).

        Leaves become ``{"piece": Region}`` (numbered later, by :func:`number_pieces`); each hole
        becomes an empty node, listed in ``holes`` with its cell, for another task to fill.
        """
        if not isinstance(doc, Mapping):
            raise self.error("a subtree node must be a JSON object")
        if "point" in doc:
            point = tuple(self.rational(v) for v in doc["point"])
            here = Cell(cell.k, cell.constraints, point, cell.labels, cell.steps)
            if "hole" in doc:
                slot: dict = {}
                holes.append((here, slot))
                return slot
            if cell.k != len(walk.units):
                raise self.error(f"a subtree has a piece at unit {cell.k} of {len(walk.units)}")
            return {"piece": walk.leaf(here)}
        if cell.k >= len(walk.units):
            raise self.error("a subtree splits a cell below the last unit")
        children = []
        for label, value, path, fresh, child in doc["children"]:
            below = Cell(cell.k + 1, cell.constraints + self.read_affines(fresh), (), cell.labels + (self.read_label(label),),
                         cell.steps + ((self.read_affine(value), self.read_affines(path)),))
            children.append(self.read_subtree(child, below, walk, holes))
        split = doc["split"]
        return walk.node(cell, None if split is None else self.read_split(split), children)

    # --- cells ------------------------------------------------------------------------------------------------
    def cell(self, cell: Cell) -> dict:
        return {"k": cell.k, "constraints": [self.ref(g) for g in cell.constraints],
                "point": [fmt(v) for v in cell.point], "labels": [self.label(a) for a in cell.labels],
                "steps": self.steps(cell.steps)}

    def read_cell(self, doc: Mapping) -> Cell:
        point = doc.get("point")
        if not isinstance(point, list) or len(point) != self.n:
            raise self.error(f"a subtree's point must list {self.n} rationals")
        labels = doc.get("labels")
        if not isinstance(labels, list):
            raise self.error("a subtree's labels must be a list")
        cell = Cell(int(doc["k"]), self.read_affines(doc.get("constraints")), tuple(self.rational(v) for v in point),
                    tuple(self.read_label(a) for a in labels), self.read_steps(doc.get("steps")))
        if not (len(cell.labels) == len(cell.steps) == cell.k >= 0):
            raise self.error(f"a subtree at unit {cell.k} must carry {cell.k} labels and steps")
        return cell


def _is_part(empty: Sequence[Affine], part: Any) -> bool:
    """True when ``empty`` is the chain ``part`` of signed hyperplanes (see :meth:`Codec.split`)."""
    i = len(empty) - 1
    while part is not None:
        h, negative, part = part
        if i < 0:
            return False
        g = empty[i]
        if not (all(a == -b for a, b in zip(g, h)) if negative else (g is h or g == h)):
            return False
        i -= 1
    return i == -1


def _network_doc(net: AnyNetwork) -> dict:
    return relu_to_json(net) if isinstance(net, ReluNetwork) else network_to_json(net)


def _network(doc: Any) -> AnyNetwork:
    if isinstance(doc, Mapping) and doc.get("format") == "verisnn.relu/1":
        return relu_from_json(doc)
    return network_from_json(doc)


def subtree_task(walk: Walk, cell: Cell, lp: str, timeout: float | None, verify: bool = True,
                 seconds: float | None = TASK_SECONDS, splits: bool = True) -> dict:
    """The JSON task of the subtree below ``cell`` (the domain must be a box or all of ``Q^d``).

    With ``verify`` the task replays each of its pieces in the exact simulator before it answers;
    after ``seconds`` it leaves the cells it has not split to other tasks (see :func:`walk_subtree`).
    Without ``splits`` it sends no split trees (``"split": null``): only the pieces and the
    tree's shape come back, enough for the map without a certificate.
    """
    box = walk.space.box
    if box is None and walk.space.bounds:
        raise InvalidInput(f"subtrees are shipped for boxes and Q^d, not for {walk.space.description}")
    codec = Codec(walk.n)
    encoded = codec.cell(cell)
    return {"format": SUBTREE_FORMAT, "network": _network_doc(walk.net),
            "domain": None if box is None else box.to_json(), "lp": lp, "timeout": timeout, "seed": walk.seed,
            "verify": verify, "seconds": seconds, "splits": splits, "affines": codec.table(), "cell": encoded}


def _walk_of(doc: Mapping[str, Any]) -> tuple[Walk, Cell]:
    """The walk and the cell a task document describes (InvalidInput when it is malformed)."""
    if not isinstance(doc, Mapping) or doc.get("format") != SUBTREE_FORMAT:
        raise InvalidInput(f"a subtree task must be a {SUBTREE_FORMAT} document")
    net = _network(doc.get("network"))
    box = None
    if doc.get("domain") is not None:
        try:
            lo, hi = zip(*doc["domain"])
        except (TypeError, ValueError):
            raise InvalidInput("a subtree's domain must be a list of [lo, hi] pairs") from None
        box = Box(tuple(parse_rational(v, "a domain bound") for v in lo), tuple(parse_rational(v, "a domain bound")
                                                                                 for v in hi))
    space = domain_space(net, box)
    oracle = open_lp(space.names, space.bounds, str(doc.get("lp")), doc.get("timeout"))
    walk = Walk(net, space, oracle, int(doc.get("seed", 0)))
    cell = Codec(space.dimension, InvalidInput, doc.get("affines")).read_cell(doc.get("cell", {}))
    if cell.k > len(walk.units):
        raise InvalidInput(f"a subtree at unit {cell.k} of a network with {len(walk.units)} units")
    return walk, cell


def walk_subtree(doc: Mapping[str, Any]) -> dict:
    """Walk one task's subtree in a fresh LP session: ``{"affines", "tree", "pieces", "holes", "lp_checks"}``.

    The tree is JSON with each node written once: a piece as ``{"point": [...]}``, a split cell as
    ``{"split": ..., "children": [[label, value, path, fresh, child], ...]}`` (per child its
    unit's activation, affine value and path constraints, and the constraints the child's cell
    adds to this one), and a cell left for another task as ``{"hole": 1, "point": [...]}``.
    ``affines`` is the table the tree refers to.  The task splits its own cell, then walks on
    depth-first until ``seconds`` (of the document; None: no limit) have passed; the cells it
    has not split by then are holes; ``holes`` lists their cells, each as the ``affines`` and
    ``cell`` of a task document, in depth-first order.  Where the holes fall depends on the
    clock, the subtree they describe does not.

    With ``verify`` (the default) every piece is replayed in the exact simulator (InternalError on
    a mismatch).  Bad input raises InvalidInput, an undecided LP question
    :class:`~verisnn.solvers.lp.LPUndecided`.
    """
    walk, cell = _walk_of(doc)
    seconds = doc.get("seconds")
    stop = None if seconds is None else time.monotonic() + float(seconds)  # timing
    walk.oracle.push(cell.constraints)
    codec = Codec(walk.n)
    count: dict = {"pieces": 0, "holes": [], "splits": bool(doc.get("splits", True))}
    with collector_paused():  # as in enumerate_regions
        tree = _walk_json(walk, codec, cell, bool(doc.get("verify", True)), stop, count, root=True)
    return {"affines": codec.table(), "tree": tree, "pieces": count["pieces"], "holes": count["holes"],
            "lp_checks": walk.oracle.checks}


def _walk_json(walk: Walk, codec: Codec, cell: Cell, verify: bool, stop: float | None, count: dict,
               root: bool = False) -> dict:
    """:meth:`Walk.walk` below ``cell``, written as :func:`walk_subtree`'s JSON as it goes."""
    point = [fmt(v) for v in cell.point]
    if cell.k == len(walk.units):
        if verify:
            r = walk.leaf(cell)
            check_point(walk.net, r.pattern, r.outputs, r.point, r.x)
        count["pieces"] += 1
        return {"point": point}
    if not root and stop is not None and time.monotonic() > stop:
        own = Codec(walk.n)  # the hole's cell as a task's, so that the driver can send it on at once
        encoded = own.cell(cell)
        count["holes"].append({"affines": own.table(), "cell": encoded})
        return {"hole": 1, "point": point}
    tree, children = walk.split(cell)
    entries = []
    for child in children:
        if child.k == len(walk.units):  # a piece asks the LP nothing: no push
            entries.append(codec.child(cell, child, _walk_json(walk, codec, child, verify, stop, count)))
            continue
        walk.oracle.push(child.constraints[len(cell.constraints):])
        entries.append(codec.child(cell, child, _walk_json(walk, codec, child, verify, stop, count)))
        walk.oracle.pop()
    return {"split": codec.split(tree) if count["splits"] else None, "children": entries}


def number_pieces(tree: dict, leaves: list[Region]) -> None:
    """Number the ``{"piece": Region}`` leaves of ``tree`` in depth-first order, appending the regions to ``leaves``."""
    work = [tree]
    while work:
        node = work.pop()
        if "piece" in node:
            leaves.append(node["piece"])
            node["piece"] = len(leaves) - 1
        else:
            work.extend(reversed(node["children"]))


def frontier(walk: Walk, width: int) -> tuple[dict, list[tuple[Cell, dict]]]:
    """Split level by level from the root until a level has ``width`` cells or every unit is processed.

    Returns the top of the tree and the cells of the last level, left to right, each with the
    empty node of the tree it fills.
    """
    top: dict = {}
    level = [(walk.root(), top)]
    while len(level) < width and level[0][0].k < len(walk.units):
        below = []
        for cell, slot in level:
            walk.oracle.push(cell.constraints)
            tree, children = walk.split(cell)
            walk.oracle.pop()
            slots: list[dict] = [{} for _ in children]
            slot.update(walk.node(cell, tree, slots))
            below += zip(children, slots)
        level = below
    return top, level


def distributed_walk(walk: Walk, leaves: list[Region], distribute: Distribute, width: int, lp: str,
                     timeout: float | None, verify: bool = True, seconds: float | None = TASK_SECONDS,
                     splits: bool = True) -> tuple[dict, int]:
    """The whole tree, its subtrees below a frontier of ``width`` cells walked by ``distribute``; (tree, LP checks).

    Every task walks for about ``seconds`` and leaves the rest of its subtree as holes, which
    become new tasks (so a large subtree is spread over the workers while it is walked).  The
    answers are put back in their places, and the pieces are numbered in depth-first order and
    appended to ``leaves``, as :meth:`Walk.walk` does.  With ``verify`` every task has replayed
    its pieces.  Without ``splits`` the tasks send no split trees and the tree's ``split``
    entries below the frontier are None (the map then has no tree to certify).
    """
    top, level = frontier(walk, max(1, width))
    cells = [cell for cell, _ in level]
    slots = [slot for _, slot in level]
    checks = [walk.oracle.checks]
    tasks = [subtree_task(walk, cell, lp, timeout, verify, seconds, splits) for cell in cells]

    def answer(i: int, result: Mapping[str, Any]) -> Iterator[dict]:
        """The holes of task ``i`` as new tasks first (they go out at once), then its subtree in its place."""
        for hole in result["holes"]:
            yield {**tasks[0], "affines": hole["affines"], "cell": hole["cell"]}
        codec = Codec(walk.n, InternalError, result["affines"])
        holes: list[tuple[Cell, dict]] = []
        slots[i].update(codec.read_subtree(result["tree"], cells[i], walk, holes))
        if len(holes) != len(result["holes"]):
            raise InternalError(f"a subtree task sent {len(result['holes'])} holes but its tree has {len(holes)}")
        checks[0] += int(result["lp_checks"])
        cells.extend(cell for cell, _ in holes)  # task numbers go on in the order of the holes
        slots.extend(slot for _, slot in holes)

    distribute(tasks, answer)
    number_pieces(top, leaves)
    return top, checks[0]


__all__ = ["SUBTREE_FORMAT", "TASK_SECONDS", "Codec", "Distribute", "distributed_walk", "frontier", "number_pieces",
           "subtree_task", "walk_subtree"]
