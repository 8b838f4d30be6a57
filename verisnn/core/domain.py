"""Query domains: boxes of input spike times (docs/model.md, "Domains")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from verisnn.core.errors import InvalidInput
from verisnn.core.numbers import fmt, parse_rational


@dataclass(frozen=True)
class Box:
    """The box ``lo[i] <= x[i] <= hi[i]`` of input times (exact)."""

    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        if len(self.lo) != len(self.hi):
            raise InvalidInput("box bounds have different lengths")
        for i, (a, b) in enumerate(zip(self.lo, self.hi)):
            if a > b:
                raise InvalidInput(f"domain interval {i} is empty: {fmt(a)} > {fmt(b)}")

    @staticmethod
    def uniform(lo: object, hi: object, dim: int) -> Box:
        return Box((Fraction(lo),) * dim, (Fraction(hi),) * dim)  # type: ignore[arg-type]

    @property
    def dimension(self) -> int:
        return len(self.lo)

    def contains(self, x: Sequence[Fraction]) -> bool:
        return all(a <= v <= b for a, v, b in zip(self.lo, x, self.hi))

    def corners(self) -> Iterator[tuple[Fraction, ...]]:
        yield from product(*[(a,) if a == b else (a, b) for a, b in zip(self.lo, self.hi)])

    def center(self) -> tuple[Fraction, ...]:
        return tuple((a + b) / 2 for a, b in zip(self.lo, self.hi))

    def widen(self, margin: Fraction) -> Box:
        return Box(tuple(a - margin for a in self.lo), tuple(b + margin for b in self.hi))

    def __str__(self) -> str:
        return ",".join(f"{fmt(a)}:{fmt(b)}" for a, b in zip(self.lo, self.hi))

    def to_json(self) -> list[list[str]]:
        return [[fmt(a), fmt(b)] for a, b in zip(self.lo, self.hi)]


def parse_domain(text: str, dim: int) -> Box:
    """``lo:hi`` for every input, or one ``lo:hi`` per input, comma-separated."""
    parts = [p.strip() for p in str(text).split(",")]
    intervals = []
    for k, part in enumerate(parts):
        lo, sep, hi = part.partition(":")
        if not sep:
            raise InvalidInput(f"domain interval {part!r} must be written lo:hi")
        intervals.append(
            (parse_rational(lo, f"domain lower bound {lo!r}"), parse_rational(hi, f"domain upper bound {hi!r}"))
        )
    if len(intervals) == 1:
        intervals *= dim
    if len(intervals) != dim:
        raise InvalidInput(f"domain has {len(intervals)} intervals but the network has {dim} inputs")
    return Box(tuple(a for a, _ in intervals), tuple(b for _, b in intervals))
