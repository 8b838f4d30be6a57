"""Strict reading of certificate JSON: exact numbers, affine lists, keys; every failure names its place."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import lru_cache
from math import gcd
from typing import Any

from verisnn.core.affine import ByIdentity

Affine = tuple[Fraction, ...]

_NUMBER = re.compile(r"-?[0-9]+(/[0-9]+)?")


class NotCertificate(Exception):
    """The file is not a certificate at all (not JSON, not an object, unknown format, wrong top-level keys)."""


class StepFailed(Exception):
    """A step of the check fails; the message names the step (e.g. ``piece 3: point not inside``)."""


def number(value: Any, where: str) -> Fraction:
    """An exact rational written as a string ``"n"`` or ``"n/d"`` (or a JSON integer)."""
    if isinstance(value, bool):
        raise StepFailed(f"{where}: {value!r} is not an exact number")
    if isinstance(value, int):
        return Fraction(value)
    if not isinstance(value, str):
        raise StepFailed(f"{where}: {value!r} is not an exact number (\"n\" or \"n/d\")")
    q = _parsed(value)
    if q is None:
        raise StepFailed(f"{where}: {value!r} is not an exact number (\"n\" or \"n/d\", nonzero denominator)")
    return q


@lru_cache(maxsize=65536)
def _parsed(text: str) -> Fraction | None:
    if not _NUMBER.fullmatch(text) or ("/" in text and int(text.split("/")[1]) == 0):
        return None
    return Fraction(text)


def affine(value: Any, n: int, where: str) -> Affine:
    """``[c0, c1, ..., cn]`` over ``n`` free variables."""
    return half_space(value, n, where)[0]


#: a half-space ``g > 0`` by value: the exact text of ``g`` scaled to first nonzero coefficient +-1
Key = tuple[str, ...]


def half_space(value: Any, n: int, where: str) -> tuple[Affine, Key, Key]:
    """An affine ``g`` (as :func:`affine`) with the keys of the half-spaces ``g > 0`` and ``-g > 0``.

    Two constraints have equal keys exactly when they are positive multiples of each other (the
    key is the text of :func:`normalize`'s result).  Certificates repeat a cell's constraints in
    every cell below it, so each distinct text is read once.
    """
    if not isinstance(value, list) or len(value) != n + 1:
        raise StepFailed(f"{where}: an affine function over {n} variables is a list of {n + 1} numbers")
    try:
        got = _read_text(tuple(value))  # exact text; any other value falls through to number()
    except TypeError:
        got = None
    if got is not None:
        return got
    g = tuple(number(c, f"{where}[{k}]") for k, c in enumerate(value))
    return keyed(g)


@lru_cache(maxsize=1 << 18)
def _read_text(text: tuple[str, ...]) -> tuple[Affine, Key, Key] | None:
    if not all(type(c) is str for c in text):
        return None
    g = tuple(map(_parsed, text))
    return None if None in g else keyed(g)  # type: ignore[arg-type]


def keyed(g: Affine) -> tuple[Affine, Key, Key]:
    """``g`` with the keys of ``g > 0`` and ``-g > 0`` (see :func:`half_space`)."""
    ng = normalize(g)
    return g, tuple(map(str, ng)), tuple(str(-c) for c in ng)


def optional_affine(value: Any, n: int, where: str) -> Affine | None:
    return None if value is None else affine(value, n, where)


def obj(value: Any, keys: Sequence[str], where: str, optional: Sequence[str] = ()) -> Mapping[str, Any]:
    """An object with exactly ``keys`` (plus any of ``optional``)."""
    if not isinstance(value, Mapping):
        raise StepFailed(f"{where}: expected an object")
    missing = [k for k in keys if k not in value]
    if missing:
        raise StepFailed(f"{where}: key {missing[0]!r} missing")
    extra = [k for k in value if k not in keys and k not in optional]
    if extra:
        raise StepFailed(f"{where}: unknown key {extra[0]!r}")
    return value


def items(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise StepFailed(f"{where}: expected a list")
    return value


def index(value: Any, size: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise StepFailed(f"{where}: {value!r} is not an index below {size}")
    return value


def evaluate(a: Affine, point: Sequence[Fraction]) -> Fraction:
    return a[0] + sum((c * x for c, x in zip(a[1:], point)), Fraction(0))


#: an affine ``g`` in integers: ``(den, nums)`` with ``g = nums / den`` coefficientwise and ``den > 0``
Row = tuple[int, list[int]]


def integer_form(g: Affine) -> Row:
    den = 1
    for c in g:
        q = c.denominator
        if q != 1 and den % q:
            den = den * q // gcd(den, q)
    return den, [c.numerator * (den // c.denominator) for c in g]


class Rows(ByIdentity):
    """:func:`integer_form` per object, and ``negated(g)``, ``-g`` per object.

    Certificates hand the same constraint objects around (see :func:`half_space`), so each is
    converted once.
    """

    def __init__(self) -> None:
        super().__init__(integer_form, 200_000)
        self.negated = ByIdentity(lambda g: tuple(-c for c in g), 200_000)


def combine(terms: Sequence[tuple[Fraction, Row]], width: int) -> Row:
    """``sum v * g`` over ``terms`` (``g`` in integer form), exact, as an integer form."""
    den, nums = 1, [0] * width
    for v, (d, g) in terms:
        p, q = v.numerator, v.denominator * d  # v * g = p * nums_g / q
        if den % q:
            m = den * q // gcd(den, q)
            f = m // den
            nums = [x * f for x in nums]
            den = m
        k = p * (den // q)
        nums = [x + k * y for x, y in zip(nums, g)]
    return den, nums


def same(a: Row, b: Row) -> bool:
    """``a == b`` as affine functions."""
    da, na = a
    db, nb = b
    return len(na) == len(nb) and all(x * db == y * da for x, y in zip(na, nb))


def positive_at(g: Row, point: Row) -> bool:
    """``g(p) > 0`` at the point ``p = point[1] / point[0]`` (both integer forms; ``point`` has no constant term)."""
    _, nums = g
    d, p = point
    return nums[0] * d + sum(c * x for c, x in zip(nums[1:], p)) > 0


def normalize(g: Affine) -> Affine:
    """``g`` scaled by a positive number so that its first nonzero coefficient is +-1 (same half-space)."""
    for c in g[1:]:
        if c:
            return g if c == 1 or c == -1 else tuple(x / abs(c) for x in g)
    return g
