"""C9 (parametric): for EVERY positive weight vector, one neuron has exactly 2^d - 1 causal regions.

Singh, Montúfar, Kutyniok (*Polyhedral Geometry of Time-to-First-Spike Neural Networks*): a
neuron with d inputs, positive weights and the linear kernel has exactly ``2^d - 1`` causal
regions, whatever its weights.  With weights and threshold as solver variables
(``w in (0, 4]^d``, ``theta in (0, 4]``) verisnn proves, in nonlinear real arithmetic:

* *at most* ``2^d - 1``: the neuron always fires and its causal set is never empty (the potential
  is 0 until the first arrival), and for this neuron the causal pattern is its causal set (one
  kernel piece, no jumps), so patterns are nonempty subsets;
* *at least* ``2^d - 1``: for every nonempty ``S``, the input ``x_S`` (0 on ``S``,
  ``theta/W_S + 1`` elsewhere) has an l_inf ball of positive radius ``e`` (any ``e <= 1/4`` with
  ``4 e W_S <= theta``) on which the causal set is exactly ``S``.  So region ``S`` has interior.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from itertools import combinations
from typing import Any

import z3

from verisnn.claims.registry import RunContext, claim
from verisnn.smt.terms import exact, total
from verisnn.core.errors import InternalError
from verisnn.io import network_to_json
from verisnn.core.numbers import fmt
from verisnn.smt.parametric import one_neuron_from_model, param_neuron, weight_vars
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.semantics.simulate import simulate
from verisnn.solvers import Query, SolverOptions, solve


def _family(d: int) -> tuple[list, z3.ArithRef, list, Any]:
    w = weight_vars("w", d)
    theta = z3.Real("theta")
    y = [z3.Real(f"t[x{i}]") for i in range(d)]
    return w, theta, y, param_neuron("v", w, theta, y, may_be_silent=False)


def _cex(model: Any, w: list, theta: Any, y: list, want: str) -> Counterexample:
    net, ws, th = one_neuron_from_model(model, w, theta)
    ys = tuple(exact(model, v) for v in y)
    sim = simulate(net, ys)
    causal = sim.causal_sources("l1n0")
    return Counterexample((ys,), (sim.outputs,), f"causal set {causal} at t = {fmt(sim.outputs[0])}; {want}",
                          network_to_json(net), {f"w{i}": v for i, v in enumerate(ws)} | {"theta": th})


def _regions(size: Mapping[str, Any], ctx: RunContext, subject: str) -> Result:
    d = int(size.get("d", 2))
    start = time.perf_counter()
    opts = SolverOptions.of(ctx)
    w, theta, y, pn = _family(d)
    hyp = [z3.And(wi > 0, wi <= 4) for wi in w] + [theta > 0, theta <= 4]
    causal = [yi < pn.time for yi in y]
    empty = solve(Query(subject, hyp + pn.constraints + [z3.Not(z3.Or(*causal))],
                        lambda m: _cex(m, w, theta, y, "an empty causal set")), opts)
    if empty.verdict is not Verdict.PROVED:
        return empty
    proofs = 1
    for r in range(1, d + 1):
        for S in combinations(range(d), r):
            WS = total([w[i] for i in S])
            e = z3.Real("e")
            centre = [z3.RealVal(0) if i in S else theta / WS + 1 for i in range(d)]
            ball = [e > 0, e <= z3.RealVal("1/4"), 4 * e * WS <= theta]
            ball += [z3.And(yi - c <= e, c - yi <= e) for yi, c in zip(y, centre)]
            wrong = z3.Or(*[z3.Not(causal[i]) if i in S else causal[i] for i in range(d)])

            def cex(m: Any, S: tuple = S) -> Counterexample:
                names = [f"x{i}" for i in S]
                net, _, _ = one_neuron_from_model(m, w, theta)
                if simulate(net, tuple(exact(m, v) for v in y)).causal_sources("l1n0") == names:
                    raise InternalError(f"{subject}: ball counterexample not reproduced")
                return _cex(m, w, theta, y, f"expected {names} on the ball")

            res = solve(Query(subject, hyp + pn.constraints + ball + [wrong], cex), opts)
            if res.verdict is not Verdict.PROVED:
                return res
            proofs += 1
    count = 2 ** d - 1
    return Result(subject, Verdict.PROVED, time.perf_counter() - start,
                  reason=f"for all w in (0,4]^{d}, theta in (0,4]: exactly {count} causal regions "
                         f"({proofs} NRA proofs: no empty causal set; each of the {count} nonempty sets has an open ball)",
                  size=dict(size), mode="parametric")


@claim("C9-param", expected="proved", mode="parametric", sizes=[{"d": 2}, {"d": 3}], limits={"d": (1, 4)})
def one_neuron_every_weight(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """For EVERY w in (0, 4]^d, theta in (0, 4]: one neuron has exactly 2^d - 1 causal regions (NRA)."""
    return _regions(size, ctx, "C9-param")


@claim("C9-param-signed", expected="refuted", mode="parametric", sizes=[{"d": 2}], broken_of="C9-param",
       limits={"d": (2, 4)})
def one_neuron_signed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: with a negative weight allowed (w in [-4, 4], sum > 0) a set of inputs can be unrealizable.

    An inhibitory input alone never makes a neuron fire, so ``{x_{d-1}}`` with ``w_{d-1} < 0`` is
    never a causal set: the solver finds such weights and an input near ``x_S`` with another set.
    """
    d = int(size.get("d", 2))
    w, theta, y, pn = _family(d)
    hyp = [z3.And(wi >= -4, wi <= 4, wi != 0) for wi in w] + [total(w) > 0, theta > 0, theta <= 4]
    S = (d - 1,)
    WS = w[d - 1]
    e = z3.Real("e")
    centre = [z3.RealVal(0) if i in S else theta / WS + 1 for i in range(d)]
    ball = [e > 0, e <= z3.RealVal("1/4"), 4 * e * WS <= theta]
    ball += [z3.And(yi - c <= e, c - yi <= e) for yi, c in zip(y, centre)]
    causal = [yi < pn.time for yi in y]
    wrong = z3.Or(*[z3.Not(causal[i]) if i in S else causal[i] for i in range(d)])
    return solve(Query("C9-param-signed", hyp + pn.constraints + ball + [wrong],
                       lambda m: _cex(m, w, theta, y, f"expected ['x{d - 1}'] on the ball")), SolverOptions.of(ctx))
