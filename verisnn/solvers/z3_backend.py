"""z3 as a backend: the project's terms are z3 terms, so it reads them directly."""

from __future__ import annotations

import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import z3

from verisnn.smt.smtlib import constants
from verisnn.solvers.base import Answer, Limits, Optimum, OptStatus, Status

_KEPT_STATISTICS = ("conflicts", "decisions", "rlimit count", "max memory", "arith conflicts")


def _statistics(s: Any) -> dict[str, Any]:
    st = s.statistics()
    return {key: st.get_key_value(key) for key in st.keys() if key in _KEPT_STATISTICS}  # noqa: SIM118


def _limit(s: Any, limits: Limits) -> None:
    if limits.timeout is not None:
        s.set("timeout", max(1, int(limits.timeout * 1000)))  # timing
    if limits.rlimit is not None:
        s.set("rlimit", int(limits.rlimit))


def fraction(v: z3.ExprRef) -> Fraction:
    """An Int or rational z3 numeral as an exact Fraction."""
    if z3.is_int_value(v):
        return Fraction(v.as_long())
    return Fraction(v.numerator_as_long(), v.denominator_as_long())


class Z3Backend:
    name = "z3"

    def check(self, constraints: Sequence[z3.BoolRef], limits: Limits) -> Answer:
        s = z3.Solver()
        _limit(s, limits)
        s.add(*constraints)
        start = time.perf_counter()
        r = s.check()
        seconds = time.perf_counter() - start  # timing
        if r == z3.sat:
            return Answer(Status.SAT, self.name, s.model(), statistics=_statistics(s), seconds=seconds)
        if r == z3.unsat:
            return Answer(Status.UNSAT, self.name, statistics=_statistics(s), seconds=seconds)
        reason = s.reason_unknown() or "unknown"
        if reason == "canceled" and limits.timeout is not None and seconds >= limits.timeout * 0.9:  # timing
            reason = "timeout"
        return Answer(Status.UNKNOWN, self.name, reason=f"z3: {reason}", statistics=_statistics(s), seconds=seconds)

    def optimize(self, constraints: Sequence[z3.BoolRef], objective: z3.ArithRef, maximize: bool,
                 limits: Limits) -> Optimum:
        opt = z3.Optimize()
        _limit(opt, limits)
        opt.add(*constraints)
        h = opt.maximize(objective) if maximize else opt.minimize(objective)
        r = opt.check()
        if r == z3.unsat:
            return Optimum(OptStatus.INFEASIBLE)
        if r != z3.sat:
            return Optimum(OptStatus.UNKNOWN, reason=f"z3: {opt.reason_unknown() or 'unknown'}")
        bound = opt.upper(h) if maximize else opt.lower(h)
        if z3.is_rational_value(bound) or z3.is_int_value(bound):  # z3 may print an integral optimum as an Int
            return Optimum(OptStatus.OPTIMAL, fraction(bound), True, opt.model())
        eps = [c for c in constants([bound]).values() if c.decl().name() == "epsilon"]
        if "oo" in str(bound) or not eps:
            return Optimum(OptStatus.UNBOUNDED, model=opt.model())
        value = z3.simplify(z3.substitute(bound, *[(e, z3.RealVal(0)) for e in eps]))
        if not (z3.is_rational_value(value) or z3.is_int_value(value)):
            return Optimum(OptStatus.UNKNOWN, reason=f"z3 optimum not rational: {bound}")
        return Optimum(OptStatus.OPTIMAL, fraction(value), False, opt.model())
