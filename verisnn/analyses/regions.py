"""Causal regions: exact enumeration, counting and PWL certificates (SPEC §2, §3 C2/C9).

**What is counted.**  For a spiking network the causal pattern of an input is
:attr:`verisnn.semantics.simulate.Simulation.pattern`; for a ReLU network it is the activation pattern
(unit ``active`` iff its pre-activation is ``> 0``).  The *count* is the number of patterns
``p`` such that ``{x in D : pattern(x) = p}`` has nonempty interior (relative to the domain ``D``,
e.g. a box whose degenerate intervals ``lo:lo`` fix some inputs, or all of ``Q^d``).  Patterns
realized only on lower-dimensional sets (boundaries, ties) are not counted.

**How.**  Neurons are processed in topological order.  A *cell* is an open polyhedron
``{g_1 > 0, ..., g_r > 0}`` on which the pattern of the neurons processed so far is constant and
every firing time is an affine function of the inputs.  A cell is split for the next neuron by
complement splitting: take an exact interior point ``p`` (a z3 model), run the neuron's
potential sweep symbolically at ``p`` to get its outcome, its affine firing time and the open
polyhedron ``R`` of inputs on which the sweep takes the same path (the event order up to the
firing, the threshold comparisons); then split ``cell \\ R`` into ``cell ∩ {g_1 > 0, ...,
g_{i-1} > 0, g_i < 0}`` and repeat on each nonempty part.  For a neuron whose arriving synapses
all have positive weights and the linear kernel, ``R`` is the order-free description
``max_{i in C} a_i < t_C <= min_{j not in C} a_j`` with ``t_C = (theta + sum_C w a) / W_C``, so
the region of one causal set is one polyhedron.  In general (signed weights, finite kernels)
one pattern may need several polyhedra (its region need not be convex); the certificate then
lists several *pieces* per pattern.

**Exactness and completeness.**  Every number is a Fraction; feasibility is decided by z3 over
the reals (exact; ``unknown`` is an error, never "empty").  By construction the closures of the
pieces cover the domain (each split drops only lower-dimensional sets); :meth:`RegionMap.prove_cover`
additionally asks z3 to prove it (no point of the closed domain outside every closed piece), and
:meth:`RegionMap.verify` replays each piece's interior point in the exact simulator (pattern and
every output's affine map).  On the open piece the map is affine by construction.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from math import comb
from typing import Any

from verisnn.core import affine as af
from verisnn.core.affine import Affine
from verisnn.solvers.lp_z3 import Oracle, SolverUnknown, covers
from verisnn.core.domain import Box
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.model import Network, ReluNetwork, layered
from verisnn.core.numbers import fmt, is_finite
from verisnn.semantics.simulate import Activation, first_firing, simulate

AnyNetwork = Network | ReluNetwork

__all__ = [
    "Region",
    "RegionMap",
    "SolverUnknown",
    "Space",
    "count_regions",
    "enumerate_regions",
    "one_layer",
    "one_layer_bounds",
    "pattern_label",
    "patterns_by_dimension",
    "prove_pieces",
    "relu_layer_bound",
    "sample_patterns",
    "search_max_regions",
    "shared_layer",
    "strata",
]


# --- the domain as free variables ------------------------------------------------------------------
@dataclass(frozen=True)
class Space:
    """The domain: network inputs as affine functions of free variables, and open bounds on those.

    ``names`` name the free variables; ``inputs[j]`` gives input ``j``; ``bounds`` are strict
    constraints ``b > 0`` (their closure ``b >= 0`` is the domain).  Built from a box (free
    variables are the non-degenerate inputs), from nothing (all of ``Q^d``), or from a segment.
    """

    names: tuple[str, ...]
    inputs: tuple[Affine, ...]
    bounds: tuple[Affine, ...]
    description: str = ""

    @property
    def dimension(self) -> int:
        return len(self.names)

    def x(self, s: Sequence[Fraction]) -> tuple[Fraction, ...]:
        return tuple(af.evaluate(a, s) for a in self.inputs)

    @staticmethod
    def from_box(box: Box, input_names: Sequence[str]) -> Space:
        if box.dimension != len(input_names):
            raise InvalidInput(f"domain has {box.dimension} intervals but the network has {len(input_names)} inputs")
        free = [j for j in range(box.dimension) if box.lo[j] < box.hi[j]]
        n = len(free)
        inputs = []
        for j in range(box.dimension):
            inputs.append(af.var(free.index(j), n) if j in free else af.const(box.lo[j], n))
        bounds = []
        for k, j in enumerate(free):
            bounds.append(af.shift(af.var(k, n), -box.lo[j]))
            bounds.append(af.shift(af.scale(af.var(k, n), Fraction(-1)), box.hi[j]))
        return Space(tuple(input_names[j] for j in free), tuple(inputs), tuple(bounds), str(box))

    @staticmethod
    def whole(input_names: Sequence[str]) -> Space:
        n = len(input_names)
        return Space(tuple(input_names), tuple(af.var(j, n) for j in range(n)), (), f"Q^{n}")

    def restrict(self, g: Affine) -> Space | None:
        """The hyperplane ``g = 0`` inside this (open) domain, one free variable fewer; None if empty.

        The first variable with a nonzero coefficient in ``g`` is eliminated.
        """
        n = self.dimension
        k = next((j for j in range(n) if g[j + 1] != 0), None)
        if k is None:
            return None
        rest = [j for j in range(n) if j != k]
        inner = []
        for j in range(n):
            if j == k:
                coef = [-g[0] / g[k + 1]] + [-g[i + 1] / g[k + 1] for i in rest]
                inner.append(tuple(coef))
            else:
                inner.append(af.var(rest.index(j), n - 1))
        bounds = []
        for b in self.bounds:
            c = af.compose(b, inner) if n > 0 else b
            if af.is_const(c):
                if c[0] < 0:
                    return None
                continue  # c = 0: the hyperplane is this face of the domain, whose closure we want
            bounds.append(c)
        names = tuple(self.names[j] for j in rest)
        eq = af.constraint_text(g, self.names).replace(" > ", " = ")
        return Space(names, tuple(af.compose(a, inner) for a in self.inputs), tuple(bounds),
                     f"{self.description} with {eq}")

    @staticmethod
    def segment(a: Sequence[Fraction], b: Sequence[Fraction], name: str = "s") -> Space:
        """The segment ``x = a + s (b - a)``, ``0 <= s <= 1``."""
        inputs = tuple((Fraction(u), Fraction(v) - Fraction(u)) for u, v in zip(a, b))
        bounds = ((Fraction(0), Fraction(1)), (Fraction(1), Fraction(-1)))
        return Space((name,), inputs, bounds, f"segment [{', '.join(map(fmt, a))}] -> [{', '.join(map(fmt, b))}]")


# --- results ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Region:
    """One piece of the certificate: an open polyhedron with a constant pattern and affine outputs.

    ``constraints`` are affine in the free variables (``g > 0`` each, domain bounds not repeated);
    ``point`` is an exact interior point (free variables), ``x`` the network input there;
    ``outputs[k]`` is output ``k`` as an affine function, or None where that output is silent.
    """

    pattern: tuple
    constraints: tuple[Affine, ...]
    point: tuple[Fraction, ...]
    x: tuple[Fraction, ...]
    outputs: tuple[Affine | None, ...]


@dataclass(frozen=True)
class RegionMap:
    """All pieces of a network on a domain; ``count`` distinct patterns, ``pieces`` polyhedra."""

    network: AnyNetwork
    space: Space
    regions: tuple[Region, ...]
    seconds: float  # timing only
    lp_checks: int
    verified: bool = False
    covered: bool | None = None  # None: the solver proof of coverage was not run
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def patterns(self) -> list[tuple]:
        seen: dict[tuple, None] = {}
        for r in self.regions:
            seen.setdefault(r.pattern, None)
        return list(seen)

    @property
    def count(self) -> int:
        return len(self.patterns)

    @property
    def pieces(self) -> int:
        return len(self.regions)

    def label(self, pattern: tuple) -> str:
        return pattern_label(self.network, pattern)

    def verify(self) -> RegionMap:
        """Replay every interior point in the exact simulator; InternalError on any mismatch."""
        for r in self.regions:
            _check_point(self.network, r.pattern, r.outputs, r.point, r.x)
        return RegionMap(self.network, self.space, self.regions, self.seconds, self.lp_checks, True, self.covered,
                         self.extra)

    def prove_cover(self, timeout: float = 60.0) -> RegionMap:
        """Ask z3 to prove that the closed pieces cover the closed domain (raises SolverUnknown)."""
        ok = covers(self.space.names, self.space.bounds, [r.constraints for r in self.regions], timeout)
        if not ok:
            raise InternalError("the enumerated regions do not cover the domain")
        return RegionMap(self.network, self.space, self.regions, self.seconds, self.lp_checks, self.verified, True,
                         self.extra)

    def minimized(self, timeout: float = 60.0) -> RegionMap:
        """The same pieces with redundant constraints removed (each removal justified by an exact LP)."""
        oracle = Oracle(self.space.names, self.space.bounds, timeout)
        out = []
        for r in self.regions:
            kept = list(r.constraints)
            for g in list(r.constraints):
                others = [h for h in kept if h != g]
                if oracle.witness(others + [af.scale(g, Fraction(-1))]) is None:
                    kept = others
            out.append(Region(r.pattern, tuple(kept), r.point, r.x, r.outputs))
        return replace(self, regions=tuple(out))

    def output_text(self, r: Region) -> list[str]:
        return ["inf" if a is None else af.to_text(a, self.space.names) for a in r.outputs]

    def output_sympy(self, r: Region) -> list:
        """Each output as a sympy expression in the free variables (``sympy.oo`` where silent)."""
        import sympy

        return [sympy.oo if a is None else af.to_sympy(a, self.space.names) for a in r.outputs]

    def to_json(self) -> dict[str, Any]:
        names = self.space.names
        return {
            "count": self.count,
            "pieces": self.pieces,
            "domain": self.space.description,
            "variables": list(names),
            "convention": "patterns realized on a set with nonempty interior of the domain",
            "covered": self.covered,
            "verified": self.verified,
            "lp_checks": self.lp_checks,
            "seconds": round(self.seconds, 3),
            "patterns": [self.label(p) for p in self.patterns],
            "regions": [
                {
                    "pattern": self.label(r.pattern),
                    "constraints": [af.constraint_text(g, names) for g in r.constraints],
                    "point": [fmt(v) for v in r.x],
                    "outputs": self.output_text(r),
                }
                for r in self.regions
            ],
        }


def pattern_label(net: AnyNetwork, pattern: tuple) -> str:
    """A short readable pattern: per neuron its causal sources (``-`` silent); ReLU: 1/0 per unit."""
    if isinstance(net, ReluNetwork):
        out, k = [], 0
        for layer in net.layers[:-1]:
            out.append("".join("1" if pattern[k + i] else "0" for i in range(len(layer.weights))))
            k += len(layer.weights)
        return "|".join(out)
    parts = []
    for v, act in zip(net.order, pattern):
        if act is None:
            parts.append("-")
            continue
        inc = net.incoming[v]
        body = ",".join(inc[i].source + (f".{p}" if p else "") for i, p in zip(act.causal, act.pieces))
        parts.append("{" + body + "}" + ("^" if act.jump else ""))
    return " ".join(parts)


# --- symbolic steps -------------------------------------------------------------------------------
class _Tie(Exception):
    """The interior point lies on a boundary of the next split: perturb it."""


def _require(g: Affine, p: Sequence[Fraction], out: list[Affine], allow_zero: bool = False) -> None:
    """Record ``g > 0`` (true at ``p``); constants are decided here; a tie at ``p`` raises _Tie."""
    val = af.evaluate(g, p)
    if af.is_const(g):
        if val > 0 or (val == 0 and allow_zero):
            return
        raise InternalError("symbolic sweep recorded a false constant comparison")
    if val > 0:
        out.append(af.normalize(g))
    elif val == 0:
        raise _Tie
    else:
        raise InternalError("symbolic sweep recorded a comparison that is false at its own point")


def _snn_step(net: Network, v: str, aff: Mapping[str, Affine | None], p: Sequence[Fraction], n: int
              ) -> tuple[Activation | None, Affine | None, list[Affine]]:
    """Neuron ``v``'s outcome at ``p``: activation, affine firing time, open polyhedron of its path."""
    theta = net.thresholds[v]
    arr = []
    for i, s in enumerate(net.incoming[v]):
        src = aff[s.source]
        if src is None:
            continue
        a = af.shift(src, s.delay)
        arr.append((i, s, a, af.evaluate(a, p)))
    if not arr:
        return None, None, []
    cons: list[Affine] = []
    if all(s.weight > 0 and net.kernel_of(s).is_linear for _, s, _, _ in arr):
        firing = first_firing([(val, s.weight, net.kernel_of(s)) for _, s, _, val in arr], theta)
        if firing is None:
            raise InternalError(f"positive neuron {v} silent with arriving spikes")
        causal = [item for item in arr if item[3] < firing.time]
        total = sum((s.weight for _, s, _, _ in causal), Fraction(0))
        tv = af.shift(af.combine([(s.weight / total, a) for _, s, a, _ in causal], n), theta / total)
        if af.evaluate(tv, p) != firing.time:
            raise InternalError(f"affine firing time of {v} disagrees with the simulator")
        for item in arr:
            if item in causal:
                _require(af.sub(tv, item[2]), p, cons)
            else:
                _require(af.sub(item[2], tv), p, cons, allow_zero=True)
        return Activation(tuple(i for i, *_ in causal), (0,) * len(causal), False), tv, cons

    events: list[tuple[Affine, Fraction, Fraction, Fraction]] = []
    for _, s, a, val in arr:
        if s.weight == 0:
            continue
        for e in net.kernel_of(s).events():
            events.append((af.shift(a, e.offset), val + e.offset, s.weight * e.jump, s.weight * e.slope_change))
    events.sort(key=lambda e: e[1])
    groups: list[list] = []
    for e in events:
        if groups and groups[-1][1] == e[1]:
            if groups[-1][0] != e[0]:
                raise _Tie
            groups[-1][2] += e[2]
            groups[-1][3] += e[3]
        else:
            groups.append(list(e))
    zero = af.const(Fraction(0), n)
    value, slope = zero, Fraction(0)
    here: Affine | None = None
    fired: tuple[Affine, bool] | None = None
    for gi, (b, _, jump, dslope) in enumerate(groups):
        if here is not None:
            if slope > 0 and af.evaluate(value, p) < theta:
                tc = af.add(here, af.scale(af.sub(af.const(theta, n), value), 1 / slope))
                if af.evaluate(tc, p) < af.evaluate(b, p):
                    for later in groups[gi:]:
                        _require(af.sub(later[0], tc), p, cons)
                    fired = (tc, False)
                    break
                _require(af.sub(tc, b), p, cons, allow_zero=True)
            value = af.add(value, af.scale(af.sub(b, here), slope))
            _require(af.sub(b, here), p, cons)
        value = af.shift(value, jump)
        slope += dslope
        here = b
        if af.evaluate(value, p) >= theta:
            _require(af.shift(value, -theta), p, cons, allow_zero=True)
            for later in groups[gi + 1:]:
                _require(af.sub(later[0], b), p, cons)
            fired = (b, jump > 0)
            break
        _require(af.sub(af.const(theta, n), value), p, cons)
    if fired is None and here is not None and slope > 0 and af.evaluate(value, p) < theta:
        fired = (af.add(here, af.scale(af.sub(af.const(theta, n), value), 1 / slope)), False)
    if fired is None:
        return None, None, cons
    tv, jumped = fired
    t = af.evaluate(tv, p)
    causal, pieces = [], []
    for i, s, a, val in arr:
        kernel = net.kernel_of(s)
        if val < t:
            causal.append(i)
            pieces.append(kernel.piece_index(t - val))
        if s.weight == 0:  # its breakpoints are not events of the sweep: pin them against t_v
            for off in kernel.breakpoints:
                g = af.sub(af.shift(a, off), tv)
                gv = af.evaluate(g, p)
                if gv < 0:
                    g = af.scale(g, Fraction(-1))
                _require(g, p, cons, allow_zero=True)
    return Activation(tuple(causal), tuple(pieces), jumped), tv, cons


