"""Pausing Python's cyclic garbage collector around allocation-heavy exact work.

Region enumeration, certificate writing and certificate checking allocate millions of small
tuples (Fractions, integer rows, vertices) that live until the walk ends, and create no reference
cycles: everything is freed by reference counting.  The cyclic collector would still traverse
the young objects again and again (about a fifth of the run time on 3-8-8, measured), so these
runs pause it and restore its previous state afterwards.  The objects that survive the run (its
result) are then still in the youngest generation, where the next collections would traverse
them all; ``gc.freeze()`` followed by ``gc.unfreeze()`` hands every tracked object to the oldest
generation instead, in constant time, as if it had been collected there (cycles created
meanwhile, if any, are freed by the next full collection).
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
        gc.freeze()
        gc.unfreeze()
        if was:
            gc.enable()
