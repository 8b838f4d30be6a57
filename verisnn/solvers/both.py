"""Several backends as one: every backend decides every query; a sat/unsat disagreement is a bug."""

from __future__ import annotations

from collections.abc import Sequence

import z3

from verisnn.core.errors import InternalError
from verisnn.solvers.base import Answer, Backend, Limits, Optimum, Status


class Composite:
    """``unsat`` only if every member says unsat; ``sat`` carries the first member's model.

    :meth:`answers` gives each member's own answer (so every model can be replayed).
    """

    def __init__(self, name: str, members: Sequence[Backend]) -> None:
        self.name = name
        self.members = tuple(members)

    def answers(self, constraints: Sequence[z3.BoolRef], limits: Limits, subject: str = "") -> list[Answer]:
        out = [m.check(constraints, limits) for m in self.members]
        statuses = {a.status for a in out}
        if {Status.SAT, Status.UNSAT} <= statuses:
            what = f" on {subject}" if subject else ""
            raise InternalError(f"solvers disagree{what}: " + ", ".join(f"{a.solver} says {a.status}" for a in out))
        return out

    def check(self, constraints: Sequence[z3.BoolRef], limits: Limits) -> Answer:
        out = self.answers(constraints, limits)
        return combine(out)

    def optimize(self, constraints: Sequence[z3.BoolRef], objective: z3.ArithRef, maximize: bool,
                 limits: Limits) -> Optimum:
        return self.members[0].optimize(constraints, objective, maximize, limits)


def combine(answers: Sequence[Answer]) -> Answer:
    """One answer from agreeing members' answers (see :class:`Composite`)."""
    seconds = sum(a.seconds for a in answers)  # timing
    stats = {a.solver: a.statistics for a in answers}
    names = "+".join(a.solver for a in answers)
    statuses = {a.status for a in answers}
    if Status.SAT in statuses:
        first = next(a for a in answers if a.status is Status.SAT)
        return Answer(Status.SAT, first.solver, first.model, statistics=stats, seconds=seconds)
    if statuses == {Status.UNSAT}:
        return Answer(Status.UNSAT, names, statistics=stats, seconds=seconds)
    reason = "; ".join(a.reason or f"{a.solver}: {a.status}" for a in answers if a.status is Status.UNKNOWN)
    return Answer(Status.UNKNOWN, names, reason=reason, statistics=stats, seconds=seconds)