def _fast_region(net: Network, v: str, aff: Mapping[str, Affine | None], causal: Sequence[int], n: int
                 ) -> list[Affine] | None:
    """Open polyhedron where positive linear neuron ``v`` has causal set ``causal`` (None if empty)."""
    incoming = net.incoming[v]
    total = sum((incoming[i].weight for i in causal), Fraction(0))
    if not causal:
        return None
    arrivals = {i: af.shift(aff[s.source], s.delay) for i, s in enumerate(incoming)  # type: ignore[arg-type]
                if aff[s.source] is not None}
    tv = af.shift(af.combine([(incoming[i].weight / total, arrivals[i]) for i in causal], n),
                  net.thresholds[v] / total)
    cons = []
    for i, a in arrivals.items():
        g = af.sub(tv, a) if i in causal else af.sub(a, tv)
        if af.is_const(g):
            if g[0] > 0 or (g[0] == 0 and i not in causal):
                continue
            return None
        cons.append(af.normalize(g))
    return cons


def _fast_neighbours(net: Network, v: str, aff: Mapping[str, Affine | None], label: Activation | None, n: int,
                     skip: set) -> list[list[Affine]] | None:
    """Regions of the causal sets one synapse away from ``label`` and not in ``skip`` (positive linear only)."""
    if label is None:
        return None
    finite = [i for i, s in enumerate(net.incoming[v]) if aff[s.source] is not None]
    if not all(net.incoming[v][i].weight > 0 and net.kernel_of(net.incoming[v][i]).is_linear for i in finite):
        return None
    out = []
    for j in finite:
        causal = sorted(set(label.causal) ^ {j})
        if Activation(tuple(causal), (0,) * len(causal), False) in skip:
            continue
        region = _fast_region(net, v, aff, causal, n)
        if region is not None:
            out.append(region)
    return out


