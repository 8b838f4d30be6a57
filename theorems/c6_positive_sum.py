"""C6: "incoming weights summing to a positive number at every neuron imply continuity" is false.

An earlier version of Singh, Fono, Kutyniok (arXiv 2308.08218) stated that if every neuron's
incoming weights sum to a positive number, the realization is continuous (CPWL).  verisnn
searches the family parametrically: one neuron, fan-in ``d``, linear kernel, weights
``w in [-2, 2]^d`` with ``sum w > 0``, threshold ``theta in (0, 2]``, inputs in ``[0, 4]^d``.

Why a hit is a genuine discontinuity: the search also requires every positive subset sum
``W_S`` to be at least 1/4.  On a piece with causal set ``S`` the firing time is
``(theta + sum_S w_i x_i) / W_S``, whose gradient has l1 norm ``sum_S |w_i| / W_S <= 8 d``; a
continuous PWL map is Lipschitz with its largest piece slope, so it cannot move by 1 while its
inputs move by at most ``10^-6``.  The solver looks for exactly that: two inputs at l_inf
distance ``<= 10^-6`` whose firing times differ by at least 1.  The network and both inputs are
replayed in the exact simulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from itertools import combinations
from typing import Any

import z3

from verisnn.claims.registry import RunContext, claim
from verisnn.smt.terms import exact, q, total
from verisnn.core.errors import InternalError
from verisnn.io import network_to_json
from verisnn.core.numbers import fmt, is_finite
from verisnn.smt.parametric import one_neuron_from_model, param_neuron, weight_vars
from verisnn.core.results import Counterexample, Result
from verisnn.semantics.simulate import realize
from verisnn.solvers import Query, SolverOptions, solve

DELTA = Fraction(1, 10**6)
JUMP = Fraction(1)
MIN_SUBSET_SUM = Fraction(1, 4)


def _search(size: Mapping[str, Any], ctx: RunContext, positive: bool, subject: str,
            fixed: tuple[list[Fraction], Fraction] | None = None) -> Result:
    """The parametric search; with ``fixed`` parameters it is a linear search over inputs only."""
    d = int(size.get("d", 3))
    if fixed is None:
        w, theta = weight_vars("w", d), z3.Real("theta")
    else:
        w, theta = [q(v) for v in fixed[0]], q(fixed[1])
    x = weight_vars("t[x]@a", d)
    y = weight_vars("t[x]@b", d)
    a = param_neuron("v@a", w, theta, x)
    b = param_neuron("v@b", w, theta, y)
    lo = Fraction(1, 4) if positive else Fraction(-2)
    hyp = [z3.And(wi >= lo, wi <= 2) for wi in w] + [total(w) > 0, theta > 0, theta <= 2]
    for r in range(1, d + 1):
        for S in combinations(range(d), r):
            WS = total([w[i] for i in S])
            hyp.append(z3.Or(WS <= 0, WS >= z3.RealVal(str(MIN_SUBSET_SUM))))
    dom = [z3.And(v >= 0, v <= 4) for v in x + y]
    near = [z3.And(xi - yi <= z3.RealVal(str(DELTA)), yi - xi <= z3.RealVal(str(DELTA))) for xi, yi in zip(x, y)]
    jump = [a.fires, b.fires, b.time - a.time >= z3.RealVal(str(JUMP))]

    def counterexample(m: Any) -> Counterexample:
        if fixed is None:
            net, ws, th = one_neuron_from_model(m, w, theta)
        else:
            from verisnn.core.model import layered

            ws, th = list(fixed[0]), fixed[1]
            net = layered(d, [{"weights": [ws], "thresholds": [th]}])
        xs = tuple(exact(m, v) for v in x)
        ys = tuple(exact(m, v) for v in y)
        tx, ty = realize(net, xs)[0], realize(net, ys)[0]
        if not (is_finite(tx) and is_finite(ty) and ty - tx >= JUMP):
            raise InternalError(f"C6 witness not reproduced by the simulator: {xs}->{tx}, {ys}->{ty}")
        gap = max(abs(p - q) for p, q in zip(xs, ys))
        relation = (f"weights {[fmt(v) for v in ws]} sum to {fmt(sum(ws))} > 0, theta={fmt(th)}, yet inputs "
                    f"{gap and 'at distance ' + fmt(gap) or 'equal up to'} <= 10^-6 fire at {fmt(tx)} and {fmt(ty)}: "
                    f"a jump of {fmt(ty - tx)} where a continuous map could move by at most {fmt(8 * d * DELTA)}")
        return Counterexample((xs, ys), ((tx,), (ty,)), relation, network_to_json(net),
                              {f"w{i}": v for i, v in enumerate(ws)} | {"theta": th})

    query = Query(subject, hyp + dom + near + a.constraints + b.constraints + jump, counterexample,
                  proved=f"no jump >= 1 within 10^-6 for any fan-in-{d} neuron in the family", size=dict(size))
    result = solve(query, SolverOptions.of(ctx))
    if fixed is None and result.counterexample is not None:
        nicer = _rounded(result.counterexample.parameters, d)
        if nicer is not None and nicer != fixed:
            again = _search(size, ctx, positive, subject, nicer)
            if again.counterexample is not None:  # the same kind of witness, with simpler numbers
                result = Result(result.subject, result.verdict, result.seconds + again.seconds, again.counterexample,
                                result.reason, result.size, "parametric", result.details)
    return Result(result.subject, result.verdict, result.seconds, result.counterexample, result.reason, result.size,
                  "parametric", result.details)


def _rounded(params: Mapping[str, Fraction], d: int) -> tuple[list[Fraction], Fraction] | None:
    """The parameters rounded to quarters, if they stay in the family (signs, sums, ranges)."""
    ws = [Fraction(round(params[f"w{i}"] * 4), 4) for i in range(d)]
    theta = max(Fraction(1, 4), Fraction(round(params["theta"] * 4), 4))
    if any(v == 0 or abs(v) > 2 for v in ws) or sum(ws) <= 0 or theta > 2:
        return None
    for r in range(1, d + 1):
        for S in combinations(range(d), r):
            WS = sum(ws[i] for i in S)
            if 0 < WS < MIN_SUBSET_SUM:
                return None
    return ws, theta


@claim("C6", expected="refuted", mode="parametric", sizes=[{"d": 3}], limits={"d": (2, 4)})
def positive_sum_claim(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Earlier claim: every neuron's incoming weights sum > 0 => continuous. Search for a counterexample."""
    return _search(size, ctx, positive=False, subject="C6")


@claim("C6-positive", expected="proved", mode="parametric", sizes=[{"d": 2}], broken_of="C6", limits={"d": (2, 4)})
def positive_weights_search(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Paired check: with all weights positive (in [1/4, 2]) the same search finds no jump (unsat).

    Default size d = 2 (about 15 s); ``--size d=3`` is proved too, in about 50 s.
    """
    return _search(size, ctx, positive=True, subject="C6-positive")
