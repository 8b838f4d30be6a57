"""Verdicts and results: frozen, ordered, readable, and JSON-serialisable (docs/verdicts.md).

``Verdict`` is ordered ``REFUTED < UNKNOWN < PROVED``.  A result never says PROVED unless a
solver answered unsat for the negated property; ``unknown`` (timeout, resource limit, solver
``unknown``) always carries its reason.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verisnn.core.numbers import Time, fmt


class Verdict(enum.IntEnum):
    REFUTED = 0
    UNKNOWN = 1
    PROVED = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Counterexample:
    """Inputs (one vector per network copy) that violate a property, checked by the simulator.

    ``relation`` says in words what fails, with the exact numbers, so a person can check it by
    hand.  ``network`` is the file form (dict) of the network, always set for parametric claims.
    """

    inputs: tuple[tuple[Time, ...], ...]
    outputs: tuple[tuple[Time, ...], ...]
    relation: str
    network: Mapping[str, Any] | None = None
    parameters: Mapping[str, Fraction] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "inputs": [[fmt(v) for v in x] for x in self.inputs],
            "outputs": [[fmt(v) for v in y] for y in self.outputs],
            "relation": self.relation,
        }
        if self.network is not None:
            doc["network"] = self.network
        if self.parameters:
            doc["parameters"] = {k: fmt(v) for k, v in self.parameters.items()}
        return doc

    def __str__(self) -> str:
        xs = "; ".join("x=[" + ", ".join(fmt(v) for v in x) + "]" for x in self.inputs)
        return f"{self.relation} ({xs})"


@dataclass(frozen=True)
class Result:
    """The outcome of one query or claim."""

    subject: str  # claim id or property name
    verdict: Verdict
    seconds: float  # timing only
    counterexample: Counterexample | None = None
    reason: str = ""  # why unknown, or a short summary of a proof
    size: Mapping[str, Any] = field(default_factory=dict)
    mode: str = "instance"
    details: Mapping[str, Any] = field(default_factory=dict)  # e.g. bounds, piece counts, solver stats

    def __post_init__(self) -> None:
        if self.verdict is Verdict.REFUTED and self.counterexample is None and not self.details.get("witness"):
            raise ValueError("a refuted result needs a counterexample")
        if self.verdict is Verdict.UNKNOWN and not self.reason:
            raise ValueError("an unknown result needs a reason")

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "claim": self.subject,
            "size": dict(self.size),
            "mode": self.mode,
            "verdict": str(self.verdict),
        }
        if self.counterexample is not None:
            doc["counterexample"] = self.counterexample.to_json()
        if self.reason:
            doc["reason"] = self.reason
        if self.details:
            doc["details"] = jsonable(self.details)
        doc["seconds"] = round(self.seconds, 3)
        return doc

    def __str__(self) -> str:
        size = ", ".join(f"{k}={v}" for k, v in self.size.items())
        head = f"{self.verdict} {self.subject}" + (f" ({size})" if size else "")
        if self.counterexample is not None:
            return f"{head}: {self.counterexample}"
        return f"{head}: {self.reason}" if self.reason else head


def jsonable(value: Any) -> Any:
    """Fractions (and INF) as exact strings, recursively; finite floats (timings) stay numbers."""
    if isinstance(value, Fraction) or (isinstance(value, float) and math.isinf(value)):
        return fmt(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "to_json"):
        return value.to_json()
    return value


def worst(verdicts: Sequence[Verdict]) -> Verdict:
    return min(verdicts) if verdicts else Verdict.PROVED
