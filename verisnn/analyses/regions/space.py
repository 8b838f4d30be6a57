"""The domain of a region enumeration: network inputs as affine functions of free variables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from verisnn.core import affine as af
from verisnn.core.affine import Affine
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.numbers import fmt


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
    box: Box | None = None  # the box this space was built from, if any

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
        return Space(tuple(input_names[j] for j in free), tuple(inputs), tuple(bounds), str(box), box)

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


def domain_space(net: Network | ReluNetwork, domain: Box | Space | None) -> Space:
    """The domain as a Space over the network's inputs (all of Q^d when ``domain`` is None)."""
    input_names = [f"x{j}" for j in range(net.dimension)] if isinstance(net, ReluNetwork) else list(net.inputs)
    if domain is None:
        return Space.whole(input_names)
    if isinstance(domain, Box):
        return Space.from_box(domain, input_names)
    if len(domain.inputs) != len(input_names):
        raise InvalidInput(f"domain gives {len(domain.inputs)} inputs but the network has {len(input_names)}")
    return domain
