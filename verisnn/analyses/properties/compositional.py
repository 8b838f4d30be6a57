"""Order properties proved neuron by neuron for positive linear networks (a shortcut, never a refutation).

Each neuron ``v`` is checked alone (a one-neuron network whose inputs are ``v``'s sources) on
the box of its sources' firing-time bounds (:func:`verisnn.semantics.bounds.firing_bounds`, which
contains every value the sources take on the box).  Composition is sound: a composition of
nondecreasing maps is nondecreasing, and a concave map that is nondecreasing in every argument,
applied to concave maps, is concave (delays add constants, references are constants, inputs
are the identity).  So if every local query is proved the property holds on the box.  When a
local query is not proved (the source box over-approximates the reachable set, or a solver
gave up) the caller falls back to the monolithic query, which decides the property exactly.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Sequence

from verisnn.core.domain import Box
from verisnn.core.model import Network, Neuron, Reference, Synapse
from verisnn.core.results import Result, Verdict
from verisnn.semantics.bounds import firing_bounds
from verisnn.smt.query import Query
from verisnn.solvers import SolverOptions, solve

LocalQuery = Callable[[Network, Box], Query]


def local_problems(net: Network, box: Box) -> list[tuple[Network, Box]]:
    """Each neuron with a live, non-constant input, as a one-neuron network on its sources' bound box."""
    bounds = firing_bounds(net, box)
    out = []
    for v in net.order:
        live = [s for s in net.incoming[v] if bounds[s.source].may_fire]
        inputs = sorted({s.source for s in live if s.source not in net.reference_times})
        if not inputs:
            continue  # no live source, or only references: fires at a constant time or never
        refs = tuple(Reference(r, net.reference_times[r]) for r in sorted({s.source for s in live}) if r not in inputs)
        neuron = Network(tuple(inputs), (Neuron(v, net.thresholds[v]),),
                         tuple(Synapse(s.source, v, s.weight, s.delay) for s in live), (v,), refs)
        local_box = Box(tuple(bounds[u].lo for u in inputs), tuple(bounds[u].hi for u in inputs))  # type: ignore[misc]
        out.append((neuron, local_box))
    return out


def compositional(net: Network, box: Box, name: str, local: Sequence[LocalQuery], options: SolverOptions
                  ) -> Result | None:
    """Prove ``name`` by proving every ``local`` query for every neuron (see the module docstring), or None.

    ``local`` lists the one-neuron queries whose conjunction composes: ``(monotone,)`` for
    monotonicity, ``(monotone, concave)`` for concavity.  Only positive linear networks with at
    least two neurons are tried.
    """
    if not net.positive_linear or len(net.neurons) < 2:
        return None
    start = _time.perf_counter()
    local_queries = 0
    for neuron, local_box in local_problems(net, box):
        for build in local:
            result = solve(build(neuron, local_box), options)
            local_queries += 1
            if result.verdict is not Verdict.PROVED:
                return None
    seconds = _time.perf_counter() - start  # timing
    what = "nondecreasing" if name == "monotone" else "concave and nondecreasing"
    return Result(name, Verdict.PROVED, seconds,
                  reason=f"compositional ({local_queries} local queries): every neuron is {what} in its sources on their "
                         f"bound box, so R is {'nondecreasing' if name == 'monotone' else 'concave'} on the box",
                  details={"local_queries": local_queries, "method": "compositional"})
