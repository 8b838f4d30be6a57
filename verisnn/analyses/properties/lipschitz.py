"""Metric properties: ``lipschitz=L``, ``translation``, and ``continuous`` (decided exactly).

* ``lipschitz=L``: ``|R(x) - R(y)|_inf <= L |x - y|_inf`` (default ``L = 1``, the constant of
  positive linear networks).  Also for ReLU networks, whose outputs are always finite.
* ``translation``: ``R(x + c*1) = R(x) + c*1`` whenever ``x`` and ``x + c*1`` lie in the box.
* ``continuous``: a PWL map on a box is continuous iff it is Lipschitz with the largest slope of
  its pieces; :func:`slope_bound` bounds that slope from the weights and kernels alone, so
  continuity is one exact Lipschitz query.  A refutation is narrowed by bisection to a pair of
  very close inputs whose outputs stay far apart (the jump witness).

Silent outputs are ``+inf`` with ``inf + c = inf``: an output silent on one input and firing on
the other breaks all three (the map jumps to ``inf``).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import product
from math import ceil, floor, lcm
from typing import Any

from verisnn.analyses.properties.base import Property, fmt_vec, linf, query_of
from verisnn.core.domain import Box
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.numbers import INF, fmt, is_finite, parse_rational
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.semantics.simulate import realize
from verisnn.smt.properties import lipschitz_violation, relu_lipschitz_violation, translation_violation
from verisnn.smt.query import Query
from verisnn.solvers import SolverOptions, solve


def parse_constant(text: str) -> Fraction:
    """A Lipschitz constant: an exact rational ``>= 0``."""
    value = parse_rational(text, f"Lipschitz constant {text!r}")
    if value < 0:
        raise InvalidInput(f"Lipschitz constant must be >= 0, got {fmt(value)}")
    return value


def lipschitz_query(net: Network | ReluNetwork, box: Box, L: Fraction | None, subject: str = "lipschitz") -> Query:
    """Satisfiable iff some x, y in the box have ``|R(x) - R(y)|_inf > L |x - y|_inf`` (or fire vs silent)."""
    L = Fraction(1) if L is None else L
    if isinstance(net, ReluNetwork):
        def relu_holds(xs: tuple, outs: tuple) -> str | None:
            jump = linf(*outs)
            return f"|f(x) - f(y)|_inf = {fmt(jump)} > {fmt(L)} * {fmt(linf(*xs))}" if jump > L * linf(*xs) else None

        return query_of(subject, relu_lipschitz_violation(net, box, L), net, relu_holds,
                        f"{fmt(L)}-Lipschitz (l_inf) on the box, hence continuous", L=L)

    def holds(xs: tuple, outs: tuple) -> str | None:
        gap = linf(*xs)
        for o, u, v in zip(net.outputs, *outs):
            if is_finite(u) != is_finite(v):
                return f"output {o} fires at {fmt(u if is_finite(u) else v)} on one input and is silent on the other"
            if is_finite(u) and abs(u - v) > L * gap:  # type: ignore[operator]
                return f"output {o}: |{fmt(u)} - {fmt(v)}| = {fmt(abs(u - v))} > {fmt(L)} * |x - y|_inf = {fmt(L * gap)}"
        return None

    return query_of(subject, lipschitz_violation(net, box, L), lambda x: realize(net, x), holds,
                    f"|R(x) - R(y)|_inf <= {fmt(L)} |x - y|_inf on the box", L=L)


def translation_query(net: Network, box: Box, _: Any = None) -> Query:
    """Satisfiable iff some x, x + c*1 in the box have an output with ``R(x + c*1) != R(x) + c``."""
    def holds(xs: tuple, outs: tuple) -> str | None:
        c = xs[1][0] - xs[0][0]
        for o, u, v in zip(net.outputs, *outs):
            want = u + c if is_finite(u) else INF  # type: ignore[operator]
            if v != want:
                return f"output {o}: R(x + {fmt(c)}*1) = {fmt(v)} != R(x) + {fmt(c)} = {fmt(want)}"
        return None

    return query_of("translation", translation_violation(net, box), lambda x: realize(net, x), holds,
                    "R(x + c*1) = R(x) + c*1 whenever both inputs lie in the box")


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
    result = solve(lipschitz_query(net, box, L, "continuous"), options)
    if result.verdict is Verdict.PROVED:
        return Result("continuous", Verdict.PROVED, result.seconds,
                      reason=f"continuous: {fmt(L)}-Lipschitz on the box, and {fmt(L)} bounds the slope of every "
                             "affine piece", details={**result.details, "L": L})
    if result.verdict is Verdict.UNKNOWN:
        return Result("continuous", Verdict.UNKNOWN, result.seconds, reason=result.reason, details=result.details)
    cex = result.counterexample
    assert cex is not None
    witness = jump_witness(net, box, cex.inputs[0], cex.inputs[1], L)
    return Result("continuous", Verdict.REFUTED, result.seconds, witness, details={**result.details, "L": L})


def _violates(net: Network, x: Sequence[Fraction], y: Sequence[Fraction], L: Fraction) -> Fraction | None:
    """The output gap between x and y if it exceeds ``L |x - y|_inf`` (INF for fires vs silent), else None."""
    gap = linf(x, y)
    worst: Fraction | None = None
    for u, v in zip(realize(net, x), realize(net, y)):
        if is_finite(u) != is_finite(v):
            return INF  # type: ignore[return-value]
        if is_finite(u) and abs(u - v) > L * gap:  # type: ignore[operator]
            worst = abs(u - v) if worst is None else max(worst, abs(u - v))  # type: ignore[operator]
    return worst


MAX_GRID = 2000


def _grid(box: Box, den: int) -> list[tuple[Fraction, ...]] | None:
    """The points of the box with coordinates in ``Z / den``, lexicographically, or None if there are too many."""
    axes = []
    count = 1
    for lo, hi in zip(box.lo, box.hi):
        axes.append([Fraction(k, den) for k in range(ceil(lo * den), floor(hi * den) + 1)])
        count *= len(axes[-1])
        if count > MAX_GRID:
            return None
    return list(product(*axes))


def _snap(net: Network, a: tuple, b: tuple, L: Fraction, box: Box) -> tuple[tuple, tuple]:
    """Move a violating pair onto a point with small denominators when that keeps the violation.

    Jumps often sit at simple points (a tie such as x1 = x0 + 1); a witness there reads better.
    The pair keeps its direction ``b - a``; for each denominator the box's grid points are tried
    in lexicographic order when there are few (so the witness does not depend on which violating
    pair the solver happened to return), else the point nearest ``a``.
    """
    step = tuple(r - p for p, r in zip(a, b))
    for den in (1, 2, 4, 8, 16, 32, 64, 128, 256, 1024):
        grid = _grid(box, den)
        for c in grid if grid is not None else [tuple(Fraction(round(p * den), den) for p in a)]:
            for lo, hi in ((c, tuple(p + d for p, d in zip(c, step))), (tuple(p - d for p, d in zip(c, step)), c)):
                if box.contains(lo) and box.contains(hi) and _violates(net, lo, hi, L) is not None:
                    return lo, hi
    return a, b


def jump_witness(net: Network, box: Box, x: Sequence[Fraction], y: Sequence[Fraction], L: Fraction, steps: int = 32
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
    gap = linf(a, b)
    jump = _violates(net, a, b, L)
    if jump == INF:
        what = "one of them fires and the other is silent"
    else:
        what = f"their outputs differ by {fmt(jump)}"
    relation = (f"discontinuous: {fmt_vec(a)} and {fmt_vec(b)} (l_inf distance {fmt(gap)}): {what}, while a continuous "
                f"realization could differ by at most {fmt(L)} * {fmt(gap)} (L bounds every piece's slope)")
    return Counterexample((a, b, tuple(x), tuple(y)), (ra, rb, realize(net, x), realize(net, y)), relation)


LIPSCHITZ = Property("lipschitz", "|R(x) - R(y)|_inf <= L |x - y|_inf (default L = 1); ReLU networks too",
                     lambda net, box, L, options: solve(lipschitz_query(net, box, L), options), lipschitz_query,
                     parameter="L", parse=parse_constant, relu=True)
TRANSLATION = Property("translation", "R(x + c*1) = R(x) + c*1 whenever x and x + c*1 lie in the box",
                       lambda net, box, _, options: solve(translation_query(net, box), options), translation_query)
CONTINUOUS = Property("continuous", "R is continuous on the box (decided exactly, with a jump witness)",
                      lambda net, box, _, options: continuity(net, box, options),
                      lambda net, box, _: lipschitz_query(net, box, slope_bound(net), "continuous"))
