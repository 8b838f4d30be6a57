"""Claims: the papers' statements as runnable checks, discovered from ``theorems/`` like tests.

A claim module is any ``*.py`` file in a claims directory (``theorems/`` by default) whose name
does not start with ``_``.  It declares claims with the :func:`claim` decorator::

    @claim("C4", expected="proved", mode="instance", sizes=[{"d": 2, "widths": [3, 1]}],
           source="arXiv 2308.08218, order properties of positive linear networks")
    def order_properties(size: dict, ctx: RunContext) -> Result:
        '''Positive weights + linear kernel => R is nondecreasing, concave, ...'''
        ...

The function receives one size (a dict from ``sizes``, or the user's ``--size``) and a
:class:`RunContext`, and returns a :class:`~verisnn.core.results.Result`.  A *broken variant* (a
hypothesis dropped, or the property strengthened) is declared the same way with ``broken_of=``
set to the id of the claim it breaks and ``expected="refuted"``; the tests run both, so no
claim can pass vacuously.  The runner compares each verdict with ``expected``.

``source`` names where the statement comes from (paper, theorem number; a broken variant names the
claim it breaks, the hypothesis it drops and the original's source); the module docstring names the
same paper.  It is required for the bundled ``theorems/``: :func:`discover` rejects a bundled claim
without one.  A user's claim file (``--path``) may leave it out; such a claim's source is then
``user claim file <path>``.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import inspect
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from verisnn.core.errors import InvalidInput
from verisnn.core.results import Result, Verdict
from verisnn.io.jsonio import suggestion

EXPECTED = {"proved": Verdict.PROVED, "refuted": Verdict.REFUTED, "witness found": Verdict.REFUTED,
            "unknown": Verdict.UNKNOWN}


@dataclass(frozen=True)
class RunContext:
    """What the runner passes to every claim: limits and solver choice."""

    timeout: float = 60.0  # wall-clock seconds per solver call
    solver: str = "z3"  # "z3", "cvc5" or "both"
    rlimit: int | None = None  # deterministic z3 resource limit, if set
    seed: int = 0
    certificates: str | None = None  # directory where region claims write their certificates
    lp: str = "vertex"  # exact LP backend of region enumeration (verisnn.solvers.lp.LP_NAMES)


@dataclass(frozen=True)
class Claim:
    id: str
    run: Callable[[Mapping[str, Any], RunContext], Result]
    expected: Verdict
    mode: str  # "instance", "parametric" or "symbolic"
    sizes: tuple[Mapping[str, Any], ...]
    title: str
    statement: str
    broken_of: str | None = None
    default: bool = True  # part of the default table of `verisnn prove`
    module: str = ""
    limits: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # per-key integer ranges of sizes
    keys: tuple[str, ...] = ()  # size keys it reads: declared, and found in its code by keys_read
    file: str = ""  # the file that declares it
    source: str = ""  # where the statement comes from: paper and theorem number (see the module docstring)

    @property
    def size_keys(self) -> frozenset[str]:
        """The size keys this claim reads: those of its default sizes, its limits and its ``keys``."""
        return frozenset(k for s in self.sizes for k in s) | frozenset(self.limits) | frozenset(self.keys)

    @property
    def key(self) -> str:
        return self.id

    def __str__(self) -> str:
        return f"{self.id} ({self.mode}): {self.title}"


_REGISTRY: list[Claim] = []


def claim(
    id: str,
    *,
    expected: str,
    mode: str = "instance",
    sizes: Sequence[Mapping[str, Any]] = ({},),
    broken_of: str | None = None,
    default: bool = True,
    limits: Mapping[str, tuple[int, int]] | None = None,
    keys: Sequence[str] = (),
    source: str | None = None,
) -> Callable[[Callable[[Mapping[str, Any], RunContext], Result]], Callable[[Mapping[str, Any], RunContext], Result]]:
    """Register a claim (see the module docstring)."""
    if expected not in EXPECTED:
        raise ValueError(f"expected must be one of {sorted(EXPECTED)}, got {expected!r}")
    if source is not None and (not isinstance(source, str) or not source.strip() or "\n" in source):
        raise ValueError(f"claim {id}: source must be a non-empty one-line string (paper, theorem), got {source!r}")

    def decorate(fn: Callable[[Mapping[str, Any], RunContext], Result]) -> Callable[[Mapping[str, Any], RunContext], Result]:
        doc = (fn.__doc__ or "").strip()
        title = doc.splitlines()[0] if doc else fn.__name__
        _REGISTRY.append(
            Claim(id, fn, EXPECTED[expected], mode, tuple(dict(s) for s in sizes), title, doc, broken_of, default,
                  fn.__module__, dict(limits or {}), tuple(sorted(set(keys) | keys_read(fn))),
                  fn.__code__.co_filename, (source or "").strip())
        )
        return fn

    return decorate


def _size_key(node: ast.AST) -> str | None:
    """``"k"`` when ``node`` is ``size["k"]`` or ``size.get("k", ...)``."""
    if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "size"
            and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
        return node.slice.value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "size" and node.args
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        return node.args[0].value
    return None


def keys_read(fn: Callable[..., Any]) -> frozenset[str]:
    """The size keys a claim function reads, found in its code (``size["k"]``, ``size.get("k", ...)``).

    The search follows the functions of the same module that it calls or wraps (a decorator's
    closure), and counts the keys that library helpers declare in a ``size_keys`` attribute (e.g.
    :func:`verisnn.claims.generators.size_widths`).  It lets ``--size`` reject a key no claim reads.
    """
    keys: set[str] = set()
    seen: set[int] = set()
    todo: list[Any] = [fn]
    while todo:
        f = todo.pop()
        if not callable(f) or id(f) in seen:
            continue
        seen.add(id(f))
        declared = getattr(f, "size_keys", None)
        if declared is not None:
            keys.update(declared)
            continue
        if getattr(f, "__module__", None) != fn.__module__ or not hasattr(f, "__code__"):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(f)))
        except (OSError, TypeError, SyntaxError):
            continue
        for cell in f.__closure__ or ():
            with contextlib.suppress(ValueError):
                todo.append(cell.cell_contents)
        for node in ast.walk(tree):
            key = _size_key(node)
            if key is not None:
                keys.add(key)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                todo.append(f.__globals__.get(node.func.id))
    return frozenset(keys)


DEFAULT_PATH = Path(__file__).resolve().parents[2] / "theorems"


def discover(paths: Sequence[str | Path] = ()) -> list[Claim]:
    """Import every claim module under ``paths`` (default: the bundled ``theorems/``)."""
    roots = [Path(p) for p in paths] or [_default_root()]
    files: list[Path] = []
    for root in roots:
        if root.is_file() and root.suffix == ".py":
            files.append(root)
        elif root.is_dir():
            files.extend(sorted(p for p in root.glob("*.py") if not p.name.startswith("_")))
        else:
            raise InvalidInput(f"no claim file or directory at {str(root)!r}")
    before = len(_REGISTRY)
    loaded: list[Claim] = []
    for f in files:
        name = f"verisnn_claims_{abs(hash(str(f.resolve())))}_{f.stem}"
        if name in sys.modules:
            loaded.extend(c for c in _REGISTRY if c.module == name)
            continue
        spec = importlib.util.spec_from_file_location(name, f)
        if spec is None or spec.loader is None:
            raise InvalidInput(f"cannot import claim file {str(f)!r}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - any failure in a user file is reported as bad input
            del sys.modules[name]
            raise InvalidInput(f"claim file {str(f)!r} failed to import: {type(exc).__name__}: {exc}") from None
    loaded.extend(_REGISTRY[before:])
    ids = [c.id for c in loaded]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InvalidInput(f"duplicate claim ids: {', '.join(dupes)}")
    return sorted((_with_source(c) for c in loaded), key=lambda c: _sort_key(c.id))


def _with_source(c: Claim) -> Claim:
    """``c`` with its source: required in the bundled ``theorems/``, defaulted in a user's claim file."""
    if c.source:
        return c
    if _bundled(c.file):
        raise InvalidInput(f"claim {c.id} in {c.file} has no source: give @claim(..., source=\"<paper>, <theorem>\")")
    return replace(c, source=f"user claim file {c.file}")


