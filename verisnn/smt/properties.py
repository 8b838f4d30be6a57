"""The solver formulas of property queries: network copies, the relation between them, the violation.

Every ``*_violation`` function returns a :class:`Violation`: constraints that are satisfiable
exactly when the property fails somewhere on the box, and ``read``, which turns a satisfying
model into the input vectors of the copies (exact rationals, in the order the docstring names
them).  Silent outputs are ``+inf``: an output's flag ``f`` says whether it fires, and each
violation spells out the cases with a silent side (see docs/properties.md).

The copy on the larger side of a ``<=`` relation is the hypograph encoding
(:func:`verisnn.smt.snn.encode_below`) for positive linear networks: its outputs range over
every value ``<= R(x)``, so a violation found with them is a real violation, and ``R(x)`` itself
is among them.  Otherwise every copy is the exact encoding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from verisnn.core.domain import Box
from verisnn.core.model import Network, ReluNetwork
from verisnn.smt.relu import encode_relu
from verisnn.smt.snn import NetworkEncoding, encode, encode_below
from verisnn.smt.terms import exact, q

Vectors = tuple[tuple[Fraction, ...], ...]


@dataclass
class Violation:
    """Constraints satisfiable iff the property fails on the box, and the copies' inputs in a model."""

    constraints: list[z3.BoolRef]
    read: Callable[[Any], Vectors]


def _vars(net: Network, tag: str) -> list[z3.ArithRef]:
    return [z3.Real(f"t[{x}]@{tag}") for x in net.inputs]


def _larger(net: Network, tag: str, box: Box, inputs: Sequence[z3.ArithRef]) -> NetworkEncoding:
    """The copy on the larger side of a ``<=`` relation (hypograph encoding when it is exact to use)."""
    return encode_below(net, tag, box, inputs) if net.positive_linear else encode(net, tag, box, inputs)


def _pairs(a: NetworkEncoding, b: NetworkEncoding) -> list[tuple[Any, Any, Any, Any]]:
    return list(zip(a.outputs, a.output_fires, b.outputs, b.output_fires))


def monotone_violation(net: Network, box: Box) -> Violation:
    """``x <= y`` componentwise and some output has ``R(x) > R(y)`` (fires on x only counts: inf > t fails).

    Reads ``(x, y)``.  Violations: ``R(y)`` fires while ``R(x)`` is silent, or both fire and ``R(x) > R(y)``.
    """
    x, y = _vars(net, "a"), _vars(net, "b")
    a, b = _larger(net, "a", box, x), encode(net, "b", box, y)
    order = [xi <= yi for xi, yi in zip(x, y)]
    bad = z3.Or(*[z3.Or(z3.And(z3.Not(fa), fb), z3.And(fa, fb, ta > tb)) for ta, fa, tb, fb in _pairs(a, b)])
    return Violation(a.constraints + b.constraints + order + [bad], lambda m: (a.read_inputs(m), b.read_inputs(m)))


def concave_violation(net: Network, box: Box) -> Violation:
    """Some output has ``R((x+y)/2) < (R(x) + R(y))/2``: the midpoint fires and an endpoint is silent or higher.

    Reads ``(x, y, (x+y)/2)``.
    """
    x, y = _vars(net, "a"), _vars(net, "b")
    mid = [(xi + yi) / 2 for xi, yi in zip(x, y)]
    a, b = _larger(net, "a", box, x), _larger(net, "b", box, y)
    m = encode(net, "m", box, mid)
    bad = [z3.And(fm, z3.Or(z3.Not(fa), z3.Not(fb), 2 * tm < ta + tb))
           for (ta, fa, tb, fb), tm, fm in zip(_pairs(a, b), m.outputs, m.output_fires)]

    def read(model: Any) -> Vectors:
        xs, ys = a.read_inputs(model), b.read_inputs(model)
        return xs, ys, tuple((p + r) / 2 for p, r in zip(xs, ys))

    return Violation(a.constraints + b.constraints + m.constraints + [z3.Or(*bad)], read)


