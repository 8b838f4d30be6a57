"""Region certificates: the split tree of an enumeration as a JSON proof of its count (docs/regions.md).

Format ``verisnn.regions-cert/1`` (and ``verisnn.pwl-cert/1``, the same content read as a proof that
the network's map is piecewise linear with these pieces, written by claim C2)::

    {"format": ..., "network": {file format}, "domain": {"lo": [...], "hi": [...]} | null,
     "variables": [...], "count": N, "pieces": [piece, ...], "tree": node}

Numbers are exact strings (``"3"``, ``"-1/2"``); an affine function of the free variables is the
list ``[c0, c1, ..., cn]`` meaning ``c0 + c1*s1 + ...``; a constraint ``g`` means ``g > 0``.

* ``node`` is a cell of the enumeration: ``{"unit": u, "cell": [g, ...], "split": split,
  "children": [node, ...]}`` (unit ``u``, a neuron or ``[layer, index]`` of a ReLU unit, is split
  in the cell), or ``{"piece": k}`` once every unit is processed (the cell is piece ``k``'s).
* ``split`` is ``{"h": g, "pos": split, "neg": split}`` (the parts ``g > 0`` and ``g < 0``),
  ``{"child": j}`` (the part lies inside child cell ``j``: its constraints contain the child's), or
  ``{"empty": [[i, lambda_i], ...]}``: Farkas multipliers over the part's constraints, listed as
  the domain's bounds, then the cell's constraints, then the signed split hyperplanes from the
  root of the split.
* a piece is ``{"pattern": ..., "constraints": [g, ...], "point": [...], "outputs": [affine |
  null], "times": [affine | null] (spiking networks: every neuron in order), "conditions": [[cond,
  ...] per unit]}``; a condition is ``{"g": affine, "strict": bool, "const": c, "lambda": [[i, l],
  ...]}`` (for a ReLU unit ``g`` is its pre-activation if active, minus it if not) with ``g = c + sum l * constraint_i`` over the domain's bounds followed by the piece's
  constraints (``c >= 0``, ``l >= 0``).

No timings or other unchecked data are written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from verisnn.analyses.regions.farkas import farkas
from verisnn.analyses.regions.lp import LP_BACKENDS, open_lp
from verisnn.analyses.regions.maps import Region, RegionMap
from verisnn.checker import NotCertificate, StepFailed, check_certificate
from verisnn.core import affine as af
from verisnn.core.affine import Affine
from verisnn.core.collect import collector_paused
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.numbers import fmt
from verisnn.core.results import Result, Verdict
from verisnn.io import network_to_json, relu_to_json, write_text
from verisnn.io.files import make_directory

REGIONS_FORMAT = "verisnn.regions-cert/1"
PWL_FORMAT = "verisnn.pwl-cert/1"
PART_FORMAT = "verisnn.regions-part/1"

#: a certificate of more pieces is written in parts (:func:`write_certificate`), each of at most this many
PART_PIECES = 5000


class _Texts:
    """Affines as lists of exact strings, each object formatted once (a cell repeats its parent's constraints)."""

    def __init__(self) -> None:
        self._cache = af.ByIdentity(lambda a: tuple(fmt(c) for c in a))

    def __call__(self, a: Affine | None) -> list[str] | None:
        return None if a is None else list(self._cache(a))


def _pattern(net: Network | ReluNetwork, pattern: tuple) -> list[Any]:
    if isinstance(net, ReluNetwork):
        return [bool(b) for b in pattern]
    return [None if act is None else {"causal": list(act.causal), "pieces": list(act.pieces), "jump": act.jump}
            for act in pattern]


def _positive_linear(net: Network, v: str, times: dict[str, Affine | None]) -> bool:
    arriving = [s for s in net.incoming[v] if times[s.source] is not None]
    return bool(arriving) and all(s.weight > 0 and net.kernel_of(s).is_linear for s in arriving)


def _conditions_snn(net: Network, v: str, act: Any, times: dict[str, Affine | None], path: Sequence[Affine]
                    ) -> list[tuple[Affine, bool]]:
    """The causal conditions of neuron ``v`` on the piece: order-free ones for positive linear neurons."""
    if not _positive_linear(net, v, times):
        return [(g, True) for g in path]
    tv = times[v]
    out = []
    for i, s in enumerate(net.incoming[v]):
        src = times[s.source]
        if src is None:
            continue
        a = af.shift(src, s.delay)
        out.append((af.sub(tv, a), True) if i in act.causal else (af.sub(a, tv), False))  # type: ignore[arg-type]
    return out


def _multipliers(g: Affine, strict: bool, all_cons: Sequence[Affine], where: dict[tuple[int, ...], int],
                 text: _Texts) -> dict[str, Any]:
    """``g = c + l * constraint_i``: a positive constant, or a positive multiple of one constraint."""
    if af.is_const(g):
        if g[0] < 0 or (strict and g[0] == 0):
            raise InternalError("a causal condition is a false constant")
        return {"g": text(g), "strict": strict, "const": fmt(g[0]), "lambda": []}
    k = where.get(af.key(af.normalize(g)))
    if k is None:
        raise InternalError("a causal condition is not among its piece's constraints")
    # constraint k equals normalize(g) = g / |c| (c: g's first nonzero linear coefficient), so g = |c| * it
    scale = abs(next(c for c in g[1:] if c))
    return {"g": text(g), "strict": strict, "const": "0", "lambda": [[k, fmt(scale)]]}


def _piece(rm: RegionMap, r: Region, text: _Texts) -> dict[str, Any]:
    net = rm.network
    all_cons = list(rm.space.bounds) + list(r.constraints)
    where = {af.key(g): i for i, g in reversed(list(enumerate(all_cons)))}
    conditions = []
    doc: dict[str, Any] = {"pattern": _pattern(net, r.pattern), "constraints": [text(g) for g in r.constraints],
                           "point": [fmt(v) for v in r.point], "outputs": [text(a) for a in r.outputs]}
    if isinstance(net, Network):
        times: dict[str, Affine | None] = {name: a for name, a in zip(net.inputs, rm.space.inputs)}
        n = rm.space.dimension
        times.update({ref.name: af.const(ref.time, n) for ref in net.references})
        for v, act, (value, path) in zip(net.order, r.pattern, r.steps):
            times[v] = value
            conds = [] if act is None and not path else _conditions_snn(net, v, act, times, path)
            conditions.append([_multipliers(g, strict, all_cons, where, text) for g, strict in conds])
        doc["times"] = [text(times[v]) for v in net.order]
    else:
        n = rm.space.dimension
        values = list(rm.space.inputs)
        k = 0
        for layer in net.layers[:-1]:
            current = []
            for row, bias in zip(layer.weights, layer.bias):
                z = af.shift(af.combine(zip(row, values), n), bias)
                active = bool(r.pattern[k])
                g = z if active else af.neg(z)
                conditions.append([] if af.is_const(z) else [_multipliers(g, True, all_cons, where, text)])
                current.append(z if active else af.const(Fraction(0), n))
                k += 1
            values = current
    doc["conditions"] = conditions
    return doc


def _split(node: dict, base: list[Affine], session: Any, text: _Texts) -> dict[str, Any]:
    """One cell's split tree; each empty part gets multipliers over ``base + part`` (iteratively: trees are deep)."""
    out: dict[str, Any] = {}
    work = [(node, out)]
    while work:
        here, into = work.pop()
        if "child" in here:
            into["child"] = here["child"]
        elif "empty" in here:
            part = list(here["empty"])
            found = session.infeasibility(part)  # checked exactly by the LP layer, over the session's constraints
            lam = None if found is None else found.strict
            if lam is None:
                lam = farkas(base + part)  # exact simplex: the LP backend found no certificate
            if lam is None:
                raise InternalError("an empty part of the split tree has no Farkas certificate")
            into["empty"] = [[i, fmt(v)] for i, v in enumerate(lam) if v]
        else:
            into["h"], into["pos"], into["neg"] = text(here["split"]), {}, {}
            work.append((here["pos"], into["pos"]))
            work.append((here["neg"], into["neg"]))
    return out


def _tree(rm: RegionMap, node: dict, lp: str, text: _Texts, session: Any = None, pushed: tuple[Affine, ...] = (),
          part: Callable[[dict], dict | None] | None = None) -> dict[str, Any]:
    """The certificate tree below ``node``.

    One LP session serves the whole walk: each cell pushes the constraints it adds to its
    parent's cell (``pushed``, asserted in ``session``).  A cell that does not extend its parent's
    gets a session of its own.  ``part(child)``, if given, may answer a child cell with the
    reference to a part file that holds its subtree (see :func:`write_certificate`).
    """
    if "piece" in node:
        return {"piece": node["piece"]}
    unit = node["unit"]
    cell = tuple(node["cell"])
    if session is None or cell[:len(pushed)] != pushed:
        session, pushed = open_lp(rm.space.names, list(rm.space.bounds), lp), ()
    session.push(cell[len(pushed):])
    try:
        base = list(rm.space.bounds) + list(cell)
        if session.asserted() != base:  # the LP layer's Farkas certificates are over its own constraints
            raise InternalError("the certificate's LP session does not hold the cell's constraints")
        split = _split(node["split"], base, session, text)
        children = []
        for c in node["children"]:
            ref = None if part is None else part(c)
            children.append(ref if ref is not None else _tree(rm, c, lp, text, session, cell, part))
        return {"unit": list(unit) if isinstance(unit, tuple) else unit, "cell": [text(g) for g in cell],
                "split": split, "children": children}
    finally:
        session.pop()


def certificate(rm: RegionMap, kind: str = REGIONS_FORMAT, lp: str = LP_BACKENDS[0]) -> dict[str, Any]:
    """The certificate of a region map straight from :func:`enumerate_regions` (not minimised).

    The domain must be a box or all of ``Q^d`` (segments and hyperplanes have no file form).  The
    Farkas certificates of empty parts come from the LP backend ``lp`` (checked exactly), or from an
    exact rational simplex when the backend gives none that checks.
    """
    if rm.tree is None:
        raise InvalidInput("this region map has no split tree (minimised maps cannot be certified)")
    with collector_paused():
        return _certificate(rm, kind, lp)


def _certificate(rm: RegionMap, kind: str, lp: str) -> dict[str, Any]:
    texts = _Texts()
    doc = _header(rm, kind)
    doc["pieces"] = [_piece(rm, r, texts) for r in rm.regions]
    doc["tree"] = _tree(rm, rm.tree, lp, texts)  # type: ignore[arg-type]
    return doc


def _header(rm: RegionMap, kind: str) -> dict[str, Any]:
    """A certificate's keys in order, up to its pieces and tree (filled in by the caller)."""
    space = rm.space
    if space.box is None and space.bounds:
        raise InvalidInput(f"certificates are written for boxes and Q^d, not for {space.description}")
    net = rm.network
    domain = None if space.box is None else {"lo": [fmt(v) for v in space.box.lo],
                                             "hi": [fmt(v) for v in space.box.hi]}
    return {"format": kind, "network": relu_to_json(net) if isinstance(net, ReluNetwork) else network_to_json(net),
            "domain": domain, "variables": list(space.names), "count": rm.count, "pieces": [], "tree": None}


def _dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":")) + "\n"  # no indentation: a deep tree would be mostly spaces


