"""A query: solver constraints that are satisfiable exactly when a property fails.

``counterexample`` turns a satisfying model into a :class:`~verisnn.core.results.Counterexample`
after replaying it in the exact simulator; it raises :class:`~verisnn.core.errors.InternalError`
when the simulator does not reproduce the violation (the encoding would be wrong).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import z3

from verisnn.core.results import Counterexample


@dataclass
class Query:
    """Constraints that are satisfiable iff the property fails, and how to report a model."""

    subject: str
    constraints: Sequence[z3.BoolRef]
    counterexample: Callable[[Any], Counterexample]
    proved: str = ""  # reason text when the negation is unsat
    size: Mapping[str, Any] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