def lipschitz_violation(net: Network, box: Box, L: Fraction) -> Violation:
    """Some output has ``R(x) - R(y) > L |x - y|_inf``, or fires on one of x, y and not on the other.

    Reads ``(x, y)``.  x and y range over the same box, so the one-sided difference is as strong as
    ``|R(x) - R(y)|``; x is the larger side.
    """
    x, y = _vars(net, "a"), _vars(net, "b")
    a, b = _larger(net, "a", box, x), encode(net, "b", box, y)
    dist = z3.Real("dist")
    near = [z3.And(xi - yi <= dist, yi - xi <= dist) for xi, yi in zip(x, y)]
    bad = [z3.Or(fa != fb, z3.And(fa, fb, ta - tb > q(L) * dist)) for ta, fa, tb, fb in _pairs(a, b)]
    return Violation(a.constraints + b.constraints + near + [z3.Or(*bad)],
                     lambda m: (a.read_inputs(m), b.read_inputs(m)))


def translation_violation(net: Network, box: Box) -> Violation:
    """``x`` and ``x + c*1`` in the box and some output has ``R(x + c*1) != R(x) + c`` (inf + c = inf).

    Reads ``(x, x + c*1)``.
    """
    x = _vars(net, "a")
    c = z3.Real("c")
    shifted = [xi + c for xi in x]
    a, b = encode(net, "a", box, x), encode(net, "b", box, shifted)
    bad = [z3.Or(fa != fb, z3.And(fa, fb, tb != ta + c)) for ta, fa, tb, fb in _pairs(a, b)]

    def read(model: Any) -> Vectors:
        xs, shift = a.read_inputs(model), exact(model, c)
        return xs, tuple(v + shift for v in xs)  # type: ignore[operator]

    return Violation(a.constraints + b.constraints + [z3.Or(*bad)], read)


def relu_lipschitz_violation(relu: ReluNetwork, box: Box, L: Fraction) -> Violation:
    """A ReLU network's ``|f(x) - f(y)|_inf > L |x - y|_inf`` for some x, y in the box; reads ``(x, y)``."""
    x = [z3.Real(f"t[x{i}]@a") for i in range(relu.dimension)]
    y = [z3.Real(f"t[x{i}]@b") for i in range(relu.dimension)]
    a, b = encode_relu(relu, x, "a", box), encode_relu(relu, y, "b", box)
    m = z3.Real("dist")
    near = [z3.And(xi - yi <= m, yi - xi <= m) for xi, yi in zip(x, y)]
    bad = z3.Or(*[z3.Or(fa - fb > q(L) * m, fb - fa > q(L) * m) for fa, fb in zip(a.outputs, b.outputs)])

    def read(model: Any) -> Vectors:
        return tuple(exact(model, v) for v in x), tuple(exact(model, v) for v in y)  # type: ignore[return-value]

    return Violation(a.constraints + b.constraints + near + [bad], read)


class OutputRange:
    """One exact copy of the network on the box, and the formulas its output bounds are decided with."""

    def __init__(self, net: Network, box: Box) -> None:
        self.enc = encode(net, "a", box)

    def silent(self, i: int) -> list[z3.BoolRef]:
        """Output ``i`` is silent somewhere on the box."""
        return self.enc.constraints + [z3.Not(self.enc.output_fires[i])]

    def firing(self, i: int) -> list[z3.BoolRef]:
        """Output ``i`` fires (the feasible set its minimum and finite maximum are taken over)."""
        return self.enc.constraints + [self.enc.output_fires[i]]

    def time(self, i: int) -> z3.ArithRef:
        """Output ``i``'s firing time (the objective)."""
        return self.enc.outputs[i]

    def beyond(self, i: int, value: Fraction, maximize: bool) -> list[z3.BoolRef]:
        """Output ``i`` fires strictly above (``maximize``) or below ``value``: unsat confirms the bound."""
        t = self.enc.outputs[i]
        return self.firing(i) + [t > q(value) if maximize else t < q(value)]

    def read_inputs(self, model: Any) -> tuple[Fraction, ...]:
        return self.enc.read_inputs(model)
