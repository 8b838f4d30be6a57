"""Parametric families: one linear-kernel neuron whose weights and threshold are solver variables.

Quantifying over all neurons of a fan-in is nonlinear real arithmetic (weights multiply times),
so these encodings are kept small and explicit.  A neuron ``v`` with inputs ``x_i``, symbolic
weights ``w_i`` (any sign) and threshold ``theta`` fires at ``t`` iff

    P(t) = theta   and   P(x_k) < theta for every arrival x_k < t,

where ``P(s) = sum_i w_i max(0, s - x_i)`` (linear kernel: ``P`` is continuous and linear between
arrivals, so this is the first-threshold condition of docs/model.md).  It is silent iff ``P(x_k) <
theta`` at every arrival and the final slope ``sum_i w_i <= 0``.  The differential tests compare
this encoding with the exact simulator on concrete parameter values.

:class:`Family` holds the symbolic parameters with the hypotheses that delimit the family; the
``*_violation`` functions are the formulas of the parametric claims (docs/properties.md), each
satisfiable exactly when the claim fails for some member of the family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Any

import z3

from verisnn.core.domain import Box
from verisnn.core.model import Network, layered
from verisnn.smt.snn import NetworkEncoding, encode
from verisnn.smt.terms import exact, q, total

Range = tuple[Fraction, Fraction]


@dataclass
class ParamNeuron:
    """Constraints for one neuron with symbolic parameters; ``fires`` / ``time`` as terms."""

    time: z3.ArithRef
    fires: z3.BoolRef
    constraints: list[z3.BoolRef]


def potential(w: Sequence[Any], x: Sequence[Any], at: Any) -> Any:
    return total([wi * z3.If(at > xi, at - xi, 0) for wi, xi in zip(w, x)])


def param_neuron(name: str, w: Sequence[Any], theta: Any, x: Sequence[Any], may_be_silent: bool = True) -> ParamNeuron:
    """The neuron's firing time ``t[name]`` and firing flag ``f[name]`` as constrained variables."""
    t = z3.Real(f"t[{name}]")
    fires = z3.Bool(f"f[{name}]") if may_be_silent else z3.BoolVal(True)
    below = [z3.Implies(z3.Or(z3.Not(fires), xk < t), potential(w, x, xk) < theta) for xk in x]
    cons = below + [z3.Implies(fires, potential(w, x, t) == theta)]
    if may_be_silent:
        cons.append(z3.Implies(z3.Not(fires), total(list(w)) <= 0))
    return ParamNeuron(t, fires, cons)


def weight_vars(prefix: str, n: int) -> list[z3.ArithRef]:
    return [z3.Real(f"{prefix}[{i}]") for i in range(n)]


def subsets(d: int) -> list[tuple[int, ...]]:
    """The nonempty subsets of ``range(d)``, smallest first."""
    return [S for r in range(1, d + 1) for S in combinations(range(d), r)]


def _at_least(v: Any, lo: Fraction) -> z3.BoolRef:
    """``v > 0`` for a lower end 0 (the family excludes zero), else ``v >= lo``."""
    return v > 0 if lo == 0 else v >= q(lo)


@dataclass
class Family:
    """One neuron of fan-in ``d``: symbolic (or fixed) weights ``w``, threshold ``theta``, and the hypotheses.

    ``weights = (lo, hi)``: every ``w_i`` in ``[lo, hi]`` (``(0, hi]`` when ``lo == 0``); with
    ``signed``, ``w_i`` in ``[-hi, hi]``, ``w_i != 0`` and ``sum_i w_i > 0``.  ``theta`` in
    ``[lo, hi]`` likewise (``(0, hi]`` when ``lo == 0``).  With ``fixed`` parameters the family
    has one member and the queries over it are linear.
    """

    d: int
    w: list[Any]
    theta: Any
    hypotheses: list[z3.BoolRef]
    symbolic: bool
    signed: bool = False

    @staticmethod
    def of(d: int, weights: Range, theta: Range, signed: bool = False,
           fixed: tuple[Sequence[Fraction], Fraction] | None = None) -> Family:
        if fixed is not None:
            return Family(d, [q(v) for v in fixed[0]], q(fixed[1]), [], False, signed)
        w, th = weight_vars("w", d), z3.Real("theta")
        if signed:
            hyp = [z3.And(wi >= q(-weights[1]), wi <= q(weights[1]), wi != 0) for wi in w] + [total(w) > 0]
        else:
            hyp = [z3.And(_at_least(wi, weights[0]), wi <= q(weights[1])) for wi in w]
        hyp += [_at_least(th, theta[0]), th <= q(theta[1])]
        return Family(d, w, th, hyp, True, signed)

    def neuron(self, tag: str, inputs: Sequence[Any], may_be_silent: bool) -> ParamNeuron:
        return param_neuron(tag, self.w, self.theta, inputs, may_be_silent)

    def subset_sum(self, S: Sequence[int]) -> Any:
        return total([self.w[i] for i in S])

    def concrete(self, model: Any) -> tuple[Network, list[Fraction], Fraction]:
        """The network a model picks, its weights and threshold (exact rationals)."""
        ws = [exact(model, wi) for wi in self.w]
        th = exact(model, self.theta)
        return layered(len(ws), [{"weights": [ws], "thresholds": [th]}]), ws, th  # type: ignore[list-item]


def inputs(tag: str, d: int) -> list[z3.ArithRef]:
    """Input spike-time variables ``t[x0]@tag, ...`` (``t[x0]`` without a tag)."""
    return [z3.Real(f"t[x{i}]@{tag}" if tag else f"t[x{i}]") for i in range(d)]


def read(model: Any, terms: Sequence[Any]) -> tuple[Fraction, ...]:
    return tuple(exact(model, v) for v in terms)  # type: ignore[misc]


