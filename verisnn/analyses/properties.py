"""Properties of a network's realization on a box, decided exactly (SPEC §4, ``verisnn check``).

``check_property(net, prop, box, options) -> Result`` for ``prop`` in

* ``monotone``: ``x <= y`` (componentwise) implies ``R(x) <= R(y)``;
* ``concave``: ``R((x + y)/2) >= (R(x) + R(y))/2``.  Midpoint concavity is exact for PWL maps: a
  midpoint-concave function that is measurable (a PWL map is) is concave (Sierpinski), and a
  violation at the midpoint is a violation of concavity;
* ``lipschitz[=L]``: ``|R(x) - R(y)|_inf <= L |x - y|_inf`` (default ``L = 1``, the constant of
  positive linear networks);
* ``translation``: ``R(x + c*1) = R(x) + c*1`` whenever ``x`` and ``x + c*1`` lie in the box;
* ``bounds``: the exact minimum and maximum of every output over the box, with inputs attaining
  them (an infimum that is only approached is reported as such);
* ``continuous``: decided exactly, see :func:`slope_bound`.

Silent outputs are ``+inf``, with the usual order (``inf`` is above every time) and ``inf + c =
inf``: an output that is silent on ``y`` but fires on ``x >= y`` breaks monotonicity; a silent
endpoint with a firing midpoint breaks concavity; an output silent on one input and firing on
the other breaks the Lipschitz, translation and continuity properties (the map jumps to ``inf``).

Every counterexample is replayed in the exact simulator and the violated relation is re-checked
on the simulator's outputs before it is reported; a mismatch raises InternalError.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import product
from math import lcm
from typing import Any

import z3

from verisnn.core.domain import Box
from verisnn.smt.snn import NetworkEncoding, encode, encode_below
from verisnn.smt.terms import exact, q
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.model import Network
from verisnn.core.numbers import INF, Time, fmt, is_finite
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.semantics.simulate import realize
from verisnn.solvers import Query, SolverOptions, decide, optimize, solve

PROPERTIES = ("monotone", "concave", "lipschitz", "translation", "bounds", "continuous")


def parse_property(text: str) -> tuple[str, Fraction | None]:
    """``"lipschitz=3/2"`` -> ``("lipschitz", 3/2)``; other names carry no parameter."""
    name, sep, arg = text.strip().lower().partition("=")
    if name not in PROPERTIES:
        raise InvalidInput(f"unknown property {text!r}; choose from {', '.join(PROPERTIES)} (lipschitz=L)")
    if sep and name != "lipschitz":
        raise InvalidInput(f"property {name!r} takes no parameter, got {text!r}")
    if not sep:
        return name, None
    from verisnn.core.numbers import parse_rational

    value = parse_rational(arg, f"Lipschitz constant {arg!r}")
    if value < 0:
        raise InvalidInput(f"Lipschitz constant must be >= 0, got {fmt(value)}")
    return name, value


def _check_box(net: Network, box: Box) -> None:
    if box.dimension != net.dimension:
        raise InvalidInput(f"domain has {box.dimension} intervals but the network has {net.dimension} inputs")


def check_property(net: Network, prop: str, box: Box, options: Any = None) -> Result:
    """Decide ``prop`` for ``net`` on ``box`` (see the module docstring)."""
    name, arg = parse_property(prop)
    _check_box(net, box)
    opts = SolverOptions.of(options)
    if name == "bounds":
        return output_bounds(net, box, opts)
    if name == "continuous":
        return continuity(net, box, opts)
    if name in ("monotone", "concave") and not opts.smt2:
        composed = compositional(net, box, name, opts)
        if composed is not None:
            return composed
    builder: Callable[..., Query] = {"monotone": _monotone, "concave": _concave, "translation": _translation}.get(
        name, _lipschitz)
    query = builder(net, box, arg) if name == "lipschitz" else builder(net, box)
    return solve(query, opts)


def compositional(net: Network, box: Box, name: str, options: SolverOptions) -> Result | None:
    """Prove ``monotone`` or ``concave`` neuron by neuron for a positive linear network, or return None.

    Each neuron ``v`` is checked alone (a one-neuron network whose inputs are ``v``'s sources) on
    the box of its sources' firing-time bounds (:func:`verisnn.semantics.bounds.firing_bounds`, which
    contains every value the sources take on ``box``).  Composition is sound: a composition of
    nondecreasing maps is nondecreasing, and a concave map that is nondecreasing in every argument,
    applied to concave maps, is concave (delays add constants, references are constants, inputs
    are the identity).  So if every local query is proved the property holds on ``box``.  When a
    local query is not proved (the source box over-approximates the reachable set, or a solver
    gave up) the caller falls back to the monolithic query, which decides the property exactly.
    """
    from verisnn.semantics.bounds import firing_bounds
    from verisnn.core.model import Neuron, Reference, Synapse

    if not net.positive_linear or len(net.neurons) < 2:
        return None
    start = _time.perf_counter()
    bounds = firing_bounds(net, box)
    local_queries = 0
    for v in net.order:
        live = [s for s in net.incoming[v] if bounds[s.source].may_fire]
        if not live:
            continue
        inputs = sorted({s.source for s in live if s.source not in net.reference_times})
        refs = tuple(Reference(r, net.reference_times[r]) for r in sorted({s.source for s in live}) if r not in inputs)
        if not inputs:
            continue  # fires at a constant time
        neuron = Network(tuple(inputs), (Neuron(v, net.thresholds[v]),),
                         tuple(Synapse(s.source, v, s.weight, s.delay) for s in live), (v,), refs)
        local_box = Box(tuple(bounds[u].lo for u in inputs), tuple(bounds[u].hi for u in inputs))  # type: ignore[misc]
        for builder in (_monotone,) if name == "monotone" else (_monotone, _concave):
            result = solve(builder(neuron, local_box), options)
            local_queries += 1
            if result.verdict is not Verdict.PROVED:
                return None
    seconds = _time.perf_counter() - start  # timing
    what = "nondecreasing" if name == "monotone" else "concave and nondecreasing"
    return Result(name, Verdict.PROVED, seconds,
                  reason=f"compositional ({local_queries} local queries): every neuron is {what} in its sources on their "
                         f"bound box, so R is {'nondecreasing' if name == 'monotone' else 'concave'} on the box",
                  details={"local_queries": local_queries, "method": "compositional"})


# --- helpers ---------------------------------------------------------------------------------


def _vars(net: Network, tag: str) -> list[z3.ArithRef]:
    return [z3.Real(f"t[{x}]@{tag}") for x in net.inputs]


def _larger(net: Network, tag: str, box: Box, inputs: Sequence[z3.ArithRef]) -> NetworkEncoding:
    """The copy on the larger side of a ``<=`` relation.

    For positive-weight linear-kernel networks this is the hypograph encoding
    (:func:`verisnn.smt.snn.encode_below`, no case splits): its outputs range over every value
    ``<= R(x)``, so a violation with them on the larger side is a real violation, and ``R(x)``
    itself is among them.  Otherwise the exact encoding.
    """
    return encode_below(net, tag, box, inputs) if net.positive_linear else encode(net, tag, box, inputs)


def _fmt_vec(v: Sequence[Time]) -> str:
    return "[" + ", ".join(fmt(a) for a in v) + "]"


def _replayed(net: Network, xs: Sequence[Sequence[Fraction]], holds: Callable[..., str | None], subject: str,
              ) -> Counterexample:
    """Simulate each input vector; ``holds`` returns the violated relation in words or None."""
    outs = [realize(net, x) for x in xs]
    relation = holds(*outs)
    if relation is None:
        raise InternalError(f"{subject}: the solver's counterexample {[_fmt_vec(x) for x in xs]} is not reproduced "
                            f"by the exact simulator (outputs {[_fmt_vec(o) for o in outs]})")
    return Counterexample(tuple(tuple(x) for x in xs), tuple(outs), relation)


def _le(a: Time, b: Time) -> bool:
    return (not is_finite(b)) or (is_finite(a) and a <= b)  # type: ignore[operator]


# --- order properties ------------------------------------------------------------------------


def _monotone(net: Network, box: Box) -> Query:
    x, y = _vars(net, "a"), _vars(net, "b")
    a, b = _larger(net, "a", box, x), encode(net, "b", box, y)
    order = [xi <= yi for xi, yi in zip(x, y)]
    bad = z3.Or(*[z3.Or(z3.And(z3.Not(fa), fb), z3.And(fa, fb, ta > tb))
                  for ta, fa, tb, fb in zip(a.outputs, a.output_fires, b.outputs, b.output_fires)])

    def holds(rx: tuple, ry: tuple) -> str | None:
        for o, u, v in zip(net.outputs, rx, ry):
            if not _le(u, v):
                return f"x <= y but output {o}: R(x) = {fmt(u)} > R(y) = {fmt(v)}"
        return None

    return Query("monotone", a.constraints + b.constraints + order + [bad],
                 lambda m: _replayed(net, [a.read_inputs(m), b.read_inputs(m)], holds, "monotone"),
                 proved="x <= y implies R(x) <= R(y) on the box")


def _concave(net: Network, box: Box) -> Query:
    x, y = _vars(net, "a"), _vars(net, "b")
    mid = [(xi + yi) / 2 for xi, yi in zip(x, y)]
    a, b = _larger(net, "a", box, x), _larger(net, "b", box, y)
    m = encode(net, "m", box, mid)
    bad = []
    for ta, fa, tb, fb, tm, fm in zip(a.outputs, a.output_fires, b.outputs, b.output_fires, m.outputs, m.output_fires):
        bad.append(z3.And(fm, z3.Or(z3.Not(fa), z3.Not(fb), 2 * tm < ta + tb)))

    def holds(rx: tuple, ry: tuple, rm: tuple) -> str | None:
        for o, u, v, w in zip(net.outputs, rx, ry, rm):
            if is_finite(w) and (not is_finite(u) or not is_finite(v) or 2 * w < u + v):  # type: ignore[operator]
                return (f"output {o}: R((x+y)/2) = {fmt(w)} < (R(x) + R(y))/2 with R(x) = {fmt(u)}, "
                        f"R(y) = {fmt(v)}")
        return None

    def cex(model: Any) -> Counterexample:
        xs, ys = a.read_inputs(model), b.read_inputs(model)
        ms = tuple((p + r) / 2 for p, r in zip(xs, ys))
        return _replayed(net, [xs, ys, ms], holds, "concave")

    return Query("concave", a.constraints + b.constraints + m.constraints + [z3.Or(*bad)], cex,
                 proved="R((x+y)/2) >= (R(x)+R(y))/2 on the box (midpoint concavity, exact for PWL maps)")


def _lipschitz(net: Network, box: Box, L: Fraction | None, subject: str = "lipschitz") -> Query:
    L = Fraction(1) if L is None else L
    x, y = _vars(net, "a"), _vars(net, "b")
    # x and y range over the same box, so R(x) - R(y) > L*dist alone is as strong as |.| > L*dist;
    # x is then the larger side (hypograph copy for positive linear networks).
    a, b = _larger(net, "a", box, x), encode(net, "b", box, y)
    dist = z3.Real("dist")
    near = [z3.And(xi - yi <= dist, yi - xi <= dist) for xi, yi in zip(x, y)]
    bad = []
    for ta, fa, tb, fb in zip(a.outputs, a.output_fires, b.outputs, b.output_fires):
        bad.append(z3.Or(fa != fb, z3.And(fa, fb, ta - tb > q(L) * dist)))

    def holds(rx: tuple, ry: tuple, xs: Sequence[Fraction], ys: Sequence[Fraction]) -> str | None:
        gap = max((abs(p - r) for p, r in zip(xs, ys)), default=Fraction(0))
        for o, u, v in zip(net.outputs, rx, ry):
            if is_finite(u) != is_finite(v):
                return f"output {o} fires at {fmt(u if is_finite(u) else v)} on one input and is silent on the other"
            if is_finite(u) and abs(u - v) > L * gap:  # type: ignore[operator]
                return f"output {o}: |{fmt(u)} - {fmt(v)}| = {fmt(abs(u - v))} > {fmt(L)} * |x - y|_inf = {fmt(L * gap)}"
        return None

    def cex(model: Any) -> Counterexample:
        xs, ys = a.read_inputs(model), b.read_inputs(model)
        return _replayed(net, [xs, ys], lambda rx, ry: holds(rx, ry, xs, ys), subject)

    return Query(subject, a.constraints + b.constraints + near + [z3.Or(*bad)], cex,
                 proved=f"|R(x) - R(y)|_inf <= {fmt(L)} |x - y|_inf on the box", details={"L": L})


def _translation(net: Network, box: Box) -> Query:
    x = _vars(net, "a")
    c = z3.Real("c")
    shifted = [xi + c for xi in x]
    a, b = encode(net, "a", box, x), encode(net, "b", box, shifted)
    bad = [z3.Or(fa != fb, z3.And(fa, fb, tb != ta + c))
           for ta, fa, tb, fb in zip(a.outputs, a.output_fires, b.outputs, b.output_fires)]

    def cex(model: Any) -> Counterexample:
        xs = a.read_inputs(model)
        cv = exact(model, c)
        ys = tuple(v + cv for v in xs)  # type: ignore[operator]

        def holds(rx: tuple, ry: tuple) -> str | None:
            for o, u, v in zip(net.outputs, rx, ry):
                want = u + cv if is_finite(u) else INF  # type: ignore[operator]
                if v != want:
                    return f"output {o}: R(x + {fmt(cv)}*1) = {fmt(v)} != R(x) + {fmt(cv)} = {fmt(want)}"
            return None

        return _replayed(net, [xs, ys], holds, "translation")

    return Query("translation", a.constraints + b.constraints + [z3.Or(*bad)], cex,
                 proved="R(x + c*1) = R(x) + c*1 whenever both inputs lie in the box")


# --- bounds ----------------------------------------------------------------------------------


def output_bounds(net: Network, box: Box, options: SolverOptions) -> Result:
    """Exact min and max of every output over the box, each confirmed by a second (decision) query."""
    start = _time.perf_counter()
    enc = encode(net, "a", box)
    found: dict[str, dict[str, Any]] = {}
    for o, t, f in zip(net.outputs, enc.outputs, enc.output_fires):
        entry: dict[str, Any] = {}
        silent = decide(enc.constraints + [z3.Not(f)], options)
        if silent.status == "unknown":
            return _unknown(start, f"deciding whether {o} can be silent: {silent.reason}")
        entry["can_be_silent"] = silent.status == "sat"
        for side, maximize in (("min", False), ("max", True)):
            if maximize and entry["can_be_silent"]:
                x = enc.read_inputs(silent.model)
                if is_finite(realize(net, x)[net.outputs.index(o)]):
                    raise InternalError(f"bounds: {o} not silent at {_fmt_vec(x)} as the solver claimed")
                entry["max"], entry["argmax"], entry["max_attained"] = INF, list(x), True
                continue
            opt = optimize(enc.constraints + [f], t, maximize, options)
            if opt.status == "infeasible":
                entry[side] = INF
                entry[f"arg{side}"] = None
                continue
            if opt.status != "optimal":
                return _unknown(start, f"{side} of {o}: {opt.reason or opt.status}")
            value = opt.value
            beyond = (t > q(value)) if maximize else (t < q(value))  # type: ignore[arg-type]
            check = decide(enc.constraints + [f, beyond], options)
            if check.status != "unsat":
                return _unknown(start, f"{side} of {o} = {fmt(value)} not confirmed ({check.status})")
            x = enc.read_inputs(opt.model)
            out = realize(net, x)[net.outputs.index(o)]
            if opt.attained and out != value:
                raise InternalError(f"bounds: {o} at {_fmt_vec(x)} is {fmt(out)}, optimizer said {fmt(value)}")
            entry[side], entry[f"arg{side}"], entry[f"{side}_attained"] = value, list(x), opt.attained
        found[o] = entry
    summary = "; ".join(f"{o} in [{fmt(e['min'])}, {fmt(e['max'])}]" for o, e in found.items())
    return Result("bounds", Verdict.PROVED, _time.perf_counter() - start, reason=summary,
                  details={"bounds": found})


def _unknown(start: float, reason: str) -> Result:
    return Result("bounds", Verdict.UNKNOWN, _time.perf_counter() - start, reason=reason)


# --- continuity ------------------------------------------------------------------------------

MAX_ENUMERATION = 1 << 14


def _ratio_bound(terms: list[list[Fraction]]) -> Fraction:
    """``max sum |c_k| / sum c_k`` over choices of one coefficient per synapse (0 = not causal), sum > 0.

    ``terms[k]`` lists synapse k's possible coefficients ``w_k * slope`` (nonzero ones).  Exact by
    enumeration when small; otherwise a sound upper bound using that every positive sum of these
    rationals is at least ``1 / lcm(denominators)``.
    """
    options = [[Fraction(0)] + t for t in terms if t]
    if not options:
        return Fraction(0)
    if all(c > 0 for t in terms for c in t):
        return Fraction(1)
    count = 1
    for o in options:
        count *= len(o)
    if count <= MAX_ENUMERATION:
        best = Fraction(0)
        for choice in product(*options):
            s = sum(choice)
            if s > 0:
                best = max(best, sum(abs(c) for c in choice) / s)
        return best
    denominator = lcm(*[c.denominator for o in options for c in o])
    return sum(max(abs(c) for c in o) for o in options) * denominator


def slope_bound(net: Network) -> Fraction:
    """A sound upper bound on ``|grad R_o|_1`` over every affine piece of every output.

    On a piece where ``v`` crosses its threshold inside linear kernel pieces,
    ``t_v = (theta - c + sum_k w_k s_k a_k) / S`` with ``S = sum_k w_k s_k > 0`` over the causal
    synapses (``s_k`` their kernel slopes, ``a_k`` their arrival times), so
    ``|grad t_v|_1 <= (sum_k |w_k s_k| / S) * max_k |grad a_k|_1``; where ``v`` fires at a
    breakpoint (a jump, or a touch), ``t_v = a_k + const``.  Inputs have gradient norm 1,
    references 0.  A PWL map on a box is continuous iff it is Lipschitz (l_inf -> l_inf) with
    this constant, which turns continuity into one exact solver query.
    """
    g: dict[str, Fraction] = {x: Fraction(1) for x in net.inputs}
    g.update({r.name: Fraction(0) for r in net.references})
    for v in net.order:
        incoming = net.incoming[v]
        upstream = max((g[s.source] for s in incoming), default=Fraction(0))
        terms = [[s.weight * p.slope for p in net.kernel_of(s).pieces if s.weight * p.slope != 0] for s in incoming]
        g[v] = max(Fraction(1), _ratio_bound(terms)) * upstream
    return max((g[o] for o in net.outputs), default=Fraction(0))


def continuity(net: Network, box: Box, options: SolverOptions) -> Result:
    """Continuity on the box, decided exactly: Lipschitz with :func:`slope_bound`, then a jump witness."""
    L = slope_bound(net)
    result = solve(_lipschitz(net, box, L, "continuous"), options)
    if result.verdict is Verdict.PROVED:
        return Result("continuous", Verdict.PROVED, result.seconds,
                      reason=f"continuous: {fmt(L)}-Lipschitz on the box, and {fmt(L)} bounds the slope of every "
                             "affine piece", details={**result.details, "L": L})
    if result.verdict is Verdict.UNKNOWN:
        return Result("continuous", Verdict.UNKNOWN, result.seconds, reason=result.reason, details=result.details)
    cex = result.counterexample
    assert cex is not None
    witness = _jump_witness(net, box, cex.inputs[0], cex.inputs[1], L)
    return Result("continuous", Verdict.REFUTED, result.seconds, witness, details={**result.details, "L": L})


def _violates(net: Network, x: Sequence[Fraction], y: Sequence[Fraction], L: Fraction) -> Fraction | None:
    """The output gap between x and y if it exceeds ``L |x - y|_inf`` (INF for fires vs silent), else None."""
    gap = max((abs(p - r) for p, r in zip(x, y)), default=Fraction(0))
    worst: Fraction | None = None
    for u, v in zip(realize(net, x), realize(net, y)):
        if is_finite(u) != is_finite(v):
            return INF  # type: ignore[return-value]
        if is_finite(u) and abs(u - v) > L * gap:  # type: ignore[operator]
            worst = abs(u - v) if worst is None else max(worst, abs(u - v))  # type: ignore[operator]
    return worst


def _snap(net: Network, a: tuple, b: tuple, L: Fraction, box: Box) -> tuple[tuple, tuple]:
    """Move a violating pair onto a point with small denominators when that keeps the violation.

    Jumps often sit at simple points (a tie such as x1 = x0 + 1); a witness there reads better.
    """
    step = tuple(r - p for p, r in zip(a, b))
    for den in (1, 2, 4, 8, 16, 32, 64, 128, 256, 1024):
        c = tuple(Fraction(round(p * den), den) for p in a)
        for lo, hi in ((c, tuple(p + d for p, d in zip(c, step))), (tuple(p - d for p, d in zip(c, step)), c)):
            if box.contains(lo) and box.contains(hi) and _violates(net, lo, hi, L) is not None:
                return lo, hi
    return a, b


def _jump_witness(net: Network, box: Box, x: Sequence[Fraction], y: Sequence[Fraction], L: Fraction, steps: int = 32
                  ) -> Counterexample:
    """Bisect the segment [x, y] keeping a Lipschitz violation: it closes in on a jump.

    If neither half of a violating segment violated the bound, the triangle inequality would give
    ``|R(x) - R(y)| <= L |x - y|``; so one half always does.  After ``steps`` halvings the two
    points are ``2^-steps`` times closer and their outputs still differ by more than ``L`` times
    their distance: as the points approach the jump the difference stays at the jump's size.
    """
    a, b = tuple(x), tuple(y)
    if _violates(net, a, b, L) is None:
        raise InternalError("continuity witness does not violate the Lipschitz bound in the simulator")
    for _ in range(steps):
        m = tuple((p + r) / 2 for p, r in zip(a, b))
        if _violates(net, a, m, L) is not None:
            b = m
        elif _violates(net, m, b, L) is not None:
            a = m
        else:
            raise InternalError("bisection lost the Lipschitz violation (triangle inequality broken)")
    a, b = _snap(net, a, b, L, box)
    ra, rb = realize(net, a), realize(net, b)
    gap = max(abs(p - r) for p, r in zip(a, b))
    jump = _violates(net, a, b, L)
    if jump == INF:
        what = "one of them fires and the other is silent"
    else:
        what = f"their outputs differ by {fmt(jump)}"
    relation = (f"discontinuous: {_fmt_vec(a)} and {_fmt_vec(b)} (l_inf distance {fmt(gap)}): {what}, while a continuous "
                f"realization could differ by at most {fmt(L)} * {fmt(gap)} (L bounds every piece's slope)")
    return Counterexample((a, b, tuple(x), tuple(y)), (ra, rb, realize(net, x), realize(net, y)), relation)
