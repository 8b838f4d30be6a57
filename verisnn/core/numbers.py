"""Exact numbers: parsing rationals from files and the command line, formatting them back.

Every parameter, input and result in verisnn is a :class:`fractions.Fraction`.  JSON numbers are
read through their decimal text, so ``0.1`` means 1/10, never the binary float nearest to it.
A silent neuron's firing time is :data:`INF`.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from verisnn.core.errors import InvalidInput

#: The firing time of a silent neuron (and of an input that does not spike).
INF = math.inf

Time = Fraction | float  # a Fraction, or INF for "never"

_RATIONAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?(/[+-]?\d+)?$")


def parse_rational(value: object, what: str, error: type[Exception] = InvalidInput) -> Fraction:
    """Read ``value`` (int, decimal text, ``"p/q"`` text, or an exact Fraction) as a Fraction.

    ``what`` names the value in the error message, e.g. ``"threshold of neuron 'h'"``.
    Floats are accepted only through their shortest decimal repr, so ``0.1`` is 1/10.
    NaN, infinities, booleans and non-numeric text are rejected.
    """
    if isinstance(value, bool):
        raise error(f"{what} must be a rational number, got {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise error(f"{what} must be a finite rational number, got {value!r}")
        return Fraction(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if not _RATIONAL.match(text):
            raise error(f"{what} must be a rational number like 3, -0.25 or 1/3, got {value!r}")
        if len(text) > MAX_DIGITS or _exponent(text) > MAX_EXPONENT:
            raise error(f"{what} is too large to be a useful rational: {value if len(text) < 40 else text[:37] + '...'!r}")
        num, _, den = text.partition("/")
        if den and Fraction(den) == 0:
            raise error(f"{what} has a zero denominator: {value!r}")
        return Fraction(num) / Fraction(den) if den else Fraction(num)
    raise error(f"{what} must be a rational number, got {value!r}")


MAX_DIGITS = 10_000
MAX_EXPONENT = 1_000


def _exponent(text: str) -> int:
    """Absolute value of a decimal exponent in ``text`` (0 if none)."""
    m = re.search(r"[eE]([+-]?\d+)", text)
    return abs(int(m.group(1))) if m else 0


def parse_time(value: object, what: str, error: type[Exception] = InvalidInput) -> Time:
    """Like :func:`parse_rational`, but ``"inf"`` (or ``+inf``) means "no spike"."""
    if isinstance(value, str) and value.strip().lower() in ("inf", "+inf", "infinity"):
        return INF
    if isinstance(value, float) and value == math.inf:
        return INF
    return parse_rational(value, what, error)


def fmt(value: object) -> str:
    """Format a Fraction (or INF, or int) exactly: ``"3"``, ``"-3/7"``, ``"inf"``."""
    if value is None:
        return "silent"
    if isinstance(value, float):
        if value == math.inf:
            return "inf"
        if value == -math.inf:
            return "-inf"
        raise TypeError(f"refusing to format a float as exact: {value!r}")
    q = value if type(value) is Fraction else Fraction(value)  # type: ignore[arg-type]
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def is_finite(t: Time) -> bool:
    """True for a Fraction time, False for INF."""
    return not (isinstance(t, float) and t == INF)