def _relu_units(net: ReluNetwork) -> list[tuple[int, int]]:
    return [(li, i) for li, layer in enumerate(net.layers[:-1]) for i in range(len(layer.weights))]


def _relu_pre(net: ReluNetwork, li: int, i: int, aff: Mapping, n: int) -> Affine:
    layer = net.layers[li]
    prev = [aff[("x", j)] for j in range(net.dimension)] if li == 0 else \
        [aff[(li - 1, j)] for j in range(len(net.layers[li - 1].weights))]
    return af.shift(af.combine(zip(layer.weights[i], prev), n), layer.bias[i])


def _relu_step(net: ReluNetwork, unit: tuple[int, int], aff: Mapping, p: Sequence[Fraction], n: int
               ) -> tuple[bool, Affine, list[Affine]]:
    z = _relu_pre(net, unit[0], unit[1], aff, n)
    val = af.evaluate(z, p)
    cons: list[Affine] = []
    if af.is_const(z):
        return val > 0, (z if val > 0 else af.const(Fraction(0), n)), cons
    if val == 0:
        raise _Tie
    if val > 0:
        cons.append(af.normalize(z))
        return True, z, cons
    cons.append(af.normalize(af.scale(z, Fraction(-1))))
    return False, af.const(Fraction(0), n), cons


