"""Order properties: ``monotone`` (``x <= y => R(x) <= R(y)``) and ``concave`` (midpoint concavity).

Midpoint concavity is exact for PWL maps: a midpoint-concave function that is measurable (a PWL
map is) is concave (Sierpinski), and a violation at the midpoint is a violation of concavity.
Silent outputs are ``+inf``: an output silent on ``y`` but firing on ``x <= y`` breaks
monotonicity; a silent endpoint with a firing midpoint breaks concavity.  Positive linear
networks are first tried neuron by neuron (:mod:`.compositional`).
"""

from __future__ import annotations

from typing import Any

from verisnn.analyses.properties.base import Property, le, query_of
from verisnn.analyses.properties.compositional import compositional
from verisnn.core.domain import Box
from verisnn.core.model import Network
from verisnn.core.numbers import fmt, is_finite
from verisnn.core.results import Result
from verisnn.semantics.simulate import realize
from verisnn.smt.properties import concave_violation, monotone_violation
from verisnn.smt.query import Query
from verisnn.solvers import SolverOptions, solve


def monotone_query(net: Network, box: Box, _: Any = None) -> Query:
    """Satisfiable iff some ``x <= y`` in the box has an output with ``R(x) > R(y)``."""
    def holds(xs: tuple, outs: tuple) -> str | None:
        for o, u, v in zip(net.outputs, *outs):
            if not le(u, v):
                return f"x <= y but output {o}: R(x) = {fmt(u)} > R(y) = {fmt(v)}"
        return None

    return query_of("monotone", monotone_violation(net, box), lambda x: realize(net, x), holds,
                    "x <= y implies R(x) <= R(y) on the box")


def concave_query(net: Network, box: Box, _: Any = None) -> Query:
    """Satisfiable iff some x, y in the box have an output with ``R((x+y)/2) < (R(x) + R(y))/2``."""
    def holds(xs: tuple, outs: tuple) -> str | None:
        for o, u, v, w in zip(net.outputs, *outs):
            if is_finite(w) and (not is_finite(u) or not is_finite(v) or 2 * w < u + v):  # type: ignore[operator]
                return (f"output {o}: R((x+y)/2) = {fmt(w)} < (R(x) + R(y))/2 with R(x) = {fmt(u)}, "
                        f"R(y) = {fmt(v)}")
        return None

    return query_of("concave", concave_violation(net, box), lambda x: realize(net, x), holds,
                    "R((x+y)/2) >= (R(x)+R(y))/2 on the box (midpoint concavity, exact for PWL maps)")


def _decide_monotone(net: Network, box: Box, _: Any, options: SolverOptions) -> Result:
    if not options.smt2:
        composed = compositional(net, box, "monotone", (monotone_query,), options)
        if composed is not None:
            return composed
    return solve(monotone_query(net, box), options)


def _decide_concave(net: Network, box: Box, _: Any, options: SolverOptions) -> Result:
    if not options.smt2:
        composed = compositional(net, box, "concave", (monotone_query, concave_query), options)
        if composed is not None:
            return composed
    return solve(concave_query(net, box), options)


MONOTONE = Property("monotone", "x <= y (componentwise) implies R(x) <= R(y)", _decide_monotone, monotone_query)
CONCAVE = Property("concave", "R((x + y)/2) >= (R(x) + R(y))/2 (midpoint concavity, exact for PWL maps)",
                   _decide_concave, concave_query)
