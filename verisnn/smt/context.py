"""The z3 context that terms are built in, and starting a fresh one between independent runs."""

from __future__ import annotations

import z3


def fresh_context() -> None:
    """Start a new default z3 context: what is built next does not depend on what this process built before.

    z3 numbers terms in the order they are created and that order steers its search, so without
    this a query's model (an equally valid counterexample) can depend on the queries run before
    it in the same process.  Terms built before the call must not be mixed with terms built after.
    """
    z3.z3._main_ctx = None  # z3py creates its default context lazily, on the next main_ctx()
