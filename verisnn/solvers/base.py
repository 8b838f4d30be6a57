"""The solver layer's vocabulary: statuses, answers, optima, options and the :class:`Backend` protocol.

A backend decides a list of constraints (z3 terms, the project's term language; a backend that
is not z3 reads their SMT-LIB 2 text) and returns an :class:`Answer` whose model, when ``sat``,
has z3's ``eval(term, model_completion=True)`` interface and exact values.  ``unknown`` always
carries the solver's reason and is never read as unsat.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

import z3


class Status(str, enum.Enum):
    """A solver's answer on a constraint set (compares equal to its SMT-LIB word, e.g. ``"unsat"``)."""

    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


class OptStatus(str, enum.Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Limits:
    """Wall-clock seconds per solver call (``None`` = none) and a deterministic resource limit."""

    timeout: float | None = 60.0
    rlimit: int | None = None


@dataclass
class Answer:
    """One solver's answer on one constraint set; ``model`` has z3's ``eval`` interface."""

    status: Status
    solver: str
    model: Any = None
    reason: str = ""
    statistics: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0  # timing


@dataclass
class Optimum:
    """The exact infimum / supremum of an objective; ``attained`` False when it is only approached."""

    status: OptStatus
    value: Fraction | None = None
    attained: bool = False
    model: Any = None
    reason: str = ""


class Backend(Protocol):
    """A decision procedure for quantifier-free real arithmetic (linear, and nonlinear where it can)."""

    name: str

    def check(self, constraints: Sequence[z3.BoolRef], limits: Limits) -> Answer:
        """sat (with a model), unsat, or unknown (with the reason)."""
        ...

    def optimize(self, constraints: Sequence[z3.BoolRef], objective: z3.ArithRef, maximize: bool,
                 limits: Limits) -> Optimum:
        """The exact optimum of a linear objective (a candidate: callers confirm it with :meth:`check`)."""
        ...