#: below this many regions in a cell, new regions are found by blocking queries alone; above it,
#: neighbours are explored first (blocking queries with many disjunctions get slow)
BLOCKING_ONLY = 6

# --- the enumeration --------------------------------------------------------------------------------
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


def _space(net: Network | ReluNetwork, domain: Box | Space | None) -> Space:
    """The domain as a Space over the network's inputs (all of Q^d when ``domain`` is None)."""
    input_names = [f"x{j}" for j in range(net.dimension)] if isinstance(net, ReluNetwork) else list(net.inputs)
    if domain is None:
        return Space.whole(input_names)
    if isinstance(domain, Box):
        return Space.from_box(domain, input_names)
    if len(domain.inputs) != len(input_names):
        raise InvalidInput(f"domain gives {len(domain.inputs)} inputs but the network has {len(input_names)}")
    return domain


def enumerate_regions(net: AnyNetwork, domain: Box | Space | None = None, *, verify: bool = True,
                      prove_cover: bool = False, timeout: float = 60.0, seed: int = 0,
                      deadline: float | None = None) -> RegionMap:
    """All causal (or activation) regions of ``net`` on ``domain`` (a Box, a Space, or None = ``Q^d``).

    ``verify`` replays every piece's interior point in the exact simulator; ``prove_cover`` asks
    z3 to prove the pieces cover the domain.  ``timeout`` bounds each solver call (seconds);
    ``deadline`` (a ``time.monotonic()`` value) bounds the whole run.  Both raise
    :class:`~verisnn.core.affine.SolverUnknown` when exceeded: a count is never a guess.
    """
    start = time.monotonic()
    space = _space(net, domain)
    n = space.dimension
    oracle = Oracle(space.names, space.bounds, timeout)
    rng = random.Random(seed)

    if isinstance(net, ReluNetwork):
        units: list = _relu_units(net)
        init: dict = {("x", j): a for j, a in enumerate(space.inputs)}

        def step(u: Any, aff: Mapping, p: Sequence[Fraction]) -> tuple:
            return _relu_step(net, u, aff, p, n)
    else:
        units = list(net.order)
        init = {name: a for name, a in zip(net.inputs, space.inputs)}
        init.update({r.name: af.const(r.time, n) for r in net.references})

        def step(u: Any, aff: Mapping, p: Sequence[Fraction]) -> tuple:
            return _snn_step(net, u, aff, p, n)

    first = oracle.witness()
    if first is None:
        raise InvalidInput(f"domain {space.description} has an empty interior")
    leaves: list[Region] = []
    bounds = list(space.bounds)

    def dfs(k: int, cons: list[Affine], point: tuple[Fraction, ...], aff: dict, labels: list) -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise SolverUnknown("region enumeration ran out of time")
        if k == len(units):
            leaves.append(Region(tuple(labels), tuple(cons), point, space.x(point), _outputs(net, aff, n)))
            return
        u = units[k]
        for fresh, p, label, value in _split(u, cons, point, aff):
            oracle.push(fresh)
            dfs(k + 1, cons + fresh, p, {**aff, u: value}, labels + [label])
            oracle.pop()

    def _split(u: Any, cons: list[Affine], point: tuple[Fraction, ...], aff: dict) -> list[tuple]:
        """The regions of unit ``u`` inside the cell ``cons`` (asserted in the oracle), with points.

        Regions are discovered from neighbours (toggling one causal synapse for positive linear
        neurons, stepping across a facet otherwise); a final solver query proves that no point of
        the cell lies outside the closures of the regions found (else it seeds a new region).
        """
        found: dict[frozenset, tuple] = {}
        labels_found: set = set()
        queue: list[frozenset] = []
        inside = cons + bounds

        def add_at(p: tuple[Fraction, ...]) -> None:
            for _ in range(50):
                try:
                    label, value, region = step(u, aff, p)
                    break
                except _Tie:
                    p = _perturb(p, inside, rng)
            else:
                raise InternalError("could not find a generic interior point")
            known = set(cons)
            fresh: list[Affine] = []
            for g in region:
                if g not in known:
                    known.add(g)
                    fresh.append(g)
            key = frozenset(fresh)
            if key not in found:
                labels_found.add(label)
                found[key] = (fresh, p, label, value)
                queue.append(key)

        add_at(point)
        explored = 0
        while True:
            if len(found) > BLOCKING_ONLY:
                while queue:
                    fresh, p, label, _ = found[queue.pop()]
                    for q in _neighbours(u, aff, fresh, p, label, inside, labels_found):
                        add_at(q)
            if any(not fresh for fresh, *_ in found.values()):
                return list(found.values())
            # is any point of the cell outside the closures of the regions found so far?
            oracle.push([])
            for fresh, *_ in found.values():
                oracle.block(fresh)
            q = oracle.witness()
            oracle.pop()
            if q is None:
                return list(found.values())
            explored += 1
            add_at(q)

    def _neighbours(u: Any, aff: dict, fresh: list[Affine], p: tuple[Fraction, ...], label: Any,
                    inside: list[Affine], skip: set) -> list[tuple[Fraction, ...]]:
        """Interior points of (probably) adjacent regions."""
        out = []
        fast = _fast_neighbours(net, u, aff, label, n, skip) if not isinstance(net, ReluNetwork) else None
        if fast is not None:
            for region in fast:
                q = oracle.witness(region)
                if q is not None:
                    out.append(q)
            return out
        for i, g in enumerate(fresh):
            others = fresh[:i] + fresh[i + 1:]
            q = oracle.witness(others, equal=[g])
            if q is None:
                continue
            normal = g[1:]
            step_size = Fraction(1)
            for _ in range(60):
                q2 = tuple(a - step_size * c for a, c in zip(q, normal))
                if all(af.evaluate(h, q2) > 0 for h in inside + others):
                    q3 = tuple(a - step_size / 16 * c for a, c in zip(q, normal))
                    out.append(q3)
                    break
                step_size /= 4
        return out

    dfs(0, [], first, init, [])
    result = RegionMap(net, space, tuple(leaves), time.monotonic() - start, oracle.checks)
    if verify:
        result = result.verify()
    if prove_cover:
        result = result.prove_cover(timeout)
    return RegionMap(result.network, result.space, result.regions, time.monotonic() - start, result.lp_checks,
                     result.verified, result.covered, result.extra)


