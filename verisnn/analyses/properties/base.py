"""What a property is (name, parameter, decision procedure) and the replay every counterexample goes through."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verisnn.core.domain import Box
from verisnn.core.errors import InternalError
from verisnn.core.numbers import Time, fmt, is_finite
from verisnn.core.results import Counterexample, Result
from verisnn.smt.properties import Violation
from verisnn.smt.query import Query
from verisnn.solvers import SolverOptions

#: ``holds(inputs, outputs)``: the violated relation in words, or None when the outputs satisfy the property
Holds = Callable[[tuple, tuple], "str | None"]


@dataclass(frozen=True)
class Property:
    """One checkable property: its name, its optional parameter, and how it is decided.

    ``decide(net, box, parameter, options) -> Result`` decides it; ``query(net, box, parameter)``
    is its one monolithic solver query, when it has one (benchmarks and tests use it to bypass
    shortcuts such as the compositional proof).  ``parameter`` names the ``name=VALUE`` argument
    and ``parse`` reads VALUE (raising InvalidInput); ``relu`` says whether ReLU networks are accepted.
    """

    name: str
    summary: str
    decide: Callable[[Any, Box, Any, SolverOptions], Result]
    query: Callable[[Any, Box, Any], Query] | None = None
    parameter: str = ""
    parse: Callable[[str], Any] | None = None
    relu: bool = False

    @property
    def usage(self) -> str:
        return f"{self.name}={self.parameter}" if self.parameter else self.name


def fmt_vec(v: Sequence[Time]) -> str:
    return "[" + ", ".join(fmt(a) for a in v) + "]"


def le(a: Time, b: Time) -> bool:
    """``a <= b`` on the extended reals (silent = +inf)."""
    return (not is_finite(b)) or (is_finite(a) and a <= b)  # type: ignore[operator]


def linf(x: Sequence[Fraction], y: Sequence[Fraction]) -> Fraction:
    return max((abs(p - r) for p, r in zip(x, y)), default=Fraction(0))


def replayed(run: Callable[[Sequence[Fraction]], tuple], xs: Sequence[Sequence[Fraction]],
             holds: Holds, subject: str) -> Counterexample:
    """Evaluate each input vector exactly with ``run``; ``holds(inputs, outputs)`` is the violated relation or None.

    A solver model whose violation the exact evaluation does not reproduce is an InternalError.
    """
    outs = [run(x) for x in xs]
    relation = holds(tuple(tuple(x) for x in xs), tuple(outs))
    if relation is None:
        raise InternalError(f"{subject}: the solver's counterexample {[fmt_vec(x) for x in xs]} is not reproduced "
                            f"by the exact simulator (outputs {[fmt_vec(o) for o in outs]})")
    return Counterexample(tuple(tuple(x) for x in xs), tuple(outs), relation)


def query_of(subject: str, violation: Violation, run: Callable[[Sequence[Fraction]], tuple],
             holds: Holds, proved: str, **details: Any) -> Query:
    """A solver query for ``violation`` whose models are replayed with ``run`` and checked by ``holds``."""
    return Query(subject, violation.constraints, lambda m: replayed(run, violation.read(m), holds, subject),
                 proved=proved, details=details)
