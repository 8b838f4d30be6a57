"""The independent checker of region certificates (``verisnn.regions-cert/1``, ``verisnn.pwl-cert/1``).

It imports no solver, no encoder and no analysis: only exact arithmetic, the network model and
file format, and the exact simulator.  The format is described in docs/regions.md.  Steps:

1. the network and the domain are read from the file (the domain's open bounds are rebuilt);
2. the tree: every cell's split is a binary tree of hyperplanes whose leaves are either inside a
   child cell (the leaf's constraints contain the child's) or empty (Farkas multipliers
   ``lambda >= 0``, ``sum lambda a = 0``, ``sum lambda b <= 0``, checked exactly); cells of the
   last level are pieces, each listed once.  So the closures of the pieces cover the domain;
3. every piece: its point lies strictly inside it; the exact simulator at that point gives the
   piece's pattern, outputs and firing times; every causal condition is ``const + sum lambda_i
   c_i`` of the piece's constraints.  For a positive linear neuron (and a ReLU unit) the checker
   derives the conditions itself from the pattern, so the pattern is constant on the whole open
   piece; for other neurons it checks the listed conditions of the sweep path and the replay;
4. the number of distinct patterns equals ``count``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verisnn.checker.reading import (
    Affine,
    Key,
    NotCertificate,
    Row,
    Rows,
    StepFailed,
    affine,
    combine,
    evaluate,
    half_space,
    index,
    integer_form,
    items,
    keyed,
    number,
    obj,
    optional_affine,
    positive_at,
    same,
)
from verisnn.core.errors import VerisnnError
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.numbers import is_finite
from verisnn.io import network_from_json, relu_from_json
from verisnn.semantics.simulate import Activation, simulate

REGIONS_FORMAT = "verisnn.regions-cert/1"
PWL_FORMAT = "verisnn.pwl-cert/1"
FORMATS = (REGIONS_FORMAT, PWL_FORMAT)
TOP_KEYS = ("format", "network", "domain", "variables", "count", "pieces", "tree")
ZERO = Fraction(0)


@dataclass(frozen=True)
class Checked:
    """What a certificate proved: its format, count, pieces, domain, and how many neuron-pieces were derived."""

    format: str
    count: int
    pieces: int
    domain: str
    derived: int  # (piece, unit) pairs whose conditions the checker derived itself (so constant on the piece)
    replayed: int  # (piece, unit) pairs checked by their listed conditions and the replay at the point only


def _const(c: Fraction, n: int) -> Affine:
    return (c,) + (ZERO,) * n


def _var(i: int, n: int) -> Affine:
    return (ZERO,) + tuple(Fraction(1 if j == i else 0) for j in range(n))


def _add(a: Affine, b: Affine) -> Affine:
    return tuple(x + y for x, y in zip(a, b))


def _scale(a: Affine, c: Fraction) -> Affine:
    return tuple(x * c for x in a)


class _Domain:
    def __init__(self, doc: Any, net: Network | ReluNetwork, variables: Any) -> None:
        names = list(net.inputs) if isinstance(net, Network) else [f"x{j}" for j in range(net.dimension)]
        d = len(names)
        if doc is None:
            self.names, self.description = names, f"Q^{d}"
            self.inputs = [_var(j, d) for j in range(d)]
            self.bounds: list[Affine] = []
        else:
            box = obj(doc, ("lo", "hi"), "domain")
            lo = [number(v, "domain lo") for v in items(box["lo"], "domain lo")]
            hi = [number(v, "domain hi") for v in items(box["hi"], "domain hi")]
            if len(lo) != d or len(hi) != d or any(a > b for a, b in zip(lo, hi)):
                raise StepFailed(f"domain: needs {d} intervals lo <= hi")
            free = [j for j in range(d) if lo[j] < hi[j]]
            n = len(free)
            self.names = [names[j] for j in free]
            self.inputs = [_var(free.index(j), n) if j in free else _const(lo[j], n) for j in range(d)]
            self.bounds = []
            for k, j in enumerate(free):
                self.bounds.append(_add(_var(k, n), _const(-lo[j], n)))
                self.bounds.append(_add(_scale(_var(k, n), Fraction(-1)), _const(hi[j], n)))
            self.description = ",".join(f"{a}:{b}" for a, b in zip(lo, hi))
        if variables != self.names:
            raise StepFailed(f"domain: variables must be {self.names}")
        self.n = len(self.names)


def _farkas(cons: Sequence[Affine], lam: Any, where: str, rows: Rows) -> None:
    pairs = items(lam, where)
    if not pairs or not cons:
        raise StepFailed(f"{where}: no multipliers")
    terms = []
    for k, pair in enumerate(pairs):
        if not isinstance(pair, list) or len(pair) != 2:
            raise StepFailed(f"{where}: multiplier {k} is not [index, value]")
        i = index(pair[0], len(cons), f"{where} multiplier {k}")
        v = number(pair[1], f"{where} multiplier {k}")
        if v <= 0:
            raise StepFailed(f"{where}: multiplier {k} is not positive")
        terms.append((v, rows(cons[i])))
    _, total = combine(terms, len(cons[0]))  # sum v * cons[i], times a positive denominator
    if any(total[1:]) or total[0] > 0:
        raise StepFailed(f"{where}: the multipliers do not prove the part empty")


def _check_split(split: Any, base: list[Affine], base_keys: set[Key], children: list[frozenset], n: int,
                 where: str, rows: Rows) -> None:
    """Every leaf of one cell's split is empty (Farkas) or contains a child cell's constraints (by half-space keys)."""
    work: list[tuple[Any, list[Affine], list[Key]]] = [(split, [], [])]
    while work:
        node, path, keys = work.pop()
        here = f"{where} split at depth {len(path)}"
        if isinstance(node, Mapping) and "h" in node:
            obj(node, ("h", "pos", "neg"), here)
            h, pos, neg = half_space(node["h"], n, here + " h")
            if not any(h[1:]):
                raise StepFailed(f"{here}: split by a constant")
            work.append((node["pos"], path + [h], keys + [pos]))
            work.append((node["neg"], path + [rows.negated(h)], keys + [neg]))
        elif isinstance(node, Mapping) and "empty" in node:
            obj(node, ("empty",), here)
            _farkas(base + path, node["empty"], here + " (empty part)", rows)
        elif isinstance(node, Mapping) and "child" in node:
            obj(node, ("child",), here)
            j = index(node["child"], len(children), here + " child")
            if not children[j] <= base_keys.union(keys):
                raise StepFailed(f"{here}: the part is not inside child cell {j}")
        else:
            raise StepFailed(f"{here}: expected a split, an empty part or a child")


def _activation(doc: Any, where: str) -> Activation | None:
    if doc is None:
        return None
    a = obj(doc, ("causal", "pieces", "jump"), where)
    causal = tuple(index(i, 10 ** 9, where) for i in items(a["causal"], where))
    pieces = tuple(index(i, 10 ** 9, where) for i in items(a["pieces"], where))
    if not isinstance(a["jump"], bool):
        raise StepFailed(f"{where}: jump must be true or false")
    return Activation(causal, pieces, a["jump"])


def _conditions(doc: Any, all_cons: list[Affine], n: int, where: str, rows: Rows) -> list[tuple[Affine, bool]]:
    """Each listed condition follows from the constraints; returns them as (g, strict)."""
    out = []
    one = (1, [1] + [0] * n)
    for k, c in enumerate(items(doc, where)):
        here = f"{where} condition {k}"
        c = obj(c, ("g", "strict", "const", "lambda"), here)
        g = affine(c["g"], n, here)
        strict = c["strict"]
        if not isinstance(strict, bool):
            raise StepFailed(f"{here}: strict must be true or false")
        const = number(c["const"], here + " const")
        terms = [(const, one)]
        positive = const > 0
        for pair in items(c["lambda"], here):
            if not isinstance(pair, list) or len(pair) != 2:
                raise StepFailed(f"{here}: a multiplier is not [index, value]")
            i = index(pair[0], len(all_cons), here)
            v = number(pair[1], here)
            if v < 0:
                raise StepFailed(f"{here}: negative multiplier")
            positive = positive or v > 0
            terms.append((v, rows(all_cons[i])))
        if const < 0 or not same(combine(terms, n + 1), rows(g)) or (strict and not positive):
            raise StepFailed(f"{here}: does not follow from the piece's constraints")
        out.append((g, strict))
    return out


def _shifted(a: Affine, delay: Fraction) -> Affine:
    return (a[0] + delay,) + a[1:] if delay else a


def _difference(g: Row, t: Row, a: Row, causal: bool) -> bool:
    """``g == t - a`` (causal) or ``g == a - t``, in integers: ``t - a = (nt * da - na * dt) / (dt * da)``."""
    dg, ng = g
    dt, nt = t
    da, na = a
    sign = 1 if causal else -1
    return all(x * dt * da == sign * (y * da - z * dt) * dg for x, y, z in zip(ng, nt, na))


def _positive_linear(net: Network, v: str, times: Mapping[str, Affine | None]) -> bool:
    arriving = [s for s in net.incoming[v] if times[s.source] is not None]
    return bool(arriving) and all(s.weight > 0 and net.kernel_of(s).is_linear for s in arriving)


def _check_snn_piece(net: Network, dom: _Domain, doc: Mapping[str, Any], all_cons: list[Affine],
                     point: tuple[Fraction, ...], where: str, rows: Rows) -> tuple[tuple, int, int]:
    n = dom.n
    pattern = tuple(_activation(a, f"{where} pattern") for a in items(doc["pattern"], f"{where} pattern"))
    times_doc = items(doc["times"], f"{where} times")
    conds_doc = items(doc["conditions"], f"{where} conditions")
    if len(pattern) != len(net.order) or len(times_doc) != len(net.order) or len(conds_doc) != len(net.order):
        raise StepFailed(f"{where}: pattern, times and conditions need one entry per neuron")
    x = [evaluate(a, point) for a in dom.inputs]
    sim = simulate(net, x)
    if sim.pattern != pattern:
        raise StepFailed(f"{where}: the exact simulator gives another pattern at the piece's point")
    times: dict[str, Affine | None] = {name: a for name, a in zip(net.inputs, dom.inputs)}
    times.update({r.name: _const(r.time, n) for r in net.references})
    derived = replayed = 0
    known = set(net.inputs) | {r.name for r in net.references}  # nodes whose affine times are derived
    for k, (v, act) in enumerate(zip(net.order, pattern)):
        here = f"{where} neuron {v}"
        listed = _conditions(conds_doc[k], all_cons, n, here, rows)
        claimed = optional_affine(times_doc[k], n, here + " time")
        sources_known = all(s.source in known for s in net.incoming[v])
        if not any(times[s.source] is not None for s in net.incoming[v]):
            if act is not None or claimed is not None or listed:
                raise StepFailed(f"{here}: a neuron without arriving spikes is silent")
            if sources_known:
                known.add(v)
            derived += 1
        elif _positive_linear(net, v, times):
            if net.thresholds[v] <= 0:
                raise StepFailed(f"{here}: threshold must be positive")
            if act is None or not act.causal or any(act.pieces) or act.jump:
                raise StepFailed(f"{here}: a positive linear neuron fires, at a causal set, without jumps")
            arrivals = {i: _shifted(times[s.source], s.delay)  # type: ignore[arg-type]
                        for i, s in enumerate(net.incoming[v]) if times[s.source] is not None}
            if not set(act.causal) <= set(arrivals):
                raise StepFailed(f"{here}: a causal synapse carries no spike")
            # t_C = (theta + sum_{i in C} w_i a_i) / w_C; its conditions are t_C - a_i > 0 (i in C), a_i - t_C >= 0
            w = sum((net.incoming[v][i].weight for i in act.causal), ZERO)
            tv = combine([(net.thresholds[v] / w, (1, [1] + [0] * n))]
                         + [(net.incoming[v][i].weight / w, rows(arrivals[i])) for i in act.causal], n + 1)
            if len(listed) != len(arrivals) or not all(
                    strict == (i in act.causal) and _difference(rows(g), tv, rows(a), strict)
                    for (g, strict), (i, a) in zip(listed, arrivals.items())):
                raise StepFailed(f"{here}: the causal conditions are not those of its causal set")
            if claimed is None or not same(rows(claimed), tv):
                raise StepFailed(f"{here}: the firing time is not the causal set's affine time")
            if sources_known:
                known.add(v)
                derived += 1
            else:
                replayed += 1
        else:
            if net.thresholds[v] <= 0:
                raise StepFailed(f"{here}: threshold must be positive")
            replayed += 1
        t = sim.times[v]
        if (claimed is None) != (not is_finite(t)) or (claimed is not None and evaluate(claimed, point) != t):
            raise StepFailed(f"{here}: the firing time differs from the exact simulator at the piece's point")
        times[v] = claimed
    outputs = items(doc["outputs"], f"{where} outputs")
    if len(outputs) != len(net.outputs):
        raise StepFailed(f"{where}: one output map per output")
    for o, a in zip(net.outputs, outputs):
        if optional_affine(a, n, f"{where} output {o}") != times[o]:
            raise StepFailed(f"{where}: output {o}'s map is not its firing time")
    return pattern, derived, replayed


def _check_relu_piece(net: ReluNetwork, dom: _Domain, doc: Mapping[str, Any], all_cons: list[Affine],
                      point: tuple[Fraction, ...], where: str, rows: Rows) -> tuple[tuple, int, int]:
    n = dom.n
    pattern_doc = items(doc["pattern"], f"{where} pattern")
    if not all(isinstance(b, bool) for b in pattern_doc):
        raise StepFailed(f"{where}: a ReLU pattern is a list of true/false")
    conds_doc = items(doc["conditions"], f"{where} conditions")
    units = sum(len(layer.weights) for layer in net.layers[:-1])
    if len(pattern_doc) != units or len(conds_doc) != units:
        raise StepFailed(f"{where}: pattern and conditions need one entry per hidden unit")
    values = list(dom.inputs)
    k = 0
    for layer in net.layers[:-1]:
        current = []
        for row, bias in zip(layer.weights, layer.bias):
            z = _const(bias, n)
            for wgt, a in zip(row, values):
                z = _add(z, _scale(a, wgt))
            active = pattern_doc[k]
            listed = _conditions(conds_doc[k], all_cons, n, f"{where} unit {k}", rows)
            if not any(z[1:]):
                ok = listed == [] and (z[0] > 0) == active
            else:
                ok = listed == [(z if active else _scale(z, Fraction(-1)), True)]
            if not ok:
                raise StepFailed(f"{where} unit {k}: the activation does not follow from the constraints")
            current.append(z if active else _const(ZERO, n))
            k += 1
        values = current
    last = net.layers[-1]
    want = []
    for row, bias in zip(last.weights, last.bias):
        y = _const(bias, n)
        for wgt, a in zip(row, values):
            y = _add(y, _scale(a, wgt))
        want.append(y)
    outputs = [optional_affine(a, n, f"{where} output") for a in items(doc["outputs"], f"{where} outputs")]
    if outputs != want:
        raise StepFailed(f"{where}: the output maps are not those of the activation pattern")
    x = [evaluate(a, point) for a in dom.inputs]
    if tuple(evaluate(a, point) for a in want) != net(x):
        raise StepFailed(f"{where}: the exact evaluation differs at the piece's point")
    return tuple(pattern_doc), units, 0


@dataclass(frozen=True)
class Context:
    """What every part of a certificate is checked against: the network, the domain and the units in order."""

    network: Network | ReluNetwork
    domain: _Domain
    units: list[Any]

    @property
    def is_relu(self) -> bool:
        return isinstance(self.network, ReluNetwork)


@dataclass
class Tally:
    """What a tree (and its pieces) showed: the patterns, the pieces and conditions checked, its part references."""

    patterns: set = field(default_factory=set)
    pieces: int = 0
    derived: int = 0
    replayed: int = 0
    parts: list[tuple[str, int, tuple[Affine, ...], str]] = field(default_factory=list)  # name, level, cell, where

    def add(self, other: Tally) -> None:
        self.patterns |= other.patterns
        self.pieces += other.pieces
        self.derived += other.derived
        self.replayed += other.replayed


def context(network: Any, domain: Any, variables: Any) -> Context:
    """The network and the domain as read from a certificate's keys (StepFailed if they do not read)."""
    try:
        is_relu = isinstance(network, Mapping) and network.get("format") == "verisnn.relu/1"
        net: Network | ReluNetwork = relu_from_json(network) if is_relu else network_from_json(network)
    except (VerisnnError, TypeError, ValueError, KeyError) as exc:
        raise StepFailed(f"network: {exc}") from None
    units = ([(li, i) for li, layer in enumerate(net.layers[:-1]) for i in range(len(layer.weights))]
             if isinstance(net, ReluNetwork) else list(net.order))
    return Context(net, _Domain(domain, net, variables), units)


