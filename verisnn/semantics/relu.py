"""Exact ReLU semantics: evaluation with the activation pattern, and interval arithmetic of pre-activations.

A ReLU network is affine layers ``z = W y + b`` with ``y = relu(z)`` on every layer but the last
(docs/model.md).  :func:`trace` evaluates it exactly (the network's own exact evaluation) and keeps every pre-activation, so the
activation pattern (which hidden units are active, ``z > 0``) can be read off;
:func:`pre_activation_ranges` gives, by exact interval arithmetic, an interval that holds every
pre-activation over a box of inputs (sound; exact for the first layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import ReluNetwork

Range = tuple[Fraction, Fraction]
ZERO = Fraction(0)


@dataclass(frozen=True)
class ReluTrace:
    """One exact evaluation: ``pre[l][i]`` is the pre-activation of unit ``i`` of affine layer ``l + 1``."""

    inputs: tuple[Fraction, ...]
    pre: tuple[tuple[Fraction, ...], ...]

    @property
    def outputs(self) -> tuple[Fraction, ...]:
        return self.pre[-1]

    @property
    def hidden(self) -> tuple[tuple[Fraction, ...], ...]:
        """Post-activations ``relu(z)`` of the hidden layers."""
        return tuple(tuple(max(z, ZERO) for z in layer) for layer in self.pre[:-1])

    @property
    def pattern(self) -> tuple[tuple[bool, ...], ...]:
        """The activation pattern: ``pattern[l][i]`` is True iff hidden unit ``i`` of layer ``l + 1`` has ``z > 0``."""
        return tuple(tuple(z > 0 for z in layer) for layer in self.pre[:-1])


def affine_range(row: Sequence[Fraction], bias: Fraction, ranges: Sequence[Range]) -> Range:
    """The exact range of ``sum_j row_j y_j + bias`` over the box ``y_j in ranges[j]``.

    An end may be ``None`` (unbounded); the result's end is then ``None`` too where it depends on it.
    """
    lo: Fraction | None = bias
    hi: Fraction | None = bias
    for w, (a, b) in zip(row, ranges):
        if w == 0:
            continue
        at_lo, at_hi = (a, b) if w > 0 else (b, a)
        lo = None if lo is None or at_lo is None else lo + w * at_lo
        hi = None if hi is None or at_hi is None else hi + w * at_hi
    return lo, hi  # type: ignore[return-value]


def relu_range(r: Range) -> Range:
    """The range of ``relu(z)`` for ``z`` in ``r``."""
    return max(r[0], ZERO), max(r[1], ZERO)


def trace(relu: ReluNetwork, x: Sequence[Fraction]) -> ReluTrace:
    """Evaluate ``relu`` at ``x`` exactly (:meth:`verisnn.core.model.ReluNetwork.pre_activations`), keeping every layer."""
    if len(x) != relu.dimension:
        raise InvalidInput(f"ReLU network takes {relu.dimension} inputs, got {len(x)}")
    return ReluTrace(tuple(Fraction(a) for a in x), relu.pre_activations(x))


def pre_activation_ranges(relu: ReluNetwork, box: Box) -> list[list[Range]]:
    """Interval bounds of every pre-activation over ``box``: ``result[l][i]`` for unit ``i`` of affine layer ``l + 1``.

    Sound by interval arithmetic: for every ``x`` in ``box``, ``z_{l,i}(x)`` lies in the interval
    (exact for the first layer, an over-approximation after it).
    """
    if box.dimension != relu.dimension:
        raise InvalidInput(f"domain has {box.dimension} intervals but the ReLU network has {relu.dimension} inputs")
    values: list[Range] = list(zip(box.lo, box.hi))
    result: list[list[Range]] = []
    for layer in relu.layers:
        pre = [affine_range(row, b, values) for row, b in zip(layer.weights, layer.bias)]
        result.append(pre)
        values = [relu_range(r) for r in pre]
    return result