def _bundled(file: str) -> bool:
    try:
        return Path(file).resolve().is_relative_to(DEFAULT_PATH.resolve())
    except OSError:
        return False


def _default_root() -> Path:
    if DEFAULT_PATH.is_dir():
        return DEFAULT_PATH
    raise InvalidInput("the bundled theorems/ directory is missing; pass --path")


def _sort_key(cid: str) -> tuple:
    import re

    parts = re.split(r"(\d+)", cid)
    return tuple(int(p) if p.isdigit() else p for p in parts)


#: integer ranges every claim accepts for these size keys unless it declares its own ``limits``
SIZE_LIMITS: dict[str, tuple[int, int]] = {"d": (1, 8), "m": (1, 16), "seeds": (1, 50), "seed": (0, 2**31 - 1),
                                           "outputs": (1, 64)}
KERNEL_NAMES = ("linear", "box", "saturating", "triangle")


def check_size(c: Claim, size: Mapping[str, Any]) -> None:
    """Reject a user's ``--size`` that a claim cannot run sensibly (exit 2 instead of a hang or a crash).

    A key the claim does not read is an error too (it would run its defaults under a wrong label).
    """
    known = c.size_keys
    for key in size:
        if key not in known:
            reads = f"it reads {', '.join(sorted(known))}" if known else "it takes no size keys"
            raise InvalidInput(f"size key {key!r} is not read by {c.id}{suggestion(key, known)} ({reads})")
    limits = {**SIZE_LIMITS, **c.limits}
    for key, value in size.items():
        if key in limits:
            lo, hi = limits[key]
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise InvalidInput(f"size {key}={value!r} is out of range for {c.id}: an integer in [{lo}, {hi}]")
        elif key == "widths":
            if (not isinstance(value, list) or not 1 <= len(value) <= 12
                    or not all(isinstance(w, int) and not isinstance(w, bool) and 1 <= w <= 256 for w in value)):
                raise InvalidInput(f"size widths={value!r} must be a list of 1 to 12 integers in [1, 256]")
        elif key == "kernel" and value not in KERNEL_NAMES:
            raise InvalidInput(f"size kernel={value!r} must be one of {', '.join(KERNEL_NAMES)}")


