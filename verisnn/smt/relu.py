"""SMT encoding of ReLU networks: each unit a real equal to its (rectified) affine expression."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import ReluNetwork
from verisnn.smt.terms import Term, exact, name, q, total

@dataclass
class ReluEncoding:
    """A ReLU network on input terms: ``units[l][i]`` is the post-activation term of unit i of layer l+1."""

    relu: ReluNetwork
    tag: str
    inputs: tuple[Term, ...]
    units: list[list[Term]]
    constraints: list[z3.BoolRef]

    @property
    def outputs(self) -> tuple[Term, ...]:
        return tuple(self.units[-1])

    def read_outputs(self, model: Any) -> tuple[Fraction, ...]:
        return tuple(exact(model, t) for t in self.outputs)  # type: ignore[misc]


def encode_relu(
    relu: ReluNetwork, inputs: Sequence[Term], tag: str = "", box: Box | None = None
) -> ReluEncoding:
    """Encode ``relu`` on ``inputs``; with ``box`` (bounds on the inputs) fixed-sign units lose their ``If``.

    Each unit is a Real ``r[l{layer}n{i}]@tag`` equal to its (rectified) affine expression.
    """
    if len(inputs) != relu.dimension:
        raise InvalidInput(f"ReLU network takes {relu.dimension} inputs, got {len(inputs)} input terms")
    constraints: list[z3.BoolRef] = []
    cur: list[Term] = list(inputs)
    ranges: list[tuple[Fraction, Fraction]] | None = (
        list(zip(box.lo, box.hi)) if box is not None else None
    )
    if box is not None:
        for t, lo, hi in zip(inputs, box.lo, box.hi):
            constraints.append(z3.And(q(lo) <= t, t <= q(hi)))
    units: list[list[Term]] = []
    last = len(relu.layers) - 1
    for li, layer in enumerate(relu.layers):
        nxt: list[Term] = []
        nranges: list[tuple[Fraction, Fraction]] = []
        for i, (row, b) in enumerate(zip(layer.weights, layer.bias)):
            pre = total([q(w) * x for w, x in zip(row, cur) if w != 0] + ([q(b)] if b != 0 else []))
            lo = hi = None
            if ranges is not None:
                lo = b + sum((w * (r[0] if w > 0 else r[1]) for w, r in zip(row, ranges)), Fraction(0))
                hi = b + sum((w * (r[1] if w > 0 else r[0]) for w, r in zip(row, ranges)), Fraction(0))
            if li == last or lo is not None and lo >= 0:
                post = pre
            elif hi is not None and hi <= 0:
                post = q(0)
            else:
                post = z3.If(pre > 0, pre, q(0))
            var = z3.Real(name("r", f"l{li + 1}n{i}", tag))
            constraints.append(var == post)
            nxt.append(var)
            if lo is not None and hi is not None:
                nranges.append((lo, hi) if li == last else (max(lo, Fraction(0)), max(hi, Fraction(0))))
        units.append(nxt)
        cur = nxt
        ranges = nranges if ranges is not None else None
    return ReluEncoding(relu, tag, tuple(inputs), units, constraints)
