"""Solving queries: the one place that runs z3 (and, through :mod:`verisnn.solvers`, cvc5).

A :class:`Query` is a list of z3 constraints that is satisfiable exactly when a property fails,
plus a callback that turns a satisfying model into a :class:`~verisnn.results.Counterexample`
after replaying it in the exact simulator (the callback raises
:class:`~verisnn.errors.InternalError` if the simulator does not reproduce the violation).
:func:`solve` turns a query into a frozen :class:`~verisnn.results.Result`:

* unsat -> PROVED; sat -> REFUTED with the replayed counterexample;
* solver ``unknown``, timeout or resource limit -> UNKNOWN with the solver's reason (never proved);
* ``solver="both"``: z3 and cvc5; PROVED needs both unsat, a sat/unsat disagreement raises
  InternalError, and every model either solver returns is replayed.

Limits: ``timeout`` is wall-clock seconds per solver call; ``rlimit`` a deterministic resource
limit (z3 ``rlimit``, cvc5 ``rlimit-per``) for reproducible runs.  cvc5 always reads the query as
the SMT-LIB 2 text of :func:`to_smt2`, which ``smt2=PATH`` also writes to a file.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import z3

from .errors import InternalError, InvalidInput
from .results import Counterexample, Result, Verdict

SOLVERS = ("z3", "cvc5", "both")


@dataclass(frozen=True)
class SolverOptions:
    """How to run solvers: which one, wall-clock seconds per call, deterministic resource limit, SMT-LIB dump."""

    solver: str = "z3"
    timeout: float | None = 60.0
    rlimit: int | None = None
    smt2: str | None = None  # write each query's SMT-LIB 2 text to this path

    def __post_init__(self) -> None:
        if self.solver not in SOLVERS:
            raise InvalidInput(f"solver must be one of z3, cvc5, both, got {self.solver!r}")
        if self.timeout is not None and not self.timeout > 0:
            raise InvalidInput(f"timeout must be > 0 seconds, got {self.timeout!r}")
        if self.rlimit is not None and self.rlimit <= 0:
            raise InvalidInput(f"rlimit must be a positive integer, got {self.rlimit!r}")

    @staticmethod
    def of(ctx: Any) -> SolverOptions:
        """Options from anything with ``solver`` / ``timeout`` / ``rlimit`` attributes (e.g. a RunContext)."""
        if isinstance(ctx, SolverOptions):
            return ctx
        if ctx is None:
            return SolverOptions()
        return SolverOptions(
            getattr(ctx, "solver", "z3"), getattr(ctx, "timeout", 60.0), getattr(ctx, "rlimit", None),
            getattr(ctx, "smt2", None),
        )


@dataclass
class Query:
    """Constraints that are satisfiable iff the property fails, and how to report a model."""

    subject: str
    constraints: Sequence[z3.BoolRef]
    counterexample: Callable[[Any], Counterexample]
    proved: str = ""  # reason text when the negation is unsat
    size: Mapping[str, Any] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Answer:
    """One solver's answer on one constraint set; ``model`` has z3's ``eval`` interface."""

    status: str  # "sat", "unsat", "unknown"
    solver: str
    model: Any = None
    reason: str = ""
    statistics: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0  # timing


# --- SMT-LIB ---------------------------------------------------------------------------------


def to_smt2(constraints: Sequence[z3.BoolRef], comment: str = "") -> str:
    """The constraints as an SMT-LIB 2 script (declarations, assertions, ``(check-sat)``)."""
    s = z3.Solver()
    s.add(*constraints)
    head = "".join(f"; {line}\n" for line in comment.splitlines())
    return head + "(set-logic ALL)\n" + s.sexpr() + "(check-sat)\n"


def _assertions_only(text: str) -> str:
    return text.replace("(check-sat)\n", "")


def write_smt2(path: str | Path, constraints: Sequence[z3.BoolRef], comment: str = "") -> None:
    try:
        Path(path).write_text(to_smt2(constraints, comment))
    except OSError as exc:
        raise InvalidInput(f"cannot write SMT-LIB file {str(path)!r}: {exc}") from None


def parse_smt2_z3(text: str) -> list[z3.BoolRef]:
    """Read an SMT-LIB 2 script back into z3 assertions (a check that the text is well formed)."""
    return list(z3.parse_smt2_string(text))


# --- models ----------------------------------------------------------------------------------


def _consts(constraints: Sequence[z3.ExprRef]) -> dict[str, z3.ExprRef]:
    """Uninterpreted constants occurring in the constraints, by name."""
    seen: set[int] = set()
    out: dict[str, z3.ExprRef] = {}
    stack = list(constraints)
    while stack:
        e = stack.pop()
        key = e.get_id()
        if key in seen:
            continue
        seen.add(key)
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out[e.decl().name()] = e
        else:
            stack.extend(e.children())
    return out


class ValueModel:
    """A model given as exact values of named constants, with z3's ``eval`` interface.

    Used for cvc5's answers: a term is evaluated by substituting the values and simplifying in z3;
    constants the solver never saw are completed with 0 / False.
    """

    def __init__(self, consts: Mapping[str, z3.ExprRef], values: Mapping[str, Fraction | bool]):
        self.pairs = []
        for name, c in consts.items():
            if name in values:
                v = values[name]
                if isinstance(v, bool):
                    self.pairs.append((c, z3.BoolVal(v)))
                else:
                    self.pairs.append((c, z3.RealVal(f"{v.numerator}/{v.denominator}")))

    def eval(self, term: z3.ExprRef, model_completion: bool = True) -> z3.ExprRef:
        v = z3.simplify(z3.substitute(term, *self.pairs)) if self.pairs else z3.simplify(term)
        rest = list(_consts([v]).values())
        if rest and model_completion:
            zero = [(c, z3.BoolVal(False) if z3.is_bool(c) else z3.RealVal(0)) for c in rest]
            v = z3.simplify(z3.substitute(v, *zero))
        return v


# --- running solvers -------------------------------------------------------------------------


def _z3_stats(s: Any) -> dict[str, Any]:
    st = s.statistics()
    keep = {}
    for key in st.keys():  # noqa: SIM118 - z3 Statistics is not a dict
        if key in ("conflicts", "decisions", "rlimit count", "max memory", "arith conflicts"):
            keep[key] = st.get_key_value(key)
    return keep


def check_z3(constraints: Sequence[z3.BoolRef], timeout: float | None = None, rlimit: int | None = None) -> Answer:
    """Run z3 on the constraints."""
    s = z3.Solver()
    if timeout is not None:
        s.set("timeout", max(1, int(timeout * 1000)))  # timing
    if rlimit is not None:
        s.set("rlimit", int(rlimit))
    s.add(*constraints)
    start = _time.perf_counter()
    r = s.check()
    seconds = _time.perf_counter() - start  # timing
    if r == z3.sat:
        return Answer("sat", "z3", s.model(), statistics=_z3_stats(s), seconds=seconds)
    if r == z3.unsat:
        return Answer("unsat", "z3", statistics=_z3_stats(s), seconds=seconds)
    reason = s.reason_unknown() or "unknown"
    if reason == "canceled" and timeout is not None and seconds >= timeout * 0.9:  # timing
        reason = "timeout"
    return Answer("unknown", "z3", reason=f"z3: {reason}", statistics=_z3_stats(s), seconds=seconds)


def check_cvc5(constraints: Sequence[z3.BoolRef], timeout: float | None = None, rlimit: int | None = None) -> Answer:
    """Run cvc5 on the SMT-LIB 2 text of the constraints."""
    from .solvers.cvc5_backend import check_smt2

    text = _assertions_only(to_smt2(constraints))
    start = _time.perf_counter()
    try:
        ans = check_smt2(text, timeout, rlimit)
    except RuntimeError as exc:  # cvc5 refuses the text: our export is wrong
        raise InternalError(f"cvc5 could not read the SMT-LIB export: {exc}") from None
    seconds = _time.perf_counter() - start  # timing
    model = ValueModel(_consts(constraints), ans.values) if ans.status == "sat" else None
    return Answer(ans.status, "cvc5", model, ans.reason, ans.statistics, seconds)


def check(constraints: Sequence[z3.BoolRef], options: SolverOptions | None = None) -> Iterator[Answer]:
    """The answers of the chosen solver(s), z3 first."""
    options = options or SolverOptions()
    if options.solver in ("z3", "both"):
        yield check_z3(constraints, options.timeout, options.rlimit)
    if options.solver in ("cvc5", "both"):
        yield check_cvc5(constraints, options.timeout, options.rlimit)


def decide(constraints: Sequence[z3.BoolRef], options: SolverOptions | None = None) -> Answer:
    """One combined answer: "unsat" only if every chosen solver says unsat; disagreement is an InternalError.

    A "sat" answer carries the first solver's model (z3's when both ran).
    """
    answers = list(check(constraints, options))
    statuses = {a.status for a in answers}
    if {"sat", "unsat"} <= statuses:
        raise InternalError(
            "solvers disagree: " + ", ".join(f"{a.solver} says {a.status}" for a in answers)
        )
    seconds = sum(a.seconds for a in answers)  # timing
    stats = {a.solver: a.statistics for a in answers}
    if "sat" in statuses:
        first = next(a for a in answers if a.status == "sat")
        return Answer("sat", first.solver, first.model, statistics=stats, seconds=seconds)
    if statuses == {"unsat"}:
        return Answer("unsat", "+".join(a.solver for a in answers), statistics=stats, seconds=seconds)
    reason = "; ".join(a.reason or f"{a.solver}: {a.status}" for a in answers)
    return Answer("unknown", "+".join(a.solver for a in answers), reason=reason, statistics=stats, seconds=seconds)


def solve(query: Query, options: SolverOptions | Any = None) -> Result:
    """Decide ``query`` (see the module docstring); ``options`` may also be a RunContext-like object."""
    opts = SolverOptions.of(options)
    start = _time.perf_counter()
    if opts.smt2:
        write_smt2(opts.smt2, query.constraints, f"verisnn query: {query.subject} (sat = property fails)")
    answers = list(check(query.constraints, opts))
    statuses = {a.status for a in answers}
    if {"sat", "unsat"} <= statuses:
        raise InternalError(
            f"solvers disagree on {query.subject}: " + ", ".join(f"{a.solver} says {a.status}" for a in answers)
        )
    details = dict(query.details)
    details["solver"] = {a.solver: {"status": a.status, "seconds": round(a.seconds, 3), **a.statistics}
                         for a in answers}  # timing
    counterexample = None
    for a in answers:
        if a.status == "sat":
            cex = query.counterexample(a.model)  # replays; raises InternalError on a mismatch
            counterexample = counterexample or cex
    seconds = _time.perf_counter() - start  # timing
    if counterexample is not None:
        return Result(query.subject, Verdict.REFUTED, seconds, counterexample, size=query.size, details=details)
    if statuses == {"unsat"}:
        names = " and ".join(a.solver for a in answers)
        reason = query.proved or "the negated property is unsatisfiable"
        return Result(query.subject, Verdict.PROVED, seconds, reason=f"{reason} ({names})", size=query.size,
                      details=details)
    reason = "; ".join(a.reason or f"{a.solver}: {a.status}" for a in answers if a.status == "unknown")
    return Result(query.subject, Verdict.UNKNOWN, seconds, reason=reason, size=query.size, details=details)


# --- optimisation ----------------------------------------------------------------------------


@dataclass
class Optimum:
    """The exact infimum / supremum of an objective; ``attained`` False when it is only approached."""

    status: str  # "optimal", "infeasible", "unbounded", "unknown"
    value: Fraction | None = None
    attained: bool = False
    model: Any = None
    reason: str = ""


def optimize(
    constraints: Sequence[z3.BoolRef], objective: z3.ArithRef, maximize: bool, options: SolverOptions | None = None
) -> Optimum:
    """Exact min or max of ``objective`` under the constraints (z3 Optimize, linear real arithmetic).

    The returned value is a candidate: callers confirm it with :func:`decide` (``objective`` beyond
    the value is unsat) before reporting it, so cvc5 can second it.
    """
    options = options or SolverOptions()
    opt = z3.Optimize()
    if options.timeout is not None:
        opt.set("timeout", max(1, int(options.timeout * 1000)))  # timing
    if options.rlimit is not None:
        opt.set("rlimit", int(options.rlimit))
    opt.add(*constraints)
    h = opt.maximize(objective) if maximize else opt.minimize(objective)
    r = opt.check()
    if r == z3.unsat:
        return Optimum("infeasible")
    if r != z3.sat:
        return Optimum("unknown", reason=f"z3: {opt.reason_unknown() or 'unknown'}")
    bound = opt.upper(h) if maximize else opt.lower(h)
    if z3.is_rational_value(bound) or z3.is_int_value(bound):  # z3 may print an integral optimum as an Int
        return Optimum("optimal", _fraction(bound), True, opt.model())
    eps = [c for c in _consts([bound]).values() if c.decl().name() == "epsilon"]
    if "oo" in str(bound) or not eps:
        return Optimum("unbounded", model=opt.model())
    value = z3.simplify(z3.substitute(bound, *[(e, z3.RealVal(0)) for e in eps]))
    if not (z3.is_rational_value(value) or z3.is_int_value(value)):
        return Optimum("unknown", reason=f"z3 optimum not rational: {bound}")
    return Optimum("optimal", _fraction(value), False, opt.model())


def _fraction(v: z3.ExprRef) -> Fraction:
    """An Int or rational z3 numeral as an exact Fraction."""
    if z3.is_int_value(v):
        return Fraction(v.as_long())
    return Fraction(v.numerator_as_long(), v.denominator_as_long())
