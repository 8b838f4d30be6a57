"""Solver proofs about a region map: every piece with the network encoding, and the cover in one query.

Both go through the solver layer (``--solver z3|cvc5|both``, ``--rlimit``); neither is needed for
a count (the split tree covers the domain by construction and every piece is replayed), they are
independent second opinions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from verisnn.analyses.regions.maps import RegionMap
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.model import Network
from verisnn.core.results import Result, Verdict
from verisnn.smt.pieces import outside_every_cell, piece_differs, piece_encoding
from verisnn.solvers import SolverOptions, decide


def _options(options: Any, timeout: float | None = None) -> SolverOptions:
    opts = SolverOptions.of(options)
    if timeout is not None and options is None:
        opts = SolverOptions(opts.solver, timeout, opts.rlimit)
    return opts


def prove_pieces(rm: RegionMap, options: Any = None) -> Result:
    """Prove with the solver that on every open piece the network has the piece's pattern and outputs.

    For each piece, the network encoding over the piece's open polyhedron is conjoined with "some
    neuron's firing, causal set or kernel piece differs, or some output differs from the affine
    map"; unsat for every piece proves the map.  PROVED with ``details["pieces"]`` the number of
    pieces proved, UNKNOWN naming the first piece the solver did not decide.  A satisfiable query
    would mean a wrong enumeration: InternalError.  Spiking networks only.
    """
    import time

    t0 = time.perf_counter()
    net = rm.network
    if not isinstance(net, Network):
        raise InvalidInput("prove_pieces takes a spiking network")
    opts = SolverOptions.of(options)
    terms, enc, domain = piece_encoding(net, rm.space.names, rm.space.inputs, rm.space.bounds)
    for r in rm.regions:
        query = piece_differs(net, terms, enc, r.constraints, r.pattern, r.outputs)
        answer = decide(list(enc.constraints) + domain + query, opts)
        if answer.status == "sat":
            raise InternalError(f"piece {rm.label(r.pattern)} is not what the encoding says")
        if answer.status != "unsat":
            return Result("pieces", Verdict.UNKNOWN, time.perf_counter() - t0,
                          reason=f"piece {rm.label(r.pattern)}: {answer.reason or answer.status}")
    n = len(rm.regions)
    return Result("pieces", Verdict.PROVED, time.perf_counter() - t0,
                  reason=f"{n} piece{'s' if n != 1 else ''} proved with the network encoding ({opts.solver})",
                  details={"pieces": n})


def covers(rm: RegionMap, options: Any = None, timeout: float | None = None) -> Result:
    """Ask the solver whether the closed pieces cover the closed domain.

    PROVED when no point of the closed domain lies outside every closed piece; UNKNOWN when the
    solver did not decide.  A point outside every piece would be a wrong enumeration, but a map
    with pieces dropped on purpose (a test) is not: that gives ``details["covered"] = False``.
    """
    import time

    t0 = time.perf_counter()
    opts = _options(options, timeout)
    query = outside_every_cell(rm.space.names, rm.space.bounds, [r.constraints for r in rm.regions])
    answer = decide(query, opts)
    if answer.status == "unsat":
        return Result("cover", Verdict.PROVED, time.perf_counter() - t0, reason="the pieces cover the domain",
                      details={"covered": True})
    if answer.status == "sat":
        return Result("cover", Verdict.UNKNOWN, time.perf_counter() - t0,
                      reason="a point of the domain lies outside every piece", details={"covered": False})
    return Result("cover", Verdict.UNKNOWN, time.perf_counter() - t0, reason=answer.reason or str(answer.status))


def prove_cover(rm: RegionMap, options: Any = None, timeout: float | None = None) -> RegionMap:
    """The map with ``covered`` set by :func:`covers`: True when proved, None when undecided.

    A point outside every piece is an InternalError (the enumeration covers by construction).
    """
    res = covers(rm, options, timeout)
    if res.details.get("covered") is False:
        raise InternalError("the enumerated regions do not cover the domain")
    return replace(rm, covered=True if res.verdict is Verdict.PROVED else None)
