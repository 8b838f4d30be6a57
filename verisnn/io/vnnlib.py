"""VNN-LIB properties, read exactly: the subset VNN-COMP uses.

A property file declares ``X_0 .. X_{n-1}`` (network inputs) and ``Y_0 .. Y_{m-1}`` (outputs) with
``(declare-const X_i Real)`` and asserts linear constraints over them with ``<=``, ``>=``, ``<``,
``>``, ``=``, combined with ``and`` / ``or`` (any nesting; VNN-COMP writes an ``or`` of ``and`` s).
Terms are numbers, variables, ``+``, ``-`` (unary and n-ary) and ``*`` with at most one
non-constant factor.  The assertions describe a *counterexample*: the property holds (VNN-COMP
``unsat``) iff no input satisfies all of them.

Numbers are read through their text, so ``0.1`` is 1/10 exactly; ``(/ 1 3)`` is 1/3.  Anything
outside the subset, undeclared or misnamed variables and unbalanced text raise
:class:`~verisnn.core.errors.InvalidInput` with one line naming the problem.

Outputs may be infinite (a silent spiking output is ``+inf``, a silent decoded output ``-inf`` or
``+inf`` by its code).  :func:`Atom.holds` reads an atom ``L op 0`` in the extended reals: the
silent terms that push ``L`` up form one side, those that push it down the other; if only one side
is infinite ``L`` is that infinity, and if both are, the two sides compare as equal (``0 op 0``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

from verisnn.core.errors import InvalidInput
from verisnn.core.numbers import Time, fmt, parse_rational

_VAR = re.compile(r"^([XY])_(\d+)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
OPS = ("<=", "<", ">=", ">", "=")


@dataclass(frozen=True)
class Linear:
    """``sum coeffs[v] * v + const`` over variable names ``X_i`` / ``Y_j``, exact."""

    coeffs: tuple[tuple[str, Fraction], ...]
    const: Fraction = Fraction(0)

    @staticmethod
    def of(coeffs: Mapping[str, Fraction], const: Fraction) -> Linear:
        return Linear(tuple(sorted((v, c) for v, c in coeffs.items() if c != 0)), const)

    def __str__(self) -> str:
        parts = [f"{fmt(c)}*{v}" for v, c in self.coeffs]
        if self.const != 0 or not parts:
            parts.append(fmt(self.const))
        return " + ".join(parts)


@dataclass(frozen=True)
class Atom:
    """``expr op 0`` with ``op`` one of ``<=``, ``<``, ``>=``, ``>``, ``=``."""

    expr: Linear
    op: str

    def holds(self, values: Mapping[str, Time]) -> bool:
        """The atom at exact values; infinite values are read as the module docstring says."""
        finite = self.expr.const
        up = down = False
        for v, c in self.expr.coeffs:
            x = values[v]
            if isinstance(x, float):
                if math.isnan(x) or not math.isinf(x):
                    raise InvalidInput(f"value of {v} must be exact or infinite, got {x!r}")
                if (c > 0) == (x > 0):
                    up = True
                else:
                    down = True
            else:
                finite += c * x
        if up and down:
            return _compare(Fraction(0), self.op)
        if up:
            return self.op in (">=", ">")
        if down:
            return self.op in ("<=", "<")
        return _compare(finite, self.op)

    def __str__(self) -> str:
        return f"{self.expr} {self.op} 0"


def _compare(value: Fraction, op: str) -> bool:
    return {"<=": value <= 0, "<": value < 0, ">=": value >= 0, ">": value > 0, "=": value == 0}[op]


@dataclass(frozen=True)
class And:
    parts: tuple[Formula, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Formula, ...]


Formula = Atom | And | Or


def holds(formula: Formula, values: Mapping[str, Time]) -> bool:
    """``formula`` at exact values (see :meth:`Atom.holds` for infinite ones)."""
    if isinstance(formula, Atom):
        return formula.holds(values)
    if isinstance(formula, And):
        return all(holds(p, values) for p in formula.parts)
    return any(holds(p, values) for p in formula.parts)


@dataclass(frozen=True)
class Property:
    """A parsed VNN-LIB file: its variables, its assertions, and the input box they imply."""

    name: str
    n_inputs: int
    n_outputs: int
    assertions: tuple[Formula, ...]
    lo: tuple[Fraction, ...]  # closed hull of the inputs allowed by the assertions
    hi: tuple[Fraction, ...]

    def holds(self, x: Sequence[Time], y: Sequence[Time]) -> bool:
        """True if inputs ``x`` and outputs ``y`` satisfy every assertion (a counterexample)."""
        values: dict[str, Time] = {f"X_{i}": v for i, v in enumerate(x)}
        values.update({f"Y_{j}": v for j, v in enumerate(y)})
        return all(holds(a, values) for a in self.assertions)

    def check_sizes(self, n_inputs: int, n_outputs: int, what: str = "the network") -> None:
        """InvalidInput unless the property's X / Y counts are the network's."""
        if self.n_inputs != n_inputs:
            raise InvalidInput(f"{self.name} declares {self.n_inputs} inputs X_i but {what} has {n_inputs}")
        if self.n_outputs != n_outputs:
            raise InvalidInput(f"{self.name} declares {self.n_outputs} outputs Y_j but {what} has {n_outputs}")


def load_vnnlib(path: str | Path) -> Property:
    """Read a VNN-LIB file (see the module docstring)."""
    p = Path(path)
    try:
        text = p.read_text()
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {str(path)!r}") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {str(path)!r}: {exc}") from None
    return parse_vnnlib(text, p.name)


# --- s-expressions -------------------------------------------------------------------------------
SExpr = str | list  # an atom's text, or a list of s-expressions


def _tokens(text: str, where: str) -> Iterator[tuple[str, int]]:
    line = 1
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch.isspace():
            i += 1
        elif ch == ";":
            while i < n and text[i] != "\n":
                i += 1
        elif ch in "()":
            yield ch, line
            i += 1
        elif ch == "|" or ch == '"':
            raise InvalidInput(f"{where} line {line}: quoted symbols and strings are not supported")
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "();":
                j += 1
            yield text[i:j], line
            i = j


def _sexprs(text: str, where: str) -> list[tuple[SExpr, int]]:
    stack: list[tuple[list, int]] = []
    top: list[tuple[SExpr, int]] = []
    for tok, line in _tokens(text, where):
        if tok == "(":
            stack.append(([], line))
        elif tok == ")":
            if not stack:
                raise InvalidInput(f"{where} line {line}: unbalanced ')'")
            done, start = stack.pop()
            if stack:
                stack[-1][0].append(done)
            else:
                top.append((done, start))
        elif stack:
            stack[-1][0].append(tok)
        else:
            raise InvalidInput(f"{where} line {line}: {tok!r} outside a command")
    if stack:
        raise InvalidInput(f"{where} line {stack[-1][1]}: unbalanced '(' (the file ends inside it)")
    return top


def _show(e: SExpr) -> str:
    s = e if isinstance(e, str) else "(" + " ".join(_show(x) for x in e) + ")"
    return s if len(s) <= 60 else s[:57] + "..."


# --- the subset ----------------------------------------------------------------------------------
class _Reader:
    def __init__(self, where: str) -> None:
        self.where = where
        self.declared: set[str] = set()
        self.line = 0

    def fail(self, message: str) -> InvalidInput:
        return InvalidInput(f"{self.where} line {self.line}: {message}")

    def declare(self, cmd: list) -> None:
        if len(cmd) != 3 or not isinstance(cmd[1], str) or cmd[2] != "Real":
            raise self.fail(f"expected (declare-const NAME Real), got {_show(cmd)}")
        name = cmd[1]
        if not _VAR.match(name):
            raise self.fail(f"variable {name!r} must be named X_i (input) or Y_j (output)")
        if name in self.declared:
            raise self.fail(f"{name} is declared twice")
        self.declared.add(name)

    def term(self, e: SExpr) -> tuple[dict[str, Fraction], Fraction]:
        if isinstance(e, str):
            if _NUMBER.match(e):
                return {}, parse_rational(e, f"number {e!r}")
            if e in self.declared:
                return {e: Fraction(1)}, Fraction(0)
            if _VAR.match(e):
                raise self.fail(f"{e} is used but not declared")
            raise self.fail(f"unknown symbol {e!r}")
        if not e or not isinstance(e[0], str):
            raise self.fail(f"expected a term, got {_show(e)}")
        head, args = e[0], e[1:]
        if not args:
            raise self.fail(f"{head!r} needs arguments: {_show(e)}")
        parts = [self.term(a) for a in args]
        if head == "+" or (head == "-" and len(parts) > 1):
            coeffs: dict[str, Fraction] = dict(parts[0][0])
            const = parts[0][1]
            sign = 1 if head == "+" else -1
            for c, k in parts[1:]:
                for v, a in c.items():
                    coeffs[v] = coeffs.get(v, Fraction(0)) + sign * a
                const += sign * k
            return coeffs, const
        if head == "-":
            c, k = parts[0]
            return {v: -a for v, a in c.items()}, -k
        if head == "*":
            coeffs, const = {}, Fraction(1)
            for c, k in parts:
                if c and coeffs:
                    raise self.fail(f"nonlinear product {_show(e)}")
                if c:
                    coeffs = {v: a * const for v, a in c.items()}
                    const = const * k
                else:
                    coeffs = {v: a * k for v, a in coeffs.items()}
                    const = const * k
            return coeffs, const
        if head == "/":
            if len(parts) != 2 or parts[1][0]:
                raise self.fail(f"division needs a constant divisor: {_show(e)}")
            if parts[1][1] == 0:
                raise self.fail(f"division by zero: {_show(e)}")
            d = parts[1][1]
            return {v: a / d for v, a in parts[0][0].items()}, parts[0][1] / d
        raise self.fail(f"unsupported operator {head!r} in {_show(e)}")

    def formula(self, e: SExpr) -> Formula:
        if isinstance(e, str) or not e or not isinstance(e[0], str):
            raise self.fail(f"expected a constraint, got {_show(e)}")
        head, args = e[0], e[1:]
        if head in ("and", "or"):
            if not args:
                raise self.fail(f"'{head}' needs arguments")
            parts = tuple(self.formula(a) for a in args)
            if len(parts) == 1:
                return parts[0]
            return And(parts) if head == "and" else Or(parts)
        if head in OPS:
            if len(args) < 2:
                raise self.fail(f"{head!r} needs two terms: {_show(e)}")
            terms = [self.term(a) for a in args]
            atoms = []
            for (c1, k1), (c2, k2) in pairwise(terms):  # chains (<= a b c) mean a <= b and b <= c
                coeffs = dict(c1)
                for v, a in c2.items():
                    coeffs[v] = coeffs.get(v, Fraction(0)) - a
                atoms.append(Atom(Linear.of(coeffs, k1 - k2), head))
            return atoms[0] if len(atoms) == 1 else And(tuple(atoms))
        raise self.fail(f"unsupported constraint {head!r} (expected <=, >=, <, >, =, and, or)")


def parse_vnnlib(text: str, where: str = "<string>") -> Property:
    """Parse VNN-LIB text (see the module docstring); ``where`` names it in errors."""
    r = _Reader(where)
    assertions: list[Formula] = []
    for cmd, line in _sexprs(text, where):
        r.line = line
        if not cmd or not isinstance(cmd[0], str):
            raise r.fail(f"expected a command, got {_show(cmd)}")
        head = cmd[0]
        if head == "declare-const":
            r.declare(cmd)
        elif head == "assert":
            if len(cmd) != 2:
                raise r.fail(f"assert takes one constraint, got {_show(cmd)}")
            assertions.append(r.formula(cmd[1]))
        elif head in ("set-logic", "set-info", "set-option", "check-sat", "exit", "get-model"):
            continue
        else:
            raise r.fail(f"unsupported command {head!r}")
    n_in = _count(r.declared, "X", where)
    n_out = _count(r.declared, "Y", where)
    lo, hi = _box(assertions, n_in, where)
    return Property(where, n_in, n_out, tuple(assertions), lo, hi)


def _count(declared: set[str], kind: str, where: str) -> int:
    idx = sorted(int(m.group(2)) for m in map(_VAR.match, declared) if m and m.group(1) == kind)
    if not idx:
        raise InvalidInput(f"{where}: no {kind}_i variable is declared")
    for k, i in enumerate(idx):
        if i != k:
            raise InvalidInput(f"{where}: {kind}_{k} is not declared (declared {kind} indices must be 0..n-1)")
    return len(idx)


def _bounds(f: Formula, n: int) -> tuple[list[Fraction | None], list[Fraction | None]]:
    """Closed bounds on each X_i that every point satisfying ``f`` meets (None: none known)."""
    lo: list[Fraction | None] = [None] * n
    hi: list[Fraction | None] = [None] * n
    if isinstance(f, Atom):
        if len(f.expr.coeffs) == 1 and f.expr.coeffs[0][0].startswith("X_"):
            v, c = f.expr.coeffs[0]
            i = int(v[2:])
            bound = -f.expr.const / c  # c * x + k op 0  <=>  x op' -k/c
            upper = f.op in ("<=", "<") if c > 0 else f.op in (">=", ">")
            if f.op == "=" or upper:
                hi[i] = bound
            if f.op == "=" or not upper:
                lo[i] = bound
        return lo, hi
    subs = [_bounds(p, n) for p in f.parts]
    for i in range(n):
        los = [s[0][i] for s in subs]
        his = [s[1][i] for s in subs]
        if isinstance(f, And):
            known_lo = [b for b in los if b is not None]
            known_hi = [b for b in his if b is not None]
            lo[i] = max(known_lo) if known_lo else None
            hi[i] = min(known_hi) if known_hi else None
        else:  # a point of an Or satisfies one part: the hull of the parts' bounds
            lo[i] = None if any(b is None for b in los) else min(los)  # type: ignore[type-var]
            hi[i] = None if any(b is None for b in his) else max(his)  # type: ignore[type-var]
    return lo, hi


def _box(assertions: Sequence[Formula], n: int, where: str) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    lo, hi = _bounds(And(tuple(assertions)), n) if assertions else ([None] * n, [None] * n)
    for i in range(n):
        if lo[i] is None or hi[i] is None:
            side = "lower" if lo[i] is None else "upper"
            raise InvalidInput(f"{where}: X_{i} has no {side} bound (every input needs a bounded range)")
        if lo[i] > hi[i]:  # type: ignore[operator]
            raise InvalidInput(f"{where}: the range of X_{i} is empty: {fmt(lo[i])} > {fmt(hi[i])}")
    return tuple(lo), tuple(hi)  # type: ignore[arg-type]
