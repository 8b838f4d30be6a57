"""Region maps: pieces (pattern, open polyhedron, interior point, affine outputs) and their replay."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from verisnn.analyses.regions.lp import LP_BACKENDS, open_lp
from verisnn.analyses.regions.space import Space
from verisnn.core import affine as af
from verisnn.core.affine import Affine
from verisnn.core.errors import InternalError
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.numbers import fmt, is_finite
from verisnn.semantics.simulate import simulate

AnyNetwork = Network | ReluNetwork


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
    #: per unit in order: (its affine value on the piece, the constraints of its path); for certificates
    steps: tuple = field(default=(), compare=False, repr=False)


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
    tree: Any = field(default=None, compare=False, repr=False)  # the split tree (see enumerate_regions)

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
            check_point(self.network, r.pattern, r.outputs, r.point, r.x)
        return replace(self, verified=True)

    def minimized(self, timeout: float = 60.0, lp: str = LP_BACKENDS[0], first: int | None = None) -> RegionMap:
        """The same pieces with redundant constraints removed (each removal justified by an exact LP).

        Only the ``first`` pieces (all when None) are minimised, e.g. those that will be printed.
        The split tree is dropped: it refers to the pieces' full constraint lists.
        """
        oracle = open_lp(self.space.names, self.space.bounds, lp, timeout)
        out = []
        for k, r in enumerate(self.regions):
            if first is not None and k >= first:
                out.append(r)
                continue
            kept = list(r.constraints)
            for g in list(r.constraints):
                others = [h for h in kept if h != g]
                if oracle.witness(others + [af.neg(g)]) is None:
                    kept = others
            out.append(Region(r.pattern, tuple(kept), r.point, r.x, r.outputs))
        return replace(self, regions=tuple(out), tree=None)

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


def affine_outputs(net: AnyNetwork, aff: Mapping, n: int) -> tuple[Affine | None, ...]:
    if isinstance(net, ReluNetwork):
        last = len(net.layers) - 1
        if last == 0:
            prev = [aff[("x", j)] for j in range(net.dimension)]
        else:
            prev = [aff[(last - 1, j)] for j in range(len(net.layers[last - 1].weights))]
        layer = net.layers[last]
        return tuple(af.shift(af.combine(zip(row, prev), n), b) for row, b in zip(layer.weights, layer.bias))
    return tuple(aff[o] for o in net.outputs)


def check_point(net: AnyNetwork, pattern: tuple, outputs: Sequence[Affine | None], point: Sequence[Fraction],
                 x: Sequence[Fraction]) -> None:
    """The exact simulator at ``x`` must give ``pattern`` and the outputs' affine values."""
    if isinstance(net, ReluNetwork):
        got_pattern, y = relu_eval(net, x)
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


def relu_eval(net: ReluNetwork, x: Sequence[Fraction]) -> tuple[tuple[bool, ...], tuple[Fraction, ...]]:
    """Activation pattern (pre-activation > 0) and outputs, exactly."""
    pre = net.pre_activations(x)
    return tuple(z > 0 for layer in pre[:-1] for z in layer), pre[-1]
