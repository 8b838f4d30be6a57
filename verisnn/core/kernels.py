"""Response kernels: right-continuous piecewise-linear functions that vanish before 0.

All kernels share one representation, a tuple of pieces ``(start, value, slope)``: on
``[start_k, start_{k+1})`` the kernel is ``value_k + slope_k * (s - start_k)``, the last piece runs
to infinity, and ``eps(s) = 0`` for ``s < 0``.  The first piece starts at 0 with value 0, so a
spike never changes a potential at the instant it arrives.

Built-ins (docs/kernels.md): ``linear`` (``s``), ``box(delta)`` (``s`` then 0 from ``delta`` on),
``saturating(delta)`` (``min(s, delta)``) and ``triangle(delta)`` (up to ``delta``, down to 0 at
``2*delta``, then 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from verisnn.core.errors import InvalidNetwork
from verisnn.core.numbers import fmt, parse_rational


@dataclass(frozen=True)
class Piece:
    """One linear piece of a kernel, valid from ``start`` up to the next piece's start."""

    start: Fraction
    value: Fraction
    slope: Fraction

    def at(self, s: Fraction) -> Fraction:
        return self.value + self.slope * (s - self.start)


@dataclass(frozen=True)
class Event:
    """What a kernel does at one breakpoint: the jump there and the change of slope."""

    offset: Fraction
    jump: Fraction
    slope_change: Fraction


@dataclass(frozen=True)
class Kernel:
    """A right-continuous PWL response kernel; ``name``/``delta`` remember a built-in's origin."""

    pieces: tuple[Piece, ...]
    name: str | None = None
    delta: Fraction | None = None

    def __post_init__(self) -> None:
        if not self.pieces:
            raise InvalidNetwork("kernel must have at least one piece")
        first = self.pieces[0]
        if first.start != 0 or first.value != 0:
            raise InvalidNetwork(
                f"kernel's first piece must start at 0 with value 0, got from={fmt(first.start)} "
                f"value={fmt(first.value)}"
            )
        for a, b in zip(self.pieces, self.pieces[1:]):
            if not b.start > a.start:
                raise InvalidNetwork(
                    f"kernel piece starts must be strictly increasing, got {fmt(a.start)} "
                    f"then {fmt(b.start)}"
                )

    # --- evaluation -------------------------------------------------------------------------
    def piece_index(self, s: Fraction) -> int:
        """Index of the piece containing ``s`` (right-continuous); -1 for ``s < 0``."""
        if s < 0:
            return -1
        index = 0
        for k, piece in enumerate(self.pieces):
            if piece.start <= s:
                index = k
            else:
                break
        return index

    def __call__(self, s: Fraction) -> Fraction:
        k = self.piece_index(s)
        return Fraction(0) if k < 0 else self.pieces[k].at(s)

    def left_limit(self, s: Fraction) -> Fraction:
        """``lim eps(r)`` for ``r`` increasing to ``s``."""
        if s <= 0:
            return Fraction(0)
        k = self.piece_index(s)
        if self.pieces[k].start == s:
            k -= 1
        return self.pieces[k].at(s)

    # --- structure --------------------------------------------------------------------------
    @property
    def breakpoints(self) -> tuple[Fraction, ...]:
        """Piece starts, 0 included."""
        return tuple(p.start for p in self.pieces)

    def events(self) -> Iterator[Event]:
        """Jump and slope change at every breakpoint (the first one is the arrival itself)."""
        prev: Piece | None = None
        for piece in self.pieces:
            if prev is None:
                yield Event(piece.start, piece.value, piece.slope)
            else:
                yield Event(piece.start, piece.value - prev.at(piece.start), piece.slope - prev.slope)
            prev = piece

    @property
    def slopes(self) -> tuple[Fraction, ...]:
        return tuple(p.slope for p in self.pieces)

    @property
    def is_linear(self) -> bool:
        """True for ``eps(s) = s`` (the papers' main case)."""
        return len(self.pieces) == 1 and self.pieces[0].slope == 1

    @property
    def is_continuous(self) -> bool:
        return all(e.jump == 0 for e in self.events())

    @property
    def is_nondecreasing(self) -> bool:
        return self.is_continuous and all(p.slope >= 0 for p in self.pieces)

    # --- description ------------------------------------------------------------------------
    def to_json(self) -> object:
        """The file form (docs/formats.md): a built-in's name, or the piece list."""
        if self.name == "linear":
            return "linear"
        if self.name is not None and self.delta is not None:
            return {"name": self.name, "delta": fmt(self.delta)}
        return {
            "pieces": [
                {"from": fmt(p.start), "value": fmt(p.value), "slope": fmt(p.slope)}
                for p in self.pieces
            ]
        }

    def __str__(self) -> str:
        if self.name == "linear":
            return "linear"
        if self.name is not None and self.delta is not None:
            return f"{self.name}({fmt(self.delta)})"
        return "pieces[" + ", ".join(
            f"{fmt(p.start)}:{fmt(p.value)}{'+' if p.slope >= 0 else ''}{fmt(p.slope)}s"
            for p in self.pieces
        ) + "]"