def write_certificate(rm: RegionMap, path: str | Path, kind: str = REGIONS_FORMAT, lp: str = LP_BACKENDS[0],
                      part_pieces: int | None = None, progress: Callable[[int], None] | None = None,
                      jobs: int = 1) -> Path:
    """Write :func:`certificate` as JSON to ``path``; in parts above ``part_pieces`` pieces (default :data:`PART_PIECES`).

    A certificate in parts is ``path`` (the top of the tree, with the usual keys) and the folder
    ``<stem>.parts`` next to it: each subtree of at most ``part_pieces`` pieces is the file
    ``<stem>.parts/NNNNN.json`` (format ``verisnn.regions-part/1``: ``level``, its own
    ``pieces`` and ``tree``), referred to in its parent's place as ``{"part": name, "cell": [g, ...]}``.
    Each part is written and dropped before the next is built, so the memory needed is that of
    one part (per job).  With ``jobs > 1`` that many worker processes, forked from this one, write
    the parts at once; the files are the same bytes as with one job (every part is built in an
    LP session of its own either way).  ``progress(pieces)`` is told the pieces written so far.
    """
    if rm.tree is None:
        raise InvalidInput("this region map has no split tree (minimised maps cannot be certified)")
    if parts_folder(rm, path, part_pieces) is None:
        return write_text(path, _dumps(certificate(rm, kind, lp)), "certificate")
    with collector_paused():
        return _write_parts(rm, Path(path), kind, lp, PART_PIECES if part_pieces is None else part_pieces, progress,
                            jobs)