def check_tree(ctx: Context, tree: Any, level: int, pieces_doc: Any, where: str = "") -> Tally:
    """A (sub)tree whose root is at unit ``level``, with its pieces; part references are listed, not opened."""
    n = ctx.domain.n
    units = ctx.units
    pieces = items(pieces_doc, f"{where}pieces")
    seen = [0] * len(pieces)
    tally = Tally()
    bound_keys = {keyed(g)[1] for g in ctx.domain.bounds}
    rows = Rows()
    # tree: (node, level, where); nodes of the last level are pieces
    work: list[tuple[Any, int, str]] = [(tree, level, f"{where}tree")]
    while work:
        node, level, here = work.pop()
        if level == len(units):
            obj(node, ("piece",), here)
            seen[index(node["piece"], len(pieces), here + " piece")] += 1
            continue
        node = obj(node, ("unit", "cell", "split", "children"), here)
        unit = node["unit"]
        if (list(units[level]) if isinstance(units[level], tuple) else units[level]) != unit:
            raise StepFailed(f"{here}: expected unit {units[level]}, got {unit!r}")
        read = [half_space(g, n, f"{here} cell") for g in items(node["cell"], f"{here} cell")]
        cell = [g for g, _, _ in read]
        children = items(node["children"], f"{here} children")
        child_cells = []
        for j, c in enumerate(children):
            at = f"{here}/{j}"
            if isinstance(c, Mapping) and "part" in c and level + 1 < len(units):
                c = obj(c, ("part", "cell"), at)
                got = [half_space(g, n, f"{at} cell") for g in items(c["cell"], f"{at} cell")]
                tally.parts.append((c["part"], level + 1, tuple(g for g, _, _ in got), at))
            elif isinstance(c, Mapping) and "piece" in c:
                k = index(c.get("piece"), len(pieces), f"{at} piece")
                raw = pieces[k].get("constraints") if isinstance(pieces[k], Mapping) else None
                got = [half_space(g, n, f"{where}piece {k} constraints")
                       for g in items(raw, f"{where}piece {k} constraints")]
                work.append((c, level + 1, at))
            elif isinstance(c, Mapping) and "cell" in c:
                got = [half_space(g, n, f"{at} cell") for g in items(c["cell"], f"{at} cell")]
                work.append((c, level + 1, at))
            else:
                raise StepFailed(f"{at}: expected a cell")
            child_cells.append(frozenset(key for _, key, _ in got))
        _check_split(node["split"], ctx.domain.bounds + cell, bound_keys.union(key for _, key, _ in read), child_cells,
                     n, f"{here} (unit {unit})", rows)
    if any(s != 1 for s in seen):
        k = next(i for i, s in enumerate(seen) if s != 1)
        raise StepFailed(f"{where}piece {k}: appears {seen[k]} times in the tree (needs exactly once)")
    for k, p in enumerate(pieces):
        _check_piece(ctx, p, f"{where}piece {k}", tally, rows)
    return tally


