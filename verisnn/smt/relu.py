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
from verisnn.semantics.relu import pre_activation_ranges
from verisnn.smt.terms import Term, affine, exact, name, q


@dataclass
class ReluEncoding:
    """A ReLU network on input terms: ``units[l][i]`` is the post-activation term of unit i of layer l+1."""

    relu: ReluNetwork
    tag: str
    inputs: tuple[Term, ...]
    units: list[list[Term]]
    constraints: list[z3.BoolRef]
    pre: list[list[Term]]  # pre[l][i]: the affine pre-activation term of unit i of layer l+1 (over units[l-1])

    @property
    def outputs(self) -> tuple[Term, ...]:
        return tuple(self.units[-1])

    def read_outputs(self, model: Any) -> tuple[Fraction, ...]:
        return tuple(exact(model, t) for t in self.outputs)  # type: ignore[misc]


def encode_relu(
    relu: ReluNetwork, inputs: Sequence[Term], tag: str = "", box: Box | None = None
) -> ReluEncoding:
    """Encode ``relu`` on ``inputs``; with ``box`` (bounds on the inputs) fixed-sign units lose their ``If``.

    Each unit is a Real ``r[l{layer}n{i}]@tag`` equal to its (rectified) affine expression; the
    sign of a pre-activation is fixed when its interval
    (:func:`verisnn.semantics.relu.pre_activation_ranges`) lies on one side of 0.
    """
    if len(inputs) != relu.dimension:
        raise InvalidInput(f"ReLU network takes {relu.dimension} inputs, got {len(inputs)} input terms")
    constraints: list[z3.BoolRef] = []
    cur: list[Term] = list(inputs)
    ranges = pre_activation_ranges(relu, box) if box is not None else None
    if box is not None:
        for t, lo, hi in zip(inputs, box.lo, box.hi):
            constraints.append(z3.And(q(lo) <= t, t <= q(hi)))
    units: list[list[Term]] = []
    pres: list[list[Term]] = []
    last = len(relu.layers) - 1
    for li, layer in enumerate(relu.layers):
        nxt: list[Term] = []
        pres.append([])
        for i, (row, b) in enumerate(zip(layer.weights, layer.bias)):
            pre = affine(row, b, cur)
            pres[-1].append(pre)
            lo, hi = ranges[li][i] if ranges is not None else (None, None)
            if li == last or lo is not None and lo >= 0:
                post = pre
            elif hi is not None and hi <= 0:
                post = q(0)
            else:
                post = z3.If(pre > 0, pre, q(0))
            var = z3.Real(name("r", f"l{li + 1}n{i}", tag))
            constraints.append(var == post)
            nxt.append(var)
        units.append(nxt)
        cur = nxt
    return ReluEncoding(relu, tag, tuple(inputs), units, constraints, pres)
