"""Sound linear bounds of a ReLU network over a box, in exact rationals (DeepPoly / CROWN style).

Every hidden unit ``a = relu(z)`` with pre-activation bounds ``l <= z <= u`` is stable when
``l >= 0`` (``a = z``) or ``u <= 0`` (``a = 0``); an unstable unit is enclosed by ``a <= s (z - l)``
with ``s >= u / (u - l)`` and ``a >= lam z`` with ``lam`` 0 or 1.  A linear function of the outputs
(and inputs) is bounded by substituting these relaxations backwards, layer by layer, down to the
inputs, and then taking its extreme over the box.  Pre-activation bounds of each layer come from
the same back-substitution.  All arithmetic is exact; only to keep denominators short, bounds are
rounded outwards and slopes ``s`` upwards to multiples of ``2^-GRID`` (a looser, still sound,
enclosure: the chord of ``relu`` over a larger interval lies above it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from verisnn.core.model import ReluNetwork

GRID = 40
_SCALE = 1 << GRID


def _down(v: Fraction) -> Fraction:
    return Fraction(math.floor(v * _SCALE), _SCALE) if v.denominator > _SCALE else v


def _up(v: Fraction) -> Fraction:
    return Fraction(math.ceil(v * _SCALE), _SCALE) if v.denominator > _SCALE else v


@dataclass(frozen=True)
class Relaxation:
    """Per hidden layer: bounds of each pre-activation and the linear enclosure of its ReLU."""

    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]
    upper_slope: tuple[Fraction, ...]  # a <= s (z - lo) for unstable units
    lower_slope: tuple[Fraction, ...]  # a >= lam z

    def stable(self, i: int) -> bool:
        return self.lo[i] >= 0 or self.hi[i] <= 0

    @property
    def unstable(self) -> int:
        return sum(1 for i in range(len(self.lo)) if not self.stable(i))


@dataclass(frozen=True)
class LinearBound:
    """``coeffs . x + const`` over the inputs, valid for every input in the box (one side)."""

    coeffs: tuple[Fraction, ...]
    const: Fraction

    def extreme(self, lo: Sequence[Fraction], hi: Sequence[Fraction], upper: bool) -> Fraction:
        if upper:
            return self.const + sum((c * (h if c > 0 else l) for c, l, h in zip(self.coeffs, lo, hi)), Fraction(0))
        return self.const + sum((c * (l if c > 0 else h) for c, l, h in zip(self.coeffs, lo, hi)), Fraction(0))

    def argext(self, lo: Sequence[Fraction], hi: Sequence[Fraction], upper: bool) -> tuple[Fraction, ...]:
        """A box corner where the bound is extreme (an attack candidate)."""
        return tuple((h if (c > 0) == upper else l) for c, l, h in zip(self.coeffs, lo, hi))


class ReluBounds:
    """Bounds of every layer of ``relu`` over the box ``[lo, hi]`` (see the module docstring)."""

    def __init__(self, relu: ReluNetwork, lo: Sequence[Fraction], hi: Sequence[Fraction]) -> None:
        self.relu = relu
        self.lo = tuple(lo)
        self.hi = tuple(hi)
        self.layers: list[Relaxation] = []
        for li in range(len(relu.layers) - 1):
            layer = relu.layers[li]
            los, his = [], []
            for i in range(len(layer.weights)):
                row = {i: Fraction(1)}
                los.append(_down(self.back(li, row, Fraction(0), upper=False).extreme(self.lo, self.hi, False)))
                his.append(_up(self.back(li, row, Fraction(0), upper=True).extreme(self.lo, self.hi, True)))
            us, ls = [], []
            for l, u in zip(los, his):
                if l >= 0:
                    us.append(Fraction(1))
                    ls.append(Fraction(1))
                elif u <= 0:
                    us.append(Fraction(0))
                    ls.append(Fraction(0))
                else:
                    us.append(_up(u / (u - l)))
                    ls.append(Fraction(1) if u > -l else Fraction(0))
            self.layers.append(Relaxation(tuple(los), tuple(his), tuple(us), tuple(ls)))

    @property
    def unstable(self) -> int:
        return sum(r.unstable for r in self.layers)

    def back(self, layer: int, coeffs: dict[int, Fraction], const: Fraction, upper: bool,
             inputs: Sequence[Fraction] | None = None) -> LinearBound:
        """A bound on ``sum coeffs[i] z_i + const`` (``z`` the pre-activations of ``layer``, 0-based) over inputs.

        ``inputs`` adds a direct linear term over the network's inputs.  ``upper`` picks the side.
        """
        relu = self.relu
        c = dict(coeffs)
        k = const
        for li in range(layer, -1, -1):
            w = relu.layers[li]
            width = len(w.weights[0])
            nxt = [Fraction(0)] * width
            for i, a in c.items():
                if a == 0:
                    continue
                k += a * w.bias[i]
                for j, wij in enumerate(w.weights[i]):
                    if wij:
                        nxt[j] += a * wij
            if li == 0:
                direct = nxt
                break
            rel = self.layers[li - 1]
            c = {}
            for j, a in enumerate(nxt):
                if a == 0:
                    continue
                lo_j, hi_j = rel.lo[j], rel.hi[j]
                if lo_j >= 0:
                    c[j] = a
                elif hi_j <= 0:
                    continue
                elif (a > 0) == upper:  # the upper enclosure s (z - lo)
                    s = rel.upper_slope[j]
                    c[j] = a * s
                    k -= a * s * lo_j
                elif rel.lower_slope[j]:
                    c[j] = a
        coeffs_x = [a + (inputs[j] if inputs is not None else 0) for j, a in enumerate(direct)]
        return LinearBound(tuple(coeffs_x), k)

    def output_bound(self, out: dict[int, Fraction], inputs: Sequence[Fraction] | None, const: Fraction,
                     upper: bool) -> tuple[Fraction, LinearBound]:
        """Extreme of ``sum out[j] y_j + inputs . x + const`` on one side, and its linear bound."""
        b = self.back(len(self.relu.layers) - 1, out, const, upper, inputs)
        return b.extreme(self.lo, self.hi, upper), b