def _check_piece(ctx: Context, p: Any, where: str, tally: Tally, rows: Rows) -> None:
    n = ctx.domain.n
    keys = ("pattern", "constraints", "point", "outputs", "conditions") + (() if ctx.is_relu else ("times",))
    p = obj(p, keys, where)
    cons = [affine(g, n, f"{where} constraints") for g in items(p["constraints"], f"{where} constraints")]
    point = tuple(number(v, f"{where} point") for v in items(p["point"], f"{where} point"))
    if len(point) != n:
        raise StepFailed(f"{where}: the point needs {n} coordinates")
    all_cons = ctx.domain.bounds + cons
    at = integer_form(point)
    if not all(positive_at(rows(g), at) for g in all_cons):
        raise StepFailed(f"{where}: the point is not strictly inside the piece")
    check = _check_relu_piece if ctx.is_relu else _check_snn_piece
    pattern, d, r = check(ctx.network, ctx.domain, p, all_cons, point, where, rows)  # type: ignore[arg-type]
    tally.pieces += 1
    tally.derived += d
    tally.replayed += r
    tally.patterns.add(pattern)


def check_header(doc: Any) -> Context:
    """A certificate's top-level keys and its network and domain (NotCertificate or StepFailed)."""
    if not isinstance(doc, Mapping) or doc.get("format") not in FORMATS:
        raise NotCertificate(f"not a certificate: 'format' must be one of {', '.join(FORMATS)}")
    missing = [k for k in TOP_KEYS if k not in doc]
    extra = [k for k in doc if k not in TOP_KEYS]
    if missing or extra:
        raise NotCertificate(f"not a certificate: key {(missing or extra)[0]!r} "
                             f"{'missing' if missing else 'unknown'}")
    return context(doc["network"], doc["domain"], doc["variables"])


def checked(doc: Mapping[str, Any], ctx: Context, tally: Tally) -> Checked:
    """The final step: the number of distinct patterns of all pieces equals the file's ``count``."""
    count = doc["count"]
    if isinstance(count, bool) or not isinstance(count, int):
        raise StepFailed("count: expected an integer")
    if len(tally.patterns) != count:
        raise StepFailed(f"count: the pieces have {len(tally.patterns)} distinct patterns, the file says {count}")
    return Checked(doc["format"], count, tally.pieces, ctx.domain.description, tally.derived, tally.replayed)


def check_certificate(doc: Any) -> Checked:
    """Check a parsed one-file certificate; raises NotCertificate or StepFailed (naming the step).

    A certificate in parts is checked from its file (:func:`verisnn.checker.files.check_file`).
    """
    ctx = check_header(doc)
    tally = check_tree(ctx, doc["tree"], 0, doc["pieces"])
    if tally.parts:
        name, _, _, where = tally.parts[0]
        raise StepFailed(f"{where}: refers to the part file {name!r}; a certificate in parts is checked from its file")
    return checked(doc, ctx, tally)