def parts_folder(rm: RegionMap, path: str | Path, part_pieces: int | None = None) -> Path | None:
    """The folder :func:`write_certificate` writes the parts of ``rm``'s certificate to, None for one file."""
    if rm.pieces <= (PART_PIECES if part_pieces is None else part_pieces):
        return None
    path = Path(path)
    return path.with_name(path.stem + ".parts")


def _part_roots(tree: dict, sizes: dict[int, int], limit: int) -> list[dict]:
    """The cells written as parts, in the order :func:`_tree` meets them: the children, depth first, of at most
    ``limit`` pieces whose ancestors below the root are larger (iteratively: trees are deep)."""
    roots: list[dict] = []
    work = list(reversed(tree.get("children", [])))
    while work:
        node = work.pop()
        if "piece" in node:
            continue
        if sizes[id(node)] <= limit:
            roots.append(node)
        else:
            work.extend(reversed(node["children"]))
    return roots


def _write_part(rm: RegionMap, node: dict, lp: str, level: int, file: Path) -> int:
    """One part file: the subtree below ``node`` and its pieces (numbered from 0); returns the number of pieces."""
    texts = _Texts()
    tree = _tree(rm, node, lp, texts)
    pieces = _numbered(rm, tree, texts)
    write_text(file, _dumps({"format": PART_FORMAT, "level": level, "pieces": pieces, "tree": tree}),
               "certificate part")
    return len(pieces)


