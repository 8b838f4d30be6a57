"""Parametric two-layer families: every weight and threshold of a small layered network as solver variables.

A :class:`DeepFamily` of shape ``d-m-1`` has hidden weights ``w[j][i]`` (input ``i`` to hidden
neuron ``j``), hidden thresholds ``theta[j]``, output weights ``u[j]`` and an output threshold
``theta_o``.  Each copy of the network (one per input point of a property) is the composition of
the one-neuron first-threshold encodings of :func:`verisnn.smt.parametric.param_neuron`: the
hidden neurons read the inputs, the output neuron reads the hidden firing times.  The solver
therefore checks the composed network, not a per-layer lemma.

With positive parameters every neuron fires (its final slope is positive), so the copies are
encoded as always firing.  With ``signed`` one output weight ``u[m-1]`` ranges over ``[-hi, hi]``
minus 0 (the output's weight sum kept positive); its copies may then be silent, and the violation
formulas ask for firing copies only, so a hit is a genuine counterexample of finite times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from verisnn.core.model import Network, layered
from verisnn.smt.parametric import ParamNeuron, Range, param_neuron, weight_vars
from verisnn.smt.terms import exact, q, total


def _in(v: Any, r: Range) -> z3.BoolRef:
    """``v`` in ``(0, hi]`` when the lower end is 0 (the family excludes zero), else in ``[lo, hi]``."""
    lo = v > 0 if r[0] == 0 else v >= q(r[0])
    return z3.And(lo, v <= q(r[1]))


@dataclass
class Copy:
    """One evaluation of the family's network at the inputs ``x``: the hidden neurons and the output."""

    x: list[z3.ArithRef]
    hidden: list[ParamNeuron]
    out: ParamNeuron

    @property
    def constraints(self) -> list[z3.BoolRef]:
        return [c for h in self.hidden for c in h.constraints] + self.out.constraints


@dataclass
class DeepFamily:
    """A ``d-m-1`` positive linear network with symbolic parameters, and the hypotheses on them."""

    d: int
    m: int
    w: list[list[z3.ArithRef]]
    theta: list[z3.ArithRef]
    u: list[z3.ArithRef]
    theta_o: z3.ArithRef
    hypotheses: list[z3.BoolRef]
    signed: bool = False

    @staticmethod
    def of(d: int, m: int, weights: Range, theta: Range, signed: bool = False) -> DeepFamily:
        w = [weight_vars(f"w{j}", d) for j in range(m)]
        th = [z3.Real(f"theta{j}") for j in range(m)]
        u, tho = weight_vars("u", m), z3.Real("theta_o")
        hyp = [_in(v, weights) for row in w for v in row] + [_in(v, theta) for v in th + [tho]]
        if signed:
            hi = q(weights[1])
            hyp += [_in(v, weights) for v in u[:-1]]
            hyp += [u[-1] >= -hi, u[-1] <= hi, u[-1] != 0, total(u) > 0]
        else:
            hyp += [_in(v, weights) for v in u]
        return DeepFamily(d, m, w, th, u, tho, hyp, signed)

    def copy(self, tag: str) -> Copy:
        """The network at fresh inputs ``t[x_i]@tag``: hidden neurons always fire, the output may not if signed."""
        x = weight_vars(f"t[x]@{tag}", self.d)
        hidden = [param_neuron(f"h{j}@{tag}", self.w[j], self.theta[j], x, may_be_silent=False) for j in range(self.m)]
        out = param_neuron(f"o@{tag}", self.u, self.theta_o, [h.time for h in hidden], may_be_silent=self.signed)
        return Copy(x, hidden, out)

    def concrete(self, model: Any) -> tuple[Network, dict[str, Fraction]]:
        """The network a model picks and its parameters by name (exact rationals)."""
        w = [[exact(model, v) for v in row] for row in self.w]
        th = [exact(model, v) for v in self.theta]
        u, tho = [exact(model, v) for v in self.u], exact(model, self.theta_o)
        net = layered(self.d, [{"weights": w, "thresholds": th}, {"weights": [u], "thresholds": [tho]}])
        params = {f"w{j}{i}": w[j][i] for j in range(self.m) for i in range(self.d)}
        params |= {f"theta{j}": th[j] for j in range(self.m)} | {f"u{j}": u[j] for j in range(self.m)}
        return net, params | {"theta_o": tho}  # type: ignore[return-value]


def _firing(copies: Sequence[Copy]) -> list[z3.BoolRef]:
    return [c.out.fires for c in copies]


def lipschitz_violation(fam: DeepFamily) -> tuple[list[z3.BoolRef], list[Copy]]:
    """Two inputs with ``t(b) - t(a) > |a - b|_inf`` (both firing); returns (constraints, copies)."""
    a, b = fam.copy("a"), fam.copy("b")
    dist = z3.Real("dist")
    near = [z3.And(xa - xb <= dist, xb - xa <= dist) for xa, xb in zip(a.x, b.x)]
    return fam.hypotheses + a.constraints + b.constraints + near + _firing([a, b]) + [b.out.time - a.out.time > dist], [a, b]


def monotone_violation(fam: DeepFamily) -> tuple[list[z3.BoolRef], list[Copy]]:
    """Two inputs ``a <= b`` (componentwise) with ``t(a) > t(b)`` (both firing); returns (constraints, copies)."""
    a, b = fam.copy("a"), fam.copy("b")
    below = [xa <= xb for xa, xb in zip(a.x, b.x)]
    return fam.hypotheses + a.constraints + b.constraints + below + _firing([a, b]) + [a.out.time > b.out.time], [a, b]


def concave_violation(fam: DeepFamily) -> tuple[list[z3.BoolRef], list[Copy]]:
    """Inputs ``a``, ``b`` and their midpoint ``c`` with ``2 t(c) < t(a) + t(b)`` (all firing)."""
    a, b, c = fam.copy("a"), fam.copy("b"), fam.copy("c")
    mid = [2 * xc == xa + xb for xa, xb, xc in zip(a.x, b.x, c.x)]
    cons = fam.hypotheses + a.constraints + b.constraints + c.constraints + mid + _firing([a, b, c])
    return cons + [2 * c.out.time < a.out.time + b.out.time], [a, b, c]
