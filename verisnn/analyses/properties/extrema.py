"""``bounds``: the exact minimum and maximum of every output over the box, with inputs attaining them.

Silent outputs are ``+inf``: an output that can be silent has maximum ``inf`` (attained at a
silent input); its minimum is over the inputs where it fires (``inf`` if it never fires).  Each
optimum the solver reports is confirmed by a second, decision query (nothing fires beyond it),
and each attaining input is replayed in the exact simulator.  An infimum that is only approached
is reported with ``min_attained = False``.
"""

from __future__ import annotations

import time as _time
from typing import Any

from verisnn.analyses.properties.base import Property, fmt_vec
from verisnn.core.domain import Box
from verisnn.core.errors import InternalError
from verisnn.core.model import Network
from verisnn.core.numbers import INF, fmt, is_finite
from verisnn.core.results import Result, Verdict
from verisnn.semantics.simulate import realize
from verisnn.smt.properties import OutputRange
from verisnn.solvers import SolverOptions, decide, optimize


def output_bounds(net: Network, box: Box, options: SolverOptions) -> Result:
    """Exact min and max of every output over the box, each confirmed by a second (decision) query."""
    start = _time.perf_counter()
    problem = OutputRange(net, box)
    found: dict[str, dict[str, Any]] = {}
    for i, o in enumerate(net.outputs):
        entry: dict[str, Any] = {}
        silent = decide(problem.silent(i), options)
        if silent.status == "unknown":
            return _unknown(start, f"deciding whether {o} can be silent: {silent.reason}")
        entry["can_be_silent"] = silent.status == "sat"
        for side, maximize in (("min", False), ("max", True)):
            if maximize and entry["can_be_silent"]:
                x = problem.read_inputs(silent.model)
                if is_finite(realize(net, x)[i]):
                    raise InternalError(f"bounds: {o} not silent at {fmt_vec(x)} as the solver claimed")
                entry["max"], entry["argmax"], entry["max_attained"] = INF, list(x), True
                continue
            opt = optimize(problem.firing(i), problem.time(i), maximize, options)
            if opt.status == "infeasible":
                entry[side] = INF
                entry[f"arg{side}"] = None
                continue
            if opt.status != "optimal":
                return _unknown(start, f"{side} of {o}: {opt.reason or opt.status}")
            value = opt.value
            check = decide(problem.beyond(i, value, maximize), options)  # type: ignore[arg-type]
            if check.status != "unsat":
                return _unknown(start, f"{side} of {o} = {fmt(value)} not confirmed ({check.status})")
            x = problem.read_inputs(opt.model)
            out = realize(net, x)[i]
            if opt.attained and out != value:
                raise InternalError(f"bounds: {o} at {fmt_vec(x)} is {fmt(out)}, optimizer said {fmt(value)}")
            entry[side], entry[f"arg{side}"], entry[f"{side}_attained"] = value, list(x), opt.attained
        found[o] = entry
    summary = "; ".join(f"{o} in [{fmt(e['min'])}, {fmt(e['max'])}]" for o, e in found.items())
    return Result("bounds", Verdict.PROVED, _time.perf_counter() - start, reason=summary,
                  details={"bounds": found})


def _unknown(start: float, reason: str) -> Result:
    return Result("bounds", Verdict.UNKNOWN, _time.perf_counter() - start, reason=reason)


BOUNDS = Property("bounds", "the exact minimum and maximum of every output over the box, with attaining inputs",
                  lambda net, box, _, options: output_bounds(net, box, options))
