"""C1: one neuron with positive weights and the linear kernel fires at the min-over-subsets time.

Singh, Fono, Kutyniok, *Expressivity of Spiking Neural Networks* (arXiv 2308.08218), the
single-neuron firing-time formula:

    t_v = min_{S nonempty} (theta + sum_{i in S} w_i t_i) / W_S,    W_S = sum_{i in S} w_i,

for weights ``w_i > 0``, threshold ``theta > 0`` and input spike times ``t_i``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from fractions import Fraction
from itertools import combinations
from typing import Any

import sympy
import z3

from verisnn.claims.registry import RunContext, claim
from verisnn.core.domain import Box
from verisnn.smt.snn import encode
from verisnn.smt.terms import q, total
from verisnn.core.errors import InternalError
from verisnn.io.formats import network_to_json
from verisnn.core.model import Network, layered
from verisnn.core.numbers import fmt
from verisnn.smt.parametric import param_neuron, weight_vars
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.semantics.simulate import realize
from verisnn.solvers import Query, SolverOptions, solve


def subsets(d: int) -> list[tuple[int, ...]]:
    return [S for r in range(1, d + 1) for S in combinations(range(d), r)]


def formula(weights: Sequence[Fraction], theta: Fraction, times: Sequence[Fraction]) -> Fraction:
    """The min-over-subsets time, exactly."""
    return min((theta + sum(weights[i] * times[i] for i in S)) / sum(weights[i] for i in S) for S in subsets(len(weights)))


def neuron(weights: Sequence[Fraction], theta: Fraction) -> Network:
    return layered(len(weights), [{"weights": [list(weights)], "thresholds": [theta]}])


def random_weights(d: int, seed: int) -> tuple[list[Fraction], Fraction]:
    rng = random.Random(seed)
    return [Fraction(rng.randint(1, 16), 4) for _ in range(d)], Fraction(rng.randint(1, 12), 4)


def _check_formula_cex(net: Network, weights, theta, xs) -> Counterexample:
    t = realize(net, xs)[0]
    f = formula(weights, theta, xs)
    if t == f:
        raise InternalError(f"solver found a C1 counterexample the simulator does not reproduce at {xs}")
    return Counterexample((tuple(xs),), ((t,),), f"firing time {fmt(t)} != min-over-subsets {fmt(f)}",
                          network_to_json(net))


def _formula_violation(t: z3.ArithRef, w: Sequence[Any], theta: Any, x: Sequence[Any]) -> z3.BoolRef:
    """``t != min_S (theta + sum w x)/W_S``, written without division (W_S > 0)."""
    below, equal = [], []
    for S in subsets(len(x)):
        W = total([w[i] for i in S])
        num = theta + total([w[i] * x[i] for i in S])
        below.append(num < t * W)
        equal.append(num == t * W)
    return z3.Or(z3.Or(*below), z3.Not(z3.Or(*equal)))


@claim("C1", expected="proved", mode="instance", sizes=[{"d": 2, "seed": 0}, {"d": 3, "seed": 1}, {"d": 5, "seed": 2}])
def formula_instances(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """One positive linear neuron equals min over S of (theta + sum_S w t)/W_S on a box (seeded weights)."""
    d = int(size.get("d", 3))
    weights, theta = random_weights(d, int(size.get("seed", 0)))
    net = neuron(weights, theta)
    box = Box.uniform(-4, 4, d)
    enc = encode(net, "a", box)
    query = Query(
        "C1",
        enc.constraints + [_formula_violation(enc.outputs[0], [q(w) for w in weights], q(theta), enc.inputs)],
        lambda m: _check_formula_cex(net, weights, theta, enc.read_inputs(m)),
        proved=f"w={[fmt(w) for w in weights]}, theta={fmt(theta)} on [-4,4]^{d}",
        size=dict(size),
    )
    return solve(query, SolverOptions.of(ctx))


def _family(d: int) -> tuple[list, z3.ArithRef, list, z3.ArithRef, list]:
    """Symbolic weights, threshold, inputs and the neuron's firing time with its constraints."""
    w = weight_vars("w", d)
    theta = z3.Real("theta")
    x = [z3.Real(f"t[x{i}]") for i in range(d)]
    pn = param_neuron("v", w, theta, x, may_be_silent=False)
    return w, theta, x, pn.time, pn.constraints


@claim("C1-param", expected="proved", mode="parametric", sizes=[{"d": 2}, {"d": 3}],
       limits={"d": (1, 4)})
def formula_parametric(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """For EVERY w in (0, 4]^d and theta in (0, 4] and all real inputs: t_v = min-over-subsets (NRA)."""
    d = int(size.get("d", 2))
    w, theta, x, t, cons = _family(d)
    hyp = [z3.And(wi > 0, wi <= 4) for wi in w] + [theta > 0, theta <= 4]

    def cex(m: Any) -> Counterexample:
        from verisnn.smt.terms import exact

        ws = [exact(m, wi) for wi in w]
        th = exact(m, theta)
        xs = [exact(m, xi) for xi in x]
        c = _check_formula_cex(neuron(ws, th), ws, th, xs)
        params = {f"w{i}": v for i, v in enumerate(ws)} | {"theta": th}
        return Counterexample(c.inputs, c.outputs, c.relation, c.network, params)

    return solve(Query("C1-param", hyp + cons + [_formula_violation(t, w, theta, x)], cex,
                       proved=f"all w in (0,4]^{d}, theta in (0,4], all real inputs", size=dict(size)),
                 SolverOptions.of(ctx))


@claim("C1-param-signed", expected="refuted", mode="parametric", sizes=[{"d": 2}], broken_of="C1",
       limits={"d": (1, 4)})
def formula_parametric_signed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: allow w in [-4, 4] (sum > 0); the min-over-subsets formula then fails."""
    d = int(size.get("d", 2))
    w, theta, x, t, cons = _family(d)
    hyp = [z3.And(wi >= -4, wi <= 4, wi != 0) for wi in w] + [total(w) > 0, theta > 0, theta <= 4]
    # the formula's denominators must be nonzero for it to make sense: only subsets with W_S > 0 count
    below, equal = [], []
    for S in subsets(d):
        W = total([w[i] for i in S])
        num = theta + total([w[i] * x[i] for i in S])
        below.append(z3.And(W > 0, num < t * W))
        equal.append(z3.And(W > 0, num == t * W))
    violation = z3.Or(z3.Or(*below), z3.Not(z3.Or(*equal)))

    def cex(m: Any) -> Counterexample:
        from verisnn.smt.terms import exact

        ws = [exact(m, wi) for wi in w]
        th = exact(m, theta)
        xs = [exact(m, xi) for xi in x]
        net = neuron(ws, th)
        tv = realize(net, xs)[0]
        cands = [(th + sum(ws[i] * xs[i] for i in S)) / sum(ws[i] for i in S) for S in subsets(d)
                 if sum(ws[i] for i in S) > 0]
        if cands and tv == min(cands):
            raise InternalError(f"C1-param-signed counterexample not reproduced at w={ws}, x={xs}")
        return Counterexample((tuple(xs),), ((tv,),), f"firing time {fmt(tv)} != min over positive-sum subsets "
                              f"{fmt(min(cands)) if cands else 'none'}", network_to_json(net),
                              {f"w{i}": v for i, v in enumerate(ws)} | {"theta": th})

    return solve(Query("C1-param-signed", hyp + cons + [violation], cex, size=dict(size)), SolverOptions.of(ctx))


@claim("C1-sym", expected="proved", mode="symbolic", sizes=[{"d": 3}, {"d": 4}], limits={"d": (1, 5)})
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