def _outputs(net: AnyNetwork, aff: Mapping, n: int) -> tuple[Affine | None, ...]:
    if isinstance(net, ReluNetwork):
        last = len(net.layers) - 1
        if last == 0:
            prev = [aff[("x", j)] for j in range(net.dimension)]
        else:
            prev = [aff[(last - 1, j)] for j in range(len(net.layers[last - 1].weights))]
        layer = net.layers[last]
        return tuple(af.shift(af.combine(zip(row, prev), n), b) for row, b in zip(layer.weights, layer.bias))
    return tuple(aff[o] for o in net.outputs)


def _check_point(net: AnyNetwork, pattern: tuple, outputs: Sequence[Affine | None], point: Sequence[Fraction],
                 x: Sequence[Fraction]) -> None:
    """The exact simulator at ``x`` must give ``pattern`` and the outputs' affine values."""
    if isinstance(net, ReluNetwork):
        got_pattern, y = _relu_eval(net, x)
        if got_pattern != pattern:
            raise InternalError(f"ReLU activation pattern at {list(map(fmt, x))} differs from its region")
        for a, b in zip(outputs, y):
            if a is None or af.evaluate(a, point) != b:
                raise InternalError(f"ReLU output at {list(map(fmt, x))} differs from its region's affine map")
        return
    sim = simulate(net, list(x))
    if sim.pattern != pattern:
        raise InternalError(f"causal pattern at {list(map(fmt, x))} differs from its region")
    for a, t in zip(outputs, sim.outputs):
        if (a is None) != (not is_finite(t)) or (a is not None and af.evaluate(a, point) != t):
            raise InternalError(f"output at {list(map(fmt, x))} differs from its region's affine map")


