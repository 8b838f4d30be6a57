"""Exact, strict JSON: numbers through their decimal text, duplicate keys and unknown keys rejected.

``0.1`` in a file is 1/10, never the nearest binary float.  A key that appears twice in one object,
or a key a format does not define, is an :class:`~verisnn.core.errors.InvalidNetwork` naming the
key and where it is, with the nearest known spelling when one is close (docs/formats.md).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from verisnn.core.errors import InvalidInput, InvalidNetwork
from verisnn.core.numbers import parse_rational


class _Pairs(list):
    """An object as JSON wrote it: its (key, value) pairs in file order, duplicates kept."""


def _decimal(text: str) -> Fraction:
    return parse_rational(text, f"number {text[:40]!r}", InvalidNetwork)


def _reject_constant(name: str) -> float:
    raise InvalidNetwork(f"{name} is not a number; numbers must be finite rationals")


def _objects(value: Any, where: str) -> Any:
    """Turn every parsed object into a dict, rejecting a key that occurs twice in one object."""
    if isinstance(value, _Pairs):
        out: dict[str, Any] = {}
        for key, item in value:
            if key in out:
                raise InvalidNetwork(f"duplicate key {key!r} in {where}")
            out[key] = _objects(item, key if where == "the top level" else f"{where}.{key}")
        return out
    if isinstance(value, list):
        return [_objects(item, f"{where}[{k}]") for k, item in enumerate(value)]
    return value


def loads(text: str, where: str = "<string>") -> Any:
    """JSON with every number exact (decimals through their text); NaN / Infinity and duplicate keys rejected."""
    try:
        raw = json.loads(text, parse_float=_decimal, parse_constant=_reject_constant, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as exc:
        raise InvalidNetwork(f"{where} is not valid JSON: {exc}") from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        if isinstance(exc, InvalidNetwork):
            raise
        raise InvalidNetwork(f"{where}: {exc}") from None
    try:
        return _objects(raw, "the top level")
    except InvalidNetwork as exc:
        raise InvalidNetwork(f"{where}: {exc}") from None


def read_json(path: str | Path) -> Any:
    """Parse a JSON file exactly (see :func:`loads`); a missing or unreadable file names its path."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {str(path)!r}") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {str(path)!r}: {exc}") from None
    return loads(text, str(path))


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2)


def suggestion(word: str, known: Iterable[str]) -> str:
    """``; did you mean 'kernel'?`` when a known word is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(str(word), sorted(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_keys(doc: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    """Reject a key of ``doc`` that is not in ``known``, naming it, ``where`` it is, and a near spelling."""
    allowed = frozenset(known)
    for key in doc:
        if key not in allowed:
            listed = ", ".join(sorted(allowed))
            raise InvalidNetwork(f"unknown key {key!r} in {where}{suggestion(key, allowed)} (known keys: {listed})")


def need(doc: Mapping[str, Any], key: str, what: str) -> Any:
    """``doc[key]``, or an :class:`InvalidNetwork` saying that ``what`` is missing it."""
    if key not in doc:
        raise InvalidNetwork(f"{what} is missing the key '{key}'")
    return doc[key]