def sized(chosen: Sequence[Claim], ids: Sequence[str], size: Mapping[str, Any]) -> list[Claim]:
    """The chosen claims that can run at ``size``, each checked with :func:`check_size`.

    A claim named exactly by an id must accept every key of ``size``; members of a named family that
    do not read all its keys (C3-param for ``widths``) are left out.  No claim left is an error.
    """
    named = {i.lower() for i in ids}
    out = []
    for c in chosen:
        if c.id.lower() in named or set(size) <= c.size_keys:
            check_size(c, size)
            out.append(c)
    if chosen and not out:
        check_size(chosen[0], size)  # raises, naming the first unknown key
    return out


def select(claims: Sequence[Claim], ids: Sequence[str]) -> list[Claim]:
    """Claims named by ``ids``; an id selects its whole family (C4 -> C4, C4-param, C4-signed, ...)."""
    if not ids:
        return [c for c in claims if c.default]
    chosen = []
    for cid in ids:
        key = cid.lower()
        match = [c for c in claims
                 if c.id.lower() == key or c.id.lower().startswith(key + "-") or (c.broken_of or "").lower() == key]
        if not match:
            raise InvalidInput(f"unknown claim {cid!r}; `verisnn list` shows the claims")
        chosen.extend(m for m in match if m not in chosen)
    return chosen


@dataclass(frozen=True)
class Outcome:
    """One claim at one size, with whether its verdict matched the expected one."""

    claim: Claim
    result: Result

    @property
    def matches(self) -> bool:
        return self.result.verdict == self.claim.expected

    def to_json(self) -> dict[str, Any]:
        doc = self.result.to_json()
        doc["claim"] = self.claim.id
        doc["expected"] = str(self.claim.expected)
        doc["matches"] = self.matches
        return doc


__all__ = ["Claim", "Outcome", "RunContext", "claim", "discover", "field", "select"]