def _relu_eval(net: ReluNetwork, x: Sequence[Fraction]) -> tuple[tuple[bool, ...], tuple[Fraction, ...]]:
    """Activation pattern (pre-activation > 0) and outputs, exactly."""
    v = [Fraction(a) for a in x]
    pattern: list[bool] = []
    for li, layer in enumerate(net.layers):
        z = [sum((w * a for w, a in zip(row, v)), b) for row, b in zip(layer.weights, layer.bias)]
        if li < len(net.layers) - 1:
            pattern.extend(q > 0 for q in z)
            v = [max(q, Fraction(0)) for q in z]
        else:
            v = z
    return tuple(pattern), tuple(v)


def strata(net: AnyNetwork, domain: Box | Space | None = None, *, max_dimension: int = 3,
           timeout: float = 60.0) -> list[RegionMap]:
    """Pieces of every dimension: together their open pieces contain every point of the closed domain.

    The domain (dimension at most ``max_dimension``) is decomposed recursively: its full-dimensional
    pieces, then every constraint hyperplane of a piece and every face of the domain, restricted to
    the hyperplane (one free variable fewer), down to single points.  A point of the closed domain
    is either inside a full-dimensional piece or on one of those hyperplanes, so every point lies
    in an open piece of some stratum (strata overlap; each is exact on its own pieces).
    """
    space = _space(net, domain)
    if space.dimension > max_dimension:
        raise InvalidInput(f"lower-dimensional pieces are enumerated up to {max_dimension} free inputs, "
                           f"the domain has {space.dimension}")
    out: list[RegionMap] = []
    seen: set[tuple] = set()

    def collect(sp: Space) -> None:
        key = (sp.inputs, tuple(sorted(sp.bounds)))
        if key in seen:
            return
        seen.add(key)
        try:
            # without redundant constraints, the boundary of each piece lies on its constraints' hyperplanes
            rm = enumerate_regions(net, sp, timeout=timeout).minimized(timeout)
        except InvalidInput:  # the hyperplane misses the open domain
            return
        out.append(rm)
        if sp.dimension == 0:
            return
        planes = list(dict.fromkeys([g for r in rm.regions for g in r.constraints] + list(sp.bounds)))
        for g in planes:
            sub = sp.restrict(g)
            if sub is not None:
                collect(sub)

    collect(space)
    return out