_FORKED: dict[str, Any] = {}  # what forked part writers read: set before the pool starts, inherited by its workers


def _forked_part(k: int) -> int:
    job = _FORKED
    return _write_part(job["rm"], job["roots"][k], job["lp"], job["levels"][k], job["files"][k])


def _write_parts(rm: RegionMap, path: Path, kind: str, lp: str, limit: int,
                 progress: Callable[[int], None] | None, jobs: int = 1) -> Path:
    if not path.parent.is_dir():  # the parts' folder would be made with its parents, the top file not
        raise InvalidInput(f"cannot write the certificate {str(path)!r}: no folder {str(path.parent)!r}")
    folder = make_directory(parts_folder(rm, path, limit), "certificate parts folder")  # type: ignore[arg-type]
    sizes = _piece_counts(rm.tree)  # type: ignore[arg-type]
    units = {u: k for k, u in enumerate(_units(rm.network))}
    roots = _part_roots(rm.tree, sizes, limit)  # type: ignore[arg-type]
    names = [f"{folder.name}/{k:05d}.json" for k in range(1, len(roots) + 1)]
    levels = [units[node["unit"]] for node in roots]
    files = [path.parent / name for name in names]
    number = {id(node): k for k, node in enumerate(roots)}
    texts = _Texts()
    written = [0]  # pieces

    def wrote(pieces: int) -> None:
        written[0] += pieces
        if progress is not None:
            progress(written[0])

    def part(node: dict) -> dict | None:
        k = number.get(id(node))
        if k is None:
            return None
        if jobs <= 1:
            wrote(_write_part(rm, node, lp, levels[k], files[k]))
        return {"part": names[k], "cell": [texts(g) for g in node["cell"]]}

    def top() -> dict[str, Any]:
        doc = _header(rm, kind)
        doc["tree"] = _tree(rm, rm.tree, lp, texts, part=part)  # type: ignore[arg-type]
        doc["pieces"] = _numbered(rm, doc["tree"], texts)
        return doc

    doc = top() if jobs <= 1 else _forked_parts(rm, lp, roots, levels, files, jobs, wrote, top)
    return write_text(path, _dumps(doc), "certificate")  # last: no top file without its parts


