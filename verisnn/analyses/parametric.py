"""Claims about every neuron of a family at once (weights and threshold as unknowns), and their instances.

Each function decides one statement about a one-neuron, linear-kernel family (see
:class:`verisnn.smt.parametric.Family` for the ranges) in nonlinear real arithmetic and returns a
:class:`~verisnn.core.results.Result` in mode ``"parametric"``.  A counterexample carries the
network (file form) and its parameters, and is replayed in the exact simulator before it is
reported; a model the simulator does not reproduce is an InternalError.  What nonlinear real
arithmetic can and cannot decide here is in docs/properties.md.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

from verisnn.core.domain import Box
from verisnn.core.errors import InternalError
from verisnn.core.model import Network, layered
from verisnn.core.numbers import Time, fmt, is_finite
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.io import network_to_json
from verisnn.semantics.simulate import realize, simulate
from verisnn.smt import parametric as P
from verisnn.smt.query import Query
from verisnn.solvers import SolverOptions, solve

Range = tuple[Fraction | int, Fraction | int]


def _range(r: Range) -> P.Range:
    return Fraction(r[0]), Fraction(r[1])


def neuron(weights: Sequence[Fraction], theta: Fraction) -> Network:
    """The one-neuron, linear-kernel network with these incoming weights (its neuron is ``l1n0``)."""
    return layered(len(weights), [{"weights": [list(weights)], "thresholds": [theta]}])


def min_over_subsets(weights: Sequence[Fraction], theta: Fraction, times: Sequence[Time], positive_only: bool = False
                     ) -> Fraction | None:
    """``min_S (theta + sum_S w_i t_i) / W_S`` over nonempty S (only ``W_S > 0`` with ``positive_only``), exactly."""
    terms = [(theta + sum(weights[i] * times[i] for i in S)) / sum(weights[i] for i in S)  # type: ignore[misc]
             for S in P.subsets(len(weights)) if not positive_only or sum(weights[i] for i in S) > 0]
    return min(terms) if terms else None


def _parameters(ws: Sequence[Fraction], th: Fraction) -> dict[str, Fraction]:
    return {f"w{i}": v for i, v in enumerate(ws)} | {"theta": th}


def _formula_counterexample(net: Network, ws: Sequence[Fraction], th: Fraction, xs: Sequence[Fraction],
                            signed: bool, parameters: bool) -> Counterexample:
    t = realize(net, xs)[0]
    f = min_over_subsets(ws, th, xs, positive_only=signed)
    if t == f:
        raise InternalError(f"min-over-subsets counterexample not reproduced by the simulator at w={ws}, x={xs}")
    what = "min over positive-sum subsets" if signed else "min-over-subsets"
    return Counterexample((tuple(xs),), ((t,),), f"firing time {fmt(t)} != {what} {fmt(f) if f is not None else 'none'}",
                          network_to_json(net), _parameters(ws, th) if parameters else {})


def min_formula_on_box(weights: Sequence[Fraction], theta: Fraction, box: Box, options: Any = None) -> Result:
    """The neuron with these (positive) weights fires at the min-over-subsets time at every input of ``box``."""
    net = neuron(weights, theta)
    constraints, enc = P.min_formula_instance(net, weights, theta, box)
    query = Query("min-formula", constraints,
                  lambda m: _formula_counterexample(net, weights, theta, enc.read_inputs(m), False, False),
                  proved=f"w={[fmt(w) for w in weights]}, theta={fmt(theta)} on {_box_text(box)}")
    return solve(query, SolverOptions.of(options))


def _box_text(box: Box) -> str:
    if len(set(box.lo)) == 1 and len(set(box.hi)) == 1:
        return f"[{fmt(box.lo[0])},{fmt(box.hi[0])}]^{box.dimension}"
    return " x ".join(f"[{fmt(lo)},{fmt(hi)}]" for lo, hi in zip(box.lo, box.hi))


def _ranges_text(d: int, weights: Range, theta: Range, signed: bool) -> str:
    lo, hi = _range(weights)
    w = f"[{fmt(-hi)},{fmt(hi)}]^{d} (nonzero, sum > 0)" if signed else f"{'(' if lo == 0 else '['}{fmt(lo)},{fmt(hi)}]^{d}"
    tlo, thi = _range(theta)
    return f"all w in {w}, theta in {'(' if tlo == 0 else '['}{fmt(tlo)},{fmt(thi)}]"


def _parametric(result: Result) -> Result:
    return replace(result, mode="parametric")


def min_formula_all_weights(d: int, weight_range: Range = (0, 4), theta_range: Range = (0, 4), signed: bool = False,
                            options: Any = None) -> Result:
    """For every neuron of the family and all real inputs: t_v = min over S of (theta + sum_S w t)/W_S.

    With ``signed`` the minimum runs over the subsets with ``W_S > 0`` only (the others have no
    crossing); the statement then fails, and the counterexample shows a neuron that disagrees.
    """
    fam = P.Family.of(d, _range(weight_range), _range(theta_range), signed)
    constraints, x = P.min_formula_violation(fam)

    def cex(m: Any) -> Counterexample:
        net, ws, th = fam.concrete(m)
        return _formula_counterexample(net, ws, th, P.read(m, x), signed, True)

    text = _ranges_text(d, weight_range, theta_range, signed) + ", all real inputs"
    return _parametric(solve(Query("min-formula", constraints, cex, proved=text), SolverOptions.of(options)))


def lipschitz_all_weights(d: int, weight_range: Range = (0, 4), theta_range: Range = (0, 4), L: Fraction | int = 1,
                          signed: bool = False, options: Any = None) -> Result:
    """For every neuron of the family and all real inputs x, y: ``|t(x) - t(y)| <= L |x - y|_inf``.

    Positive families always fire; a signed family may be silent, and firing on one of x, y only
    is a violation (the map jumps to ``inf``).
    """
    L = Fraction(L)
    fam = P.Family.of(d, _range(weight_range), _range(theta_range), signed)
    constraints, x, y = P.lipschitz_violation(fam, L, may_be_silent=signed)

    def cex(model: Any) -> Counterexample:
        net, ws, th = fam.concrete(model)
        xs, ys = P.read(model, x), P.read(model, y)
        tx, ty = realize(net, xs)[0], realize(net, ys)[0]
        gap = max(abs(p - r) for p, r in zip(xs, ys))
        if is_finite(tx) != is_finite(ty):
            relation = f"fires at {fmt(tx if is_finite(tx) else ty)} on one input and is silent on the other"
        elif is_finite(tx) and abs(ty - tx) > L * gap:  # type: ignore[operator]
            relation = f"|{fmt(ty)} - {fmt(tx)}| > {'' if L == 1 else fmt(L) + ' * '}|x - y|_inf = {fmt(gap)}"
        else:
            raise InternalError("Lipschitz counterexample of the family not reproduced by the simulator")
        return Counterexample((xs, ys), ((tx,), (ty,)), relation, network_to_json(net), _parameters(ws, th))

    what = "positive" if not signed else "signed"
    proved = f"every {what} fan-in-{d} neuron is {fmt(L)}-Lipschitz (l_inf), so continuous"
    if L == 1 and not signed:
        proved = f"every positive fan-in-{d} neuron is 1-Lipschitz (l_inf), so continuous"
    return _parametric(solve(Query("lipschitz", constraints, cex, proved=proved), SolverOptions.of(options)))


DELTA = Fraction(1, 10**6)
JUMP = Fraction(1)
MIN_SUBSET_SUM = Fraction(1, 4)


def search_jump(d: int, weight_range: Range = (-2, 2), theta_range: Range = (0, 2), signed: bool = True,
                inputs: Range = (0, 4), delta: Fraction = DELTA, jump: Fraction = JUMP,
                min_subset_sum: Fraction = MIN_SUBSET_SUM, fixed: tuple[Sequence[Fraction], Fraction] | None = None,
                options: Any = None) -> Result:
    """Search the family for two inputs within ``delta`` (l_inf) whose firing times differ by ``>= jump``.

    Every positive subset sum is at least ``min_subset_sum``, so every piece's slope is at most
    ``sum |w| / min_subset_sum``: a continuous member could not move by ``jump`` within ``delta``
    (for the defaults: by at most ``8 d delta``).  A hit is therefore a genuine discontinuity; it
    is re-searched with its parameters rounded to quarters (a linear query) for simpler numbers.
    Proved means no member of the family has such a jump on ``inputs^d``.  With ``fixed = (weights,
    theta)`` only that neuron is searched (a linear query over the inputs).
    """
    opts = SolverOptions.of(options)
    args = (d, _range(weight_range), _range(theta_range), signed, _range(inputs), delta, jump, min_subset_sum)
    result = _jump_query(*args, None if fixed is None else (list(fixed[0]), Fraction(fixed[1])), opts)
    if fixed is None and result.counterexample is not None:
        nicer = _rounded(result.counterexample.parameters, d, _range(weight_range), _range(theta_range), signed,
                         min_subset_sum)
        if nicer is not None:
            again = _jump_query(*args, nicer, opts)
            if again.counterexample is not None:  # the same kind of witness, with simpler numbers
                result = replace(result, seconds=result.seconds + again.seconds, counterexample=again.counterexample)
    return _parametric(result)


def _jump_query(d: int, weights: P.Range, theta: P.Range, signed: bool, box: P.Range, delta: Fraction, jump: Fraction,
                min_subset_sum: Fraction, fixed: tuple[list[Fraction], Fraction] | None, opts: SolverOptions) -> Result:
    fam = P.Family.of(d, weights, theta, signed, fixed)
    constraints, x, y = P.jump_violation(fam, box, delta, jump, min_subset_sum)

    def counterexample(m: Any) -> Counterexample:
        net, ws, th = fam.concrete(m)
        xs, ys = P.read(m, x), P.read(m, y)
        tx, ty = realize(net, xs)[0], realize(net, ys)[0]
        if not (is_finite(tx) and is_finite(ty) and ty - tx >= jump):  # type: ignore[operator]
            raise InternalError(f"jump witness not reproduced by the simulator: {xs}->{tx}, {ys}->{ty}")
        gap = max(abs(p - r) for p, r in zip(xs, ys))
        bound = sum(abs(v) for v in ws) / min_subset_sum * delta
        relation = (f"weights {[fmt(v) for v in ws]} sum to {fmt(sum(ws))} > 0, theta={fmt(th)}, yet inputs "
                    f"{gap and 'at distance ' + fmt(gap) or 'equal up to'} <= {fmt(delta)} fire at {fmt(tx)} and "
                    f"{fmt(ty)}: a jump of {fmt(ty - tx)} where a continuous map could move by at most {fmt(bound)}")  # type: ignore[operator]
        return Counterexample((xs, ys), ((tx,), (ty,)), relation, network_to_json(net), _parameters(ws, th))

    proved = f"no jump >= {fmt(jump)} within {fmt(delta)} for any fan-in-{d} neuron in the family"
    return solve(Query("jump", constraints, counterexample, proved=proved), opts)


def _rounded(params: dict[str, Fraction] | Any, d: int, weights: P.Range, theta: P.Range, signed: bool,
             min_subset_sum: Fraction) -> tuple[list[Fraction], Fraction] | None:
    """The parameters rounded to quarters, if they stay in the family (signs, sums, ranges)."""
    ws = [Fraction(round(params[f"w{i}"] * 4), 4) for i in range(d)]
    th = max(Fraction(1, 4), Fraction(round(params["theta"] * 4), 4))
    lo, hi = (-weights[1], weights[1]) if signed else weights
    if any(v == 0 or v < lo or v > hi for v in ws) or sum(ws) <= 0 or not theta[0] <= th <= theta[1]:
        return None
    if any(0 < sum(ws[i] for i in S) < min_subset_sum for S in P.subsets(d)):
        return None
    return ws, th


def causal_regions_all_weights(d: int, weight_range: Range = (0, 4), theta_range: Range = (0, 4),
                               signed: bool = False, options: Any = None) -> Result:
    """For every neuron of the family: exactly ``2^d - 1`` causal regions, each with interior.

    Proves *at most* (the neuron fires and its causal set is never empty) and *at least* (for
    every nonempty S the input ``x_S``, 0 on S and ``theta/W_S + 1`` elsewhere, has an l_inf ball
    of positive radius on which the causal set is exactly S), in ``2^d`` NRA queries.  The first
    query that is not proved is returned (a refutation names the set whose ball fails).
    """
    start = time.perf_counter()
    opts = SolverOptions.of(options)
    fam = P.Family.of(d, _range(weight_range), _range(theta_range), signed)

    def replayed(m: Any, x: list, S: tuple[int, ...] | None) -> Counterexample:
        net, ws, th = fam.concrete(m)
        xs = P.read(m, x)
        sim = simulate(net, xs)
        causal = sim.causal_sources("l1n0")
        want = "an empty causal set" if S is None else f"expected {[f'x{i}' for i in S]} on the ball"
        reproduced = causal == [] if S is None else causal != [f"x{i}" for i in S]
        if not reproduced:
            raise InternalError(f"causal-region counterexample not reproduced by the simulator ({want})")
        return Counterexample((xs,), (sim.outputs,), f"causal set {causal} at t = {fmt(sim.outputs[0])}; {want}",
                              network_to_json(net), _parameters(ws, th))

    constraints, x = P.empty_causal_set(fam)
    empty = solve(Query("causal-regions", constraints, lambda m: replayed(m, x, None)), opts)
    if empty.verdict is not Verdict.PROVED:
        return _parametric(empty)
    proofs = 1
    for S in _order(d, signed):
        constraints, x = P.causal_ball_violation(fam, S)
        res = solve(Query("causal-regions", constraints, lambda m, S=S, x=x: replayed(m, x, S)), opts)
        if res.verdict is not Verdict.PROVED:
            return _parametric(res)
        proofs += 1
    count = 2 ** d - 1
    return Result("causal-regions", Verdict.PROVED, time.perf_counter() - start,
                  reason=f"for {_ranges_text(d, weight_range, theta_range, signed)}: exactly {count} causal regions "
                         f"({proofs} NRA proofs: no empty causal set; each of the {count} nonempty sets has an open ball)",
                  mode="parametric")


def _order(d: int, signed: bool) -> list[tuple[int, ...]]:
    """The sets whose balls are checked; a signed family tries the singletons from the last input first."""
    sets = P.subsets(d)
    if signed:
        sets = [S for S in reversed(sets) if len(S) == 1] + [S for S in sets if len(S) > 1]
    return sets