def patterns_by_dimension(net: AnyNetwork, domain: Box | Space | None = None, *, max_dimension: int = 3,
                          timeout: float = 60.0) -> dict[tuple, int]:
    """Every pattern realized anywhere on the closed domain, with the largest dimension where it occurs.

    Built from :func:`strata`.  Patterns with dimension below the domain's are the lower-dimensional
    ones that :attr:`RegionMap.count` leaves out.
    """
    found: dict[tuple, int] = {}
    for rm in strata(net, domain, max_dimension=max_dimension, timeout=timeout):
        for p in rm.patterns:
            found[p] = max(found.get(p, -1), rm.space.dimension)
    return found


def count_regions(net: AnyNetwork, domain: Box | Space | None = None, **kwargs: Any) -> int:
    """The exact number of patterns realized on open subsets of ``domain`` (None = ``Q^d``)."""
    return enumerate_regions(net, domain, **kwargs).count


# --- families of the claims (C9) ------------------------------------------------------------------
def one_layer(weights: Sequence[Sequence[object]], thresholds: Sequence[object]) -> Network:
    """One layer of spiking neurons, linear kernel, no delays: ``weights[i][j]`` input j -> neuron i."""
    return layered(len(weights[0]), [{"weights": [list(r) for r in weights], "thresholds": list(thresholds)}])


def shared_layer(weights: Sequence[object], thresholds: Sequence[object]) -> Network:
    """``len(thresholds)`` neurons sharing one weight vector."""
    return one_layer([list(weights)] * len(thresholds), thresholds)


def relu_layer_bound(d: int, m: int) -> int:
    """``sum_{j <= d} C(m, j)``: regions of ``m`` hyperplanes in general position in ``R^d``."""
    return sum(comb(m, j) for j in range(d + 1))


def one_layer_bounds(d: int, m: int) -> tuple[int, int]:
    """``(2^d - 1, min(sum_{k<d} C(m kappa_d, k), (2^d - 1)^m))`` with ``kappa_d = d (2^(d-1) - 1)``."""
    kappa = d * (2 ** (d - 1) - 1)
    upper = min(sum(comb(m * kappa, k) for k in range(d)), (2 ** d - 1) ** m)
    return 2 ** d - 1, upper


