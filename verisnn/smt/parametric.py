"""Parametric families: one-layer linear-kernel networks whose weights and thresholds are solver variables.

Quantifying over all networks of a size is nonlinear real arithmetic (weights multiply times),
so these encodings are kept small and explicit.  A neuron ``v`` with inputs ``x_i``, symbolic
weights ``w_i`` (any sign) and threshold ``theta`` fires at ``t`` iff

    P(t) = theta   and   P(x_k) < theta for every arrival x_k < t,

where ``P(s) = sum_i w_i max(0, s - x_i)`` (linear kernel: ``P`` is continuous and linear between
arrivals, so this is the first-threshold condition of SPEC §2).  It is silent iff ``P(x_k) <
theta`` at every arrival and the final slope ``sum_i w_i <= 0``.  The differential tests compare
this encoding with the exact simulator on concrete parameter values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from verisnn.core.kernels import linear
from verisnn.core.model import Network, layered
from verisnn.smt.terms import exact, kernel_term, total

LINEAR = linear()


@dataclass
class ParamNeuron:
    """Constraints for one neuron with symbolic parameters; ``fires`` / ``time`` as terms."""

    time: z3.ArithRef
    fires: z3.BoolRef
    constraints: list[z3.BoolRef]


def potential(w: Sequence[Any], x: Sequence[Any], at: Any) -> Any:
    return total([wi * kernel_term(LINEAR, at - xi) for wi, xi in zip(w, x)])


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


def one_neuron_from_model(model: Any, w: Sequence[Any], theta: Any) -> tuple[Network, list[Fraction], Fraction]:
    """The concrete network a model picks (exact rationals)."""
    ws = [exact(model, wi) for wi in w]
    th = exact(model, theta)
    return layered(len(ws), [{"weights": [ws], "thresholds": [th]}]), ws, th  # type: ignore[list-item]
