"""C1: one neuron with positive weights and the linear kernel fires at the min-over-subsets time.

Singh, Fono, Kutyniok, *Expressivity of Spiking Neural Networks* (arXiv 2308.08218), the
single-neuron firing-time formula:

    t_v = min_{S nonempty} (theta + sum_{i in S} w_i t_i) / W_S,    W_S = sum_{i in S} w_i,

for weights ``w_i > 0``, threshold ``theta > 0`` and input spike times ``t_i``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from fractions import Fraction
from itertools import combinations
from typing import Any

import sympy

from verisnn.analyses.parametric import min_formula_all_weights, min_formula_on_box
from verisnn.claims.registry import RunContext, claim
from verisnn.core.domain import Box
from verisnn.core.results import Result, Verdict
from verisnn.solvers import SolverOptions

SOURCE = "arXiv 2308.08218, the firing time of one positive linear neuron"


def subsets(d: int) -> list[tuple[int, ...]]:
    return [S for r in range(1, d + 1) for S in combinations(range(d), r)]


def random_weights(d: int, seed: int) -> tuple[list[Fraction], Fraction]:
    rng = random.Random(seed)
    return [Fraction(rng.randint(1, 16), 4) for _ in range(d)], Fraction(rng.randint(1, 12), 4)


@claim("C1", expected="proved", mode="instance", sizes=[{"d": 2, "seed": 0}, {"d": 3, "seed": 1}, {"d": 5, "seed": 2}],
       source=SOURCE)
def formula_instances(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """One positive linear neuron equals min over S of (theta + sum_S w t)/W_S on a box (seeded weights)."""
    d = int(size.get("d", 3))
    weights, theta = random_weights(d, int(size.get("seed", 0)))
    return min_formula_on_box(weights, theta, Box.uniform(-4, 4, d), SolverOptions.of(ctx))


@claim("C1-param", expected="proved", mode="parametric", sizes=[{"d": 2}, {"d": 3}, {"d": 4}],
       limits={"d": (1, 5)}, source=SOURCE)
def formula_parametric(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """For EVERY w in (0, 4]^d and theta in (0, 4] and all real inputs: t_v = min-over-subsets (NRA)."""
    return min_formula_all_weights(int(size.get("d", 2)), (0, 4), (0, 4), options=SolverOptions.of(ctx))


@claim("C1-param-signed", expected="refuted", mode="parametric", sizes=[{"d": 2}, {"d": 4}], broken_of="C1",
       limits={"d": (1, 4)}, source=f"broken variant of C1 (drops positive weights); C1: {SOURCE}")
def formula_parametric_signed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: allow w in [-4, 4] (sum > 0); the min-over-subsets formula then fails."""
    return min_formula_all_weights(int(size.get("d", 2)), (0, 4), (0, 4), signed=True, options=SolverOptions.of(ctx))


@claim("C1-sym", expected="proved", mode="symbolic", sizes=[{"d": 3}, {"d": 4}], limits={"d": (1, 5)}, source=SOURCE)
def formula_symbolic(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """sympy derives t_S = (theta + sum_S w t)/W_S from P(t) = theta, and the exchange identity behind the min.

    For every nonempty S it solves ``sum_{i in S} w_i (t - t_i) = theta`` and checks the solution
    is the formula's term; for every ``j`` not in ``S`` it checks the identity
    ``t_S - t_{S+j} = w_j (t_S - t_j) / W_{S+j}``: adding an input that arrives before ``t_S``
    lowers the time, one that arrives after raises it, so the first crossing is the minimum.
    """
    start = time.perf_counter()
    d = int(size.get("d", 3))
    w = sympy.symbols(f"w0:{d}", positive=True)
    ts = sympy.symbols(f"t0:{d}", real=True)
    theta, t = sympy.symbols("theta t", positive=True)
    terms = {}
    for S in subsets(d):
        sol = sympy.solve(sympy.Eq(sum(w[i] * (t - ts[i]) for i in S), theta), t)
        expected = (theta + sum(w[i] * ts[i] for i in S)) / sum(w[i] for i in S)
        if len(sol) != 1 or sympy.simplify(sol[0] - expected) != 0:
            return Result("C1-sym", Verdict.UNKNOWN, time.perf_counter() - start,
                          reason=f"sympy did not derive the formula for S={S}: {sol}", size=dict(size), mode="symbolic")
        terms[S] = expected
    identities = 0
    for S, tS in terms.items():
        for j in range(d):
            if j in S:
                continue
            Sj = tuple(sorted(S + (j,)))
            lhs = tS - terms[Sj]
            rhs = w[j] * (tS - ts[j]) / sum(w[i] for i in Sj)
            if sympy.simplify(lhs - rhs) != 0:
                return Result("C1-sym", Verdict.REFUTED, time.perf_counter() - start,
                              details={"witness": f"identity fails for S={S}, j={j}"}, reason="identity fails",
                              size=dict(size), mode="symbolic")
            identities += 1
    return Result("C1-sym", Verdict.PROVED, time.perf_counter() - start,
                  reason=f"{len(terms)} crossing formulas derived, {identities} exchange identities hold (sympy)",
                  size=dict(size), mode="symbolic")