def search_max_regions(d: int, m: int, *, iterations: int = 60, seed: int = 0,
                       budget: float | None = None) -> tuple[Network, int, list[int]]:
    """Heuristic search (random restarts + hill climbing) for a one-layer network with many regions.

    Weights and thresholds are positive rationals (multiples of 1/4 up to 4, or ``2^k * q`` for
    ``|k| <= 4``, ``q`` in ``[1, 2]``, since region counts depend on ratios); each candidate's
    count is exact (on ``Q^d``).  Returns the best network, its exact count, and the history of
    best counts.  The search itself is heuristic: it gives a lower bound on the maximum.
    """
    rng = random.Random(seed)
    stop = None if budget is None else time.monotonic() + budget

    def rand_q() -> Fraction:
        if rng.random() < 0.5:
            return Fraction(rng.randint(1, 16), 4)
        return Fraction(2) ** rng.randint(-4, 4) * Fraction(rng.randint(4, 8), 4)  # log-uniform scales

    def build(params: list[Fraction]) -> Network:
        w = [params[i * (d + 1): i * (d + 1) + d] for i in range(m)]
        th = [params[i * (d + 1) + d] for i in range(m)]
        return one_layer(w, th)

    size = m * (d + 1)
    best = [rand_q() for _ in range(size)]
    best_count = count_regions(build(best), verify=False)
    history = [best_count]
    for it in range(iterations):
        if stop is not None and time.monotonic() > stop:
            break
        if it % 15 == 14:
            cand = [rand_q() for _ in range(size)]
        else:
            cand = list(best)
            for _ in range(rng.randint(1, 2)):
                cand[rng.randrange(size)] = rand_q()
        c = count_regions(build(cand), verify=False)
        if c >= best_count:
            best, best_count = cand, c
        history.append(best_count)
    net = build(best)
    exact = enumerate_regions(net).count  # replayed in the simulator
    return net, exact, history


# --- sampling (for comparison only) ---------------------------------------------------------------------
def sample_patterns(net: Network, points: Any) -> set[tuple]:
    """Distinct causal patterns (causal sets and pieces, no jump flag) of float inputs (sampling only).

    Uses the numpy simulator; ties and rounding can mislabel a few points, which is why sampled
    counts are estimates and never claims.
    """
    import numpy as np

    from verisnn.semantics.fastsim import simulate_many

    pts = np.asarray(points, dtype=float)  # sampling
    times = simulate_many(net, pts)
    cols = []
    for v in net.order:
        tv = times[v]
        for s in net.incoming[v]:
            arrival = times[s.source] + float(s.delay)  # sampling
            causal = np.isfinite(tv) & np.isfinite(arrival) & (arrival < tv)
            starts = np.array([float(b) for b in net.kernel_of(s).breakpoints])  # sampling
            piece = np.searchsorted(starts, np.where(causal, tv - arrival, 0.0), side="right") - 1
            cols.append(np.where(causal, piece + 1, 0))
        cols.append(np.isfinite(tv).astype(int))
    if not cols:
        return {()}
    table = np.stack(cols, axis=1)
    return {tuple(row) for row in np.unique(table, axis=0)}



# --- solver proof of each piece (uses the shared network encoding) ----------------------------------
def prove_pieces(rm: RegionMap, options: Any = None) -> int:
    """Prove with the solver that on every open piece the network has the piece's pattern and outputs.

    For each piece, the network encoding (:func:`verisnn.smt.snn.encode`) over the piece's open
    polyhedron is conjoined with "some neuron's firing, causal set or kernel piece differs, or
    some output differs from the affine map"; unsat for every piece proves the certificate (the
    jump flag is not part of the query: it follows from the times).  Returns the number of
    pieces proved; raises :class:`SolverUnknown` on unknown and InternalError on sat (the
    enumeration would be wrong).  Spiking networks only.
    """
    import z3

    from verisnn.smt.snn import encode
    from verisnn.solvers import SolverOptions, decide

    net = rm.network
    if not isinstance(net, Network):
        raise InvalidInput("prove_pieces takes a spiking network")
    opts = SolverOptions.of(options)
    oracle = Oracle(rm.space.names)
    inputs = [oracle.term(a) for a in rm.space.inputs]
    enc = encode(net, tag="piece", inputs=inputs)
    domain = [oracle.positive(b) for b in rm.space.bounds]
    for r in rm.regions:
        differs: list[z3.BoolRef] = []
        for v, act in zip(net.order, r.pattern):
            fires = enc.fires[v]
            if act is None:
                differs.append(fires)
                continue
            same = [fires]
            for k in range(len(net.incoming[v])):
                c = enc.causal[(v, k)]
                same.append(c if k in act.causal else z3.Not(c))
            for k, p in zip(act.causal, act.pieces):
                same.append(enc.in_piece(v, k, p))
            differs.append(z3.Not(z3.And(same)))
        for o, a in zip(net.outputs, r.outputs):
            if a is not None:
                differs.append(enc.time[o] != oracle.term(a))
        inside = [oracle.positive(g) for g in r.constraints]
        answer = decide(list(enc.constraints) + domain + inside + [z3.Or(differs)], opts)
        if answer.status == "sat":
            raise InternalError(f"piece {rm.label(r.pattern)} is not what the encoding says")
        if answer.status != "unsat":
            raise SolverUnknown(f"piece {rm.label(r.pattern)}: {answer.reason}")
    return len(rm.regions)