def formula_violation(t: Any, w: Sequence[Any], theta: Any, x: Sequence[Any], positive_only: bool = False
                      ) -> z3.BoolRef:
    """``t != min_S (theta + sum_S w x) / W_S``, without division; with ``positive_only`` over ``W_S > 0`` only.

    Without ``positive_only`` every ``W_S`` must be positive (positive weights).
    """
    below, equal = [], []
    for S in subsets(len(x)):
        W = total([w[i] for i in S])
        num = theta + total([w[i] * x[i] for i in S])
        if positive_only:
            below.append(z3.And(W > 0, num < t * W))
            equal.append(z3.And(W > 0, num == t * W))
        else:
            below.append(num < t * W)
            equal.append(num == t * W)
    return z3.Or(z3.Or(*below), z3.Not(z3.Or(*equal)))


def min_formula_instance(net: Network, weights: Sequence[Fraction], theta: Fraction, box: Box
                         ) -> tuple[list[z3.BoolRef], NetworkEncoding]:
    """One concrete neuron on a box disagrees with the formula (linear); returns (constraints, its encoding)."""
    enc = encode(net, "a", box)
    violation = formula_violation(enc.outputs[0], [q(w) for w in weights], q(theta), enc.inputs)
    return enc.constraints + [violation], enc


def min_formula_violation(fam: Family) -> tuple[list[z3.BoolRef], list[z3.ArithRef]]:
    """The family's neuron (always firing) disagrees with the min-over-subsets formula; returns (constraints, x)."""
    x = inputs("", fam.d)
    pn = fam.neuron("v", x, may_be_silent=False)
    violation = formula_violation(pn.time, fam.w, fam.theta, x, positive_only=fam.signed)
    return fam.hypotheses + pn.constraints + [violation], x


def lipschitz_violation(fam: Family, L: Fraction, may_be_silent: bool
                        ) -> tuple[list[z3.BoolRef], list[z3.ArithRef], list[z3.ArithRef]]:
    """Two inputs ``x``, ``y`` with ``t(y) - t(x) > L |x - y|_inf`` (or firing on one only); returns (constraints, x, y)."""
    x, y = weight_vars("t[x]@a", fam.d), weight_vars("t[x]@b", fam.d)
    a, b = fam.neuron("v@a", x, may_be_silent), fam.neuron("v@b", y, may_be_silent)
    m = z3.Real("dist")
    dist = [z3.And(xi - yi <= m, yi - xi <= m) for xi, yi in zip(x, y)]
    steep = b.time - a.time > (m if L == 1 else q(L) * m)
    if may_be_silent:
        steep = z3.Or(a.fires != b.fires, z3.And(a.fires, b.fires, steep))
    return fam.hypotheses + a.constraints + b.constraints + dist + [steep], x, y


def jump_violation(fam: Family, box: Range, delta: Fraction, jump: Fraction, min_subset_sum: Fraction
                   ) -> tuple[list[z3.BoolRef], list[z3.ArithRef], list[z3.ArithRef]]:
    """Two inputs in ``box^d`` at l_inf distance ``<= delta`` whose firing times differ by ``>= jump``.

    Every positive subset sum ``W_S`` is required to be ``>= min_subset_sum`` (so a hit is a genuine
    jump: the slope of every piece is bounded).  Returns (constraints, x, y).
    """
    x, y = weight_vars("t[x]@a", fam.d), weight_vars("t[x]@b", fam.d)
    a, b = fam.neuron("v@a", x, True), fam.neuron("v@b", y, True)
    hyp = list(fam.hypotheses)
    if fam.symbolic:
        hyp += [z3.Or(fam.subset_sum(S) <= 0, fam.subset_sum(S) >= q(min_subset_sum)) for S in subsets(fam.d)]
    dom = [z3.And(v >= q(box[0]), v <= q(box[1])) for v in x + y]
    near = [z3.And(xi - yi <= q(delta), yi - xi <= q(delta)) for xi, yi in zip(x, y)]
    far = [a.fires, b.fires, b.time - a.time >= q(jump)]
    return hyp + dom + near + a.constraints + b.constraints + far, x, y


def empty_causal_set(fam: Family) -> tuple[list[z3.BoolRef], list[z3.ArithRef]]:
    """The (always firing) neuron fires with no input arriving before it; returns (constraints, x)."""
    x = inputs("", fam.d)
    pn = fam.neuron("v", x, may_be_silent=False)
    return fam.hypotheses + pn.constraints + [z3.Not(z3.Or(*[xi < pn.time for xi in x]))], x


def causal_ball_violation(fam: Family, S: Sequence[int]) -> tuple[list[z3.BoolRef], list[z3.ArithRef]]:
    """A point of the ball around ``x_S`` whose causal set is not ``S``; returns (constraints, x).

    ``x_S`` is 0 on ``S`` and ``theta / W_S + 1`` elsewhere; the ball has l_inf radius ``e`` with
    ``0 < e <= 1/4`` and ``4 e W_S <= theta``.
    """
    x = inputs("", fam.d)
    pn = fam.neuron("v", x, may_be_silent=False)
    causal = [xi < pn.time for xi in x]
    WS = fam.subset_sum(S)
    e = z3.Real("e")
    centre = [z3.RealVal(0) if i in S else fam.theta / WS + 1 for i in range(fam.d)]
    ball = [e > 0, e <= z3.RealVal("1/4"), 4 * e * WS <= fam.theta]
    ball += [z3.And(xi - c <= e, c - xi <= e) for xi, c in zip(x, centre)]
    wrong = z3.Or(*[z3.Not(causal[i]) if i in S else causal[i] for i in range(fam.d)])
    return fam.hypotheses + pn.constraints + ball + [wrong], x
