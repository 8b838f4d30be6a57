"""The monolithic equivalence query: "some ``x`` in the box gives different outputs", for any pair.

Both sides are written over shared input values (:mod:`verisnn.smt.equivalence`: canonical terms
of one :class:`verisnn.smt.canonical.Algebra`, the SNN neuron by neuron when sound firing-time
bounds show that every neuron fires, with single-source neurons by their proved PWL summaries,
:mod:`verisnn.analyses.equivalence.summaries`).  unsat -> proved; sat -> a counterexample, replayed
in both exact evaluators (:func:`verisnn.analyses.equivalence.sides.evaluate`) before it is reported.
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from verisnn.analyses.equivalence.sides import Side, check_shapes, counterexample, time_box
from verisnn.analyses.equivalence.summaries import single_source_summary
from verisnn.core.domain import Box
from verisnn.core.model import Network
from verisnn.core.results import Counterexample, Result
from verisnn.smt.equivalence import monolithic_query
from verisnn.smt.lemmas import Pieces
from verisnn.smt.terms import exact
from verisnn.solvers import Query, SolverOptions, solve


def check_monolithic(a: Side, b: Side, box: Box, options: SolverOptions | None = None) -> Result:
    """One solver query over both sides (see the module docstring)."""
    check_shapes(a, b, box)
    start = _time.perf_counter()
    options = options or SolverOptions()

    def summarize(net: Network, v: str, lo: Fraction, hi: Fraction) -> Pieces | None:
        return single_source_summary(net, v, lo, hi, options)

    boxes = tuple(time_box(s, box) if isinstance(s, Network) else None for s in (a, b))
    cons, xs, sides = monolithic_query(a, b, box, boxes, summarize)  # type: ignore[arg-type]

    def cex(model: Any) -> Counterexample:
        for side in sides:
            side.replay(model)  # the SNN encodings' times must be the simulator's
        x = tuple(exact(model, v) for v in xs)
        return counterexample(a, b, x, "monolithic equivalence query")  # type: ignore[arg-type]

    query = Query("equiv", cons, cex, proved="the networks agree on the whole box",
                  details={"strategy": "monolithic"})
    return _retime(solve(query, options), start, {"strategy": "monolithic"})


def _retime(result: Result, start: float, extra: Mapping[str, Any]) -> Result:
    details = dict(result.details)
    details.update(extra)
    return Result(result.subject, result.verdict, _time.perf_counter() - start, result.counterexample,  # timing
                  result.reason, result.size, result.mode, details)
