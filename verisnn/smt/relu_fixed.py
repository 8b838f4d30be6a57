"""A ReLU network as solver constraints with given pre-activation bounds (stable units have no ``If``).

``encode_fixed(relu, layers, lo, hi)`` takes, per hidden layer, bounds ``layers[l].lo/hi`` on every
pre-activation that hold for every input in the box ``[lo, hi]`` and an upper slope ``s`` with
``relu(z) <= s (z - lo)`` on them (as computed by
:class:`verisnn.analyses.verify.relu_bounds.ReluBounds`).  A unit with ``lo >= 0`` is its
pre-activation, one with ``hi <= 0`` is 0, and an unstable one is ``If(z > 0, z, 0)`` together with
the implied constraints ``lo <= z <= hi``, ``a >= 0``, ``a >= z``, ``a <= s (z - lo)``, which cut
the solver's search without changing the set of solutions.  Inputs are Reals ``x[X_i]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

import z3

from verisnn.core.model import ReluNetwork
from verisnn.smt.terms import Term, exact, q, total


class LayerBounds(Protocol):
    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]
    upper_slope: tuple[Fraction, ...]


@dataclass
class FixedEncoding:
    inputs: tuple[Term, ...]
    outputs: tuple[Term, ...]
    constraints: list[z3.BoolRef]

    def read_inputs(self, model: Any) -> tuple[Fraction, ...]:
        return tuple(exact(model, t) for t in self.inputs)  # type: ignore[misc]


def encode_fixed(relu: ReluNetwork, layers: Sequence[LayerBounds], lo: Sequence[Fraction],
                 hi: Sequence[Fraction]) -> FixedEncoding:
    """Encode ``relu`` on the box ``[lo, hi]`` (see the module docstring)."""
    xs = tuple(z3.Real(f"x[X_{i}]") for i in range(relu.dimension))
    cons: list[z3.BoolRef] = []
    for x, a, b in zip(xs, lo, hi):
        cons.append(x == q(a) if a == b else z3.And(q(a) <= x, x <= q(b)))
    cur: list[Term] = list(xs)
    last = len(relu.layers) - 1
    for li, layer in enumerate(relu.layers):
        nxt: list[Term] = []
        for i, (row, bias) in enumerate(zip(layer.weights, layer.bias)):
            pre = total([q(w) * v for w, v in zip(row, cur) if w != 0 and not _is_zero(v)]
                        + ([q(bias)] if bias != 0 else []))
            if li == last:
                y = z3.Real(f"y[Y_{i}]")
                cons.append(y == pre)
                nxt.append(y)
                continue
            bl = layers[li]
            l, u = bl.lo[i], bl.hi[i]
            if u <= 0:
                nxt.append(q(0))
                continue
            a = z3.Real(f"r[l{li + 1}n{i}]")
            if l >= 0:
                cons.append(a == pre)
            else:
                s = bl.upper_slope[i]
                cons += [a == z3.If(pre > 0, pre, q(0)), pre >= q(l), pre <= q(u), a >= q(0), a >= pre,
                         a <= q(s) * (pre - q(l))]
            nxt.append(a)
        cur = nxt
    return FixedEncoding(xs, tuple(cur), cons)


def _is_zero(t: Term) -> bool:
    return z3.is_rational_value(t) and t.as_fraction() == 0