def _piece(start: object, value: object, slope: object) -> Piece:
    return Piece(Fraction(start), Fraction(value), Fraction(slope))  # type: ignore[arg-type]


def linear() -> Kernel:
    """``eps(s) = s`` for ``s >= 0``."""
    return Kernel((_piece(0, 0, 1),), name="linear")


def _check_delta(delta: object, name: str) -> Fraction:
    d = parse_rational(delta, f"delta of kernel '{name}'", InvalidNetwork)
    if d <= 0:
        raise InvalidNetwork(f"delta of kernel '{name}' must be > 0, got {fmt(d)}")
    return d


def box(delta: object) -> Kernel:
    """``s`` for ``0 <= s < delta``, then 0 (a downward jump at ``delta``)."""
    d = _check_delta(delta, "box")
    return Kernel((_piece(0, 0, 1), _piece(d, 0, 0)), name="box", delta=d)


def saturating(delta: object) -> Kernel:
    """``min(s, delta)``."""
    d = _check_delta(delta, "saturating")
    return Kernel((_piece(0, 0, 1), _piece(d, d, 0)), name="saturating", delta=d)


def triangle(delta: object) -> Kernel:
    """``s`` up to ``delta``, ``2*delta - s`` up to ``2*delta``, then 0."""
    d = _check_delta(delta, "triangle")
    return Kernel((_piece(0, 0, 1), _piece(d, d, -1), _piece(2 * d, 0, 0)), name="triangle", delta=d)


BUILTINS = {"box": box, "saturating": saturating, "triangle": triangle}


def from_pieces(pieces: list[tuple[object, object, object]]) -> Kernel:
    """A user kernel from ``(from, value, slope)`` triples (validated exactly)."""
    parsed = []
    for k, (start, value, slope) in enumerate(pieces):
        parsed.append(
            Piece(
                parse_rational(start, f"kernel piece {k} 'from'", InvalidNetwork),
                parse_rational(value, f"kernel piece {k} 'value'", InvalidNetwork),
                parse_rational(slope, f"kernel piece {k} 'slope'", InvalidNetwork),
            )
        )
    kernel = Kernel(tuple(parsed))
    return linear() if kernel.is_linear else kernel


def parse_kernel(spec: object) -> Kernel:
    """Read a kernel in the file form: ``"linear"``, ``{"name":..., "delta":...}``, ``{"pieces": [...]}``."""
    if isinstance(spec, Kernel):
        return spec
    if spec == "linear" or spec == {"name": "linear"}:
        return linear()
    if isinstance(spec, str):
        raise InvalidNetwork(
            f"unknown kernel {spec!r}; use 'linear', {{'name': 'box'|'saturating'|'triangle', "
            "'delta': ...}} or {'pieces': [...]}"
        )
    if isinstance(spec, dict):
        if "pieces" in spec:
            raw = spec["pieces"]
            if not isinstance(raw, list) or not raw:
                raise InvalidNetwork("kernel 'pieces' must be a nonempty list")
            triples = []
            for k, item in enumerate(raw):
                if not isinstance(item, dict) or not {"from", "value", "slope"} <= set(item):
                    raise InvalidNetwork(
                        f"kernel piece {k} must be an object with 'from', 'value' and 'slope', got {item!r}"
                    )
                triples.append((item["from"], item["value"], item["slope"]))
            return from_pieces(triples)
        name = spec.get("name")
        if name in BUILTINS:
            if "delta" not in spec:
                raise InvalidNetwork(f"kernel '{name}' needs a 'delta'")
            return BUILTINS[name](spec["delta"])
        raise InvalidNetwork(f"unknown kernel {name!r}; built-ins are linear, box, saturating, triangle")
    raise InvalidNetwork(f"kernel must be a name or an object, got {spec!r}")
