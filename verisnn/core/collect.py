"""Pausing Python's cyclic garbage collector around allocation-heavy exact work.

Region enumeration, certificate writing and certificate checking allocate millions of small
tuples (Fractions, integer rows, vertices) that live until the walk ends, and create no reference
cycles: everything is freed by reference counting.  The cyclic collector would still traverse
the young objects again and again (about a fifth of the run time on 3-8-8, measured), so these
runs pause it and restore its previous state afterwards.  The objects allocated meanwhile are
still in the youngest generation then; one collection of it, at the end and inside the run's
time, moves the survivors on (and frees cycles created meanwhile, if any).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the body with the cyclic garbage collector disabled, then restore its previous state."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
            gc.collect(0)
