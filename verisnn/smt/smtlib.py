"""SMT-LIB 2 text of solver constraints: the form every query can be written in and re-checked by any solver."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import z3

from verisnn.io.files import write_text


def to_smt2(constraints: Sequence[z3.BoolRef], comment: str = "") -> str:
    """The constraints as an SMT-LIB 2 script (declarations, assertions, ``(check-sat)``)."""
    s = z3.Solver()
    s.add(*constraints)
    head = "".join(f"; {line}\n" for line in comment.splitlines())
    return head + "(set-logic ALL)\n" + s.sexpr() + "(check-sat)\n"


def assertions_only(text: str) -> str:
    """The script without its ``(check-sat)`` (for a solver that is asked separately)."""
    return text.replace("(check-sat)\n", "")


def write_smt2(path: str | Path, constraints: Sequence[z3.BoolRef], comment: str = "") -> None:
    write_text(path, to_smt2(constraints, comment), "SMT-LIB file")


def parse_smt2_z3(text: str) -> list[z3.BoolRef]:
    """Read an SMT-LIB 2 script back into z3 assertions (a check that the text is well formed)."""
    return list(z3.parse_smt2_string(text))


def constants(constraints: Sequence[z3.ExprRef]) -> dict[str, z3.ExprRef]:
    """Uninterpreted constants occurring in the constraints, by name."""
    seen: set[int] = set()
    out: dict[str, z3.ExprRef] = {}
    stack = list(constraints)
    while stack:
        e = stack.pop()
        key = e.get_id()
        if key in seen:
            continue
        seen.add(key)
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out[e.decl().name()] = e
        else:
            stack.extend(e.children())
    return out
