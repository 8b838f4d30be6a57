"""Sampled patterns (numpy simulator): estimates for comparison, never claims."""

from __future__ import annotations

from typing import Any

from verisnn.core.model import Network


def sample_patterns(net: Network, points: Any) -> set[tuple]:
    """Distinct causal patterns (causal sets and pieces, no jump flag) of float inputs (sampling only).

    Uses the numpy simulator; ties and rounding can mislabel a few points, which is why sampled
    counts are estimates and never claims.
    """
    import numpy as np

    from verisnn.semantics.fastsim import simulate_many

    pts = np.asarray(points, dtype=float)  # sampling
    times = simulate_many(net, pts)
    cols = []
    for v in net.order:
        tv = times[v]
        for s in net.incoming[v]:
            arrival = times[s.source] + float(s.delay)  # sampling
            causal = np.isfinite(tv) & np.isfinite(arrival) & (arrival < tv)
            starts = np.array([float(b) for b in net.kernel_of(s).breakpoints])  # sampling
            piece = np.searchsorted(starts, np.where(causal, tv - arrival, 0.0), side="right") - 1
            cols.append(np.where(causal, piece + 1, 0))
        cols.append(np.isfinite(tv).astype(int))
    if not cols:
        return {()}
    table = np.stack(cols, axis=1)
    return {tuple(row) for row in np.unique(table, axis=0)}