def _forked_parts(rm: RegionMap, lp: str, roots: list[dict], levels: list[int], files: list[Path], jobs: int,
                  wrote: Callable[[int], None], top: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The parts written by ``jobs`` forked workers while this process builds the top file (``top()``, returned).

    Each part gets a process of its own, forked from this one: it shares the region map instead of
    unpickling a copy, and it exits after its part, so the pages of the map that it touched (reference
    counts are writes) are not kept copied for the rest of the run.
    """
    import multiprocessing

    _FORKED.update(rm=rm, roots=roots, lp=lp, levels=levels, files=files)
    try:
        pool = multiprocessing.get_context("fork").Pool(min(jobs, max(len(roots), 1)), maxtasksperchild=1)
        try:
            results = pool.imap_unordered(_forked_part, range(len(roots)), chunksize=1)
            doc = top()
            for pieces in results:  # a worker's exception (InvalidInput, InternalError) is raised here
                wrote(pieces)
            return doc
        finally:
            pool.terminate()
            pool.join()
    finally:
        _FORKED.clear()


def _units(net: Network | ReluNetwork) -> list[Any]:
    if isinstance(net, ReluNetwork):
        return [(li, i) for li, layer in enumerate(net.layers[:-1]) for i in range(len(layer.weights))]
    return list(net.order)


def _piece_counts(tree: dict) -> dict[int, int]:
    """The number of pieces below every node of a split tree, by the node's id (iteratively: trees are deep)."""
    counts: dict[int, int] = {}
    work: list[tuple[dict, bool]] = [(tree, False)]
    while work:
        node, done = work.pop()
        if "piece" in node:
            counts[id(node)] = 1
        elif done:
            counts[id(node)] = sum(counts[id(c)] for c in node["children"])
        else:
            work.append((node, True))
            work.extend((c, False) for c in node["children"])
    return counts


def _numbered(rm: RegionMap, tree: dict[str, Any], texts: _Texts) -> list[dict[str, Any]]:
    """The pieces of a certificate tree (not those of its parts), renumbered from 0 in depth-first order."""
    pieces: list[dict[str, Any]] = []
    work = [tree]
    while work:
        node = work.pop()
        if "piece" in node:
            pieces.append(_piece(rm, rm.regions[node["piece"]], texts))
            node["piece"] = len(pieces) - 1
        elif "children" in node:
            work.extend(reversed(node["children"]))
    return pieces


def certify(rm: RegionMap, kind: str = REGIONS_FORMAT, path: str | Path | None = None) -> Result:
    """Write the certificate (to ``path`` if given) and check it with the independent checker.

    PROVED when the checker accepts the file's text (``details``: ``count``, ``pieces``, and
    ``certificate``, the path if written); UNKNOWN naming the failed step otherwise (a bug: the
    count is then not reported as proved).
    """
    import time

    t0 = time.perf_counter()
    text = _dumps(certificate(rm, kind))
    if path is not None:
        write_text(path, text, "certificate")
    try:
        got = check_certificate(json.loads(text))
    except (StepFailed, NotCertificate) as exc:
        return Result("certificate", Verdict.UNKNOWN, time.perf_counter() - t0, reason=f"certificate rejected: {exc}")
    details: dict[str, Any] = {"count": got.count, "pieces": got.pieces, "derived": got.derived,
                               "replayed": got.replayed}
    if path is not None:
        details["certificate"] = str(path)
    return Result("certificate", Verdict.PROVED, time.perf_counter() - t0,
                  reason=f"certificate checked ({got.count} patterns, {got.pieces} pieces)", details=details)
