"""How to run solvers: which backend, limits, and an optional SMT-LIB dump of every query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verisnn.core.errors import InvalidInput
from verisnn.solvers.base import Backend, Limits
from verisnn.solvers.registry import backend


@dataclass(frozen=True)
class SolverOptions:
    """Which solver, wall-clock seconds per call, deterministic resource limit, SMT-LIB dump path."""

    solver: str = "z3"
    timeout: float | None = 60.0
    rlimit: int | None = None
    smt2: str | None = None  # write each query's SMT-LIB 2 text to this path

    def __post_init__(self) -> None:
        backend(self.solver)  # validates the name
        if self.timeout is not None and not self.timeout > 0:
            raise InvalidInput(f"timeout must be > 0 seconds, got {self.timeout!r}")
        if self.rlimit is not None and self.rlimit <= 0:
            raise InvalidInput(f"rlimit must be a positive integer, got {self.rlimit!r}")

    @property
    def backend(self) -> Backend:
        return backend(self.solver)

    @property
    def limits(self) -> Limits:
        return Limits(self.timeout, self.rlimit)

    @staticmethod
    def of(ctx: Any) -> SolverOptions:
        """Options from anything with ``solver`` / ``timeout`` / ``rlimit`` attributes (e.g. a RunContext)."""
        if isinstance(ctx, SolverOptions):
            return ctx
        if ctx is None:
            return SolverOptions()
        return SolverOptions(getattr(ctx, "solver", "z3"), getattr(ctx, "timeout", 60.0), getattr(ctx, "rlimit", None),
                             getattr(ctx, "smt2", None))
