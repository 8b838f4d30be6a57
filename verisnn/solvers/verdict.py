"""From constraints to verdicts: :func:`decide` answers, :func:`solve` turns a query into a Result.

* unsat -> PROVED; sat -> REFUTED with the counterexample the query's callback builds after
  replaying the model in the exact simulator (a model it cannot reproduce is an InternalError);
* solver ``unknown``, timeout or resource limit -> UNKNOWN with the solver's reason, never proved;
* with a composite backend (``--solver both``) every member decides, PROVED needs all unsat, a
  sat/unsat disagreement raises InternalError, and every member's model is replayed.

``smt2=PATH`` in the options writes the query's SMT-LIB 2 text (the text cvc5 reads).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import z3

from verisnn.core.results import Result, Verdict
from verisnn.smt.query import Query
from verisnn.smt.smtlib import write_smt2
from verisnn.solvers.base import Answer, Optimum, Status
from verisnn.solvers.both import Composite
from verisnn.solvers.options import SolverOptions


def answers(constraints: Sequence[z3.BoolRef], options: SolverOptions, subject: str = "") -> list[Answer]:
    """Every answer the chosen backend gives (one, or one per member of a composite)."""
    b = options.backend
    if isinstance(b, Composite):
        return b.answers(constraints, options.limits, subject)
    return [b.check(constraints, options.limits)]


def decide(constraints: Sequence[z3.BoolRef], options: SolverOptions | Any = None) -> Answer:
    """One answer from the chosen backend ("unsat" only if every member of a composite says so)."""
    opts = SolverOptions.of(options)
    return opts.backend.check(constraints, opts.limits)


def optimize(constraints: Sequence[z3.BoolRef], objective: z3.ArithRef, maximize: bool,
             options: SolverOptions | Any = None) -> Optimum:
    """Exact min or max of ``objective`` (a candidate: confirm it with :func:`decide` before reporting it)."""
    opts = SolverOptions.of(options)
    return opts.backend.optimize(constraints, objective, maximize, opts.limits)


def solve(query: Query, options: SolverOptions | Any = None) -> Result:
    """Decide ``query`` (see the module docstring); ``options`` may also be a RunContext-like object."""
    opts = SolverOptions.of(options)
    start = time.perf_counter()
    if opts.smt2:
        write_smt2(opts.smt2, query.constraints, f"verisnn query: {query.subject} (sat = property fails)")
    got = answers(query.constraints, opts, query.subject)
    statuses = {a.status for a in got}
    details = dict(query.details)
    details["solver"] = {a.solver: {"status": str(a.status), "seconds": round(a.seconds, 3), **a.statistics}
                         for a in got}  # timing
    counterexample = None
    for a in got:
        if a.status is Status.SAT:
            cex = query.counterexample(a.model)  # replays; raises InternalError on a mismatch
            counterexample = counterexample or cex
    seconds = time.perf_counter() - start  # timing
    if counterexample is not None:
        return Result(query.subject, Verdict.REFUTED, seconds, counterexample, size=query.size, details=details)
    if statuses == {Status.UNSAT}:
        names = " and ".join(a.solver for a in got)
        reason = query.proved or "the negated property is unsatisfiable"
        return Result(query.subject, Verdict.PROVED, seconds, reason=f"{reason} ({names})", size=query.size,
                      details=details)
    reason = "; ".join(a.reason or f"{a.solver}: {a.status}" for a in got if a.status is Status.UNKNOWN)
    return Result(query.subject, Verdict.UNKNOWN, seconds, reason=reason, size=query.size, details=details)
