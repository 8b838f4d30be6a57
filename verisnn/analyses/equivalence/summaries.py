"""Single-source PWL summaries: a linear-kernel neuron's firing time as an exact function of one source.

For a neuron whose sources are one node ``u`` (any number of synapses) and references, ``t_v`` is
a piecewise-linear function of ``t_u`` on the interval of ``u``'s firing times.  Candidate pieces
come from exact simulations (:func:`verisnn.semantics.simulate.first_firing`); the candidate is
used only after it is *proved* with the first-threshold query of a compositional lemma
(:func:`verisnn.analyses.equivalence.compositional.check_lemma`).
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from itertools import pairwise

from verisnn.analyses.equivalence.compositional import check_lemma, neuron_lemma
from verisnn.core.model import Network
from verisnn.core.numbers import INF, Time
from verisnn.core.results import Verdict
from verisnn.semantics.simulate import first_firing
from verisnn.smt.lemmas import Pieces
from verisnn.solvers import SolverOptions


def _local_formula(net: Network, v: str, source: str, u: Fraction) -> tuple[Fraction, Fraction] | None:
    """Slope and intercept (in ``u = t_source``) of ``t_v`` on ``v``'s causal pattern at ``u`` (linear kernels)."""
    refs = net.reference_times
    times = {source: u, **refs}
    arrivals = [(times[s.source] + s.delay, s.weight, net.kernel_of(s)) for s in net.incoming[v]]
    firing = first_firing(arrivals, net.thresholds[v])
    if firing is None or firing.jump:
        return None
    causal = [s for s, (a, _, _) in zip(net.incoming[v], arrivals) if a < firing.time]
    weight = sum((s.weight for s in causal), Fraction(0))
    if weight <= 0:
        return None
    slope = sum((s.weight for s in causal if s.source == source), Fraction(0)) / weight
    icpt = (net.thresholds[v] + sum((s.weight * (refs[s.source] + s.delay if s.source in refs else s.delay)
                                     for s in causal), Fraction(0))) / weight
    return slope, icpt


def _fire_at(net: Network, v: str, source: str, u: Fraction) -> Time:
    times = {source: u, **net.reference_times}
    f = first_firing([(times[s.source] + s.delay, s.weight, net.kernel_of(s)) for s in net.incoming[v]],
                     net.thresholds[v])
    return INF if f is None else f.time


def single_source_summary(net: Network, v: str, lo: Fraction, hi: Fraction, options: SolverOptions) -> Pieces | None:
    """``t_v`` as an exact PWL function (pieces ``(from, slope, intercept)``) of its only non-reference source's time.

    For a linear-kernel neuron whose sources are one node ``u`` (any number of synapses) and
    references: candidate pieces come from exact simulations (splitting at arrival coincidences
    and at intersections of the local affine formulas); the candidate is then *proved* with the
    same first-threshold query as a compositional lemma.  None if no candidate is found or the
    proof fails (the caller then encodes the neuron in full).
    """
    refs = net.reference_times
    syn = net.incoming[v]
    sources = {s.source for s in syn if s.source not in refs}
    if len(sources) != 1 or not all(net.kernel_of(s).is_linear for s in syn):
        return None
    (u,) = sources
    cuts = {lo, hi}
    for s in syn:
        if s.source == u:
            for r in syn:
                if r.source in refs:
                    c = refs[r.source] + r.delay - s.delay
                    if lo < c < hi:
                        cuts.add(c)
    points = sorted(cuts)
    pieces: list[tuple[Fraction, Fraction, Fraction]] = []

    def fit(a: Fraction, b: Fraction, depth: int) -> bool:
        m = (a + b) / 2
        f = _local_formula(net, v, u, m)
        if f is None:
            return False
        ok_a = f[0] * a + f[1] == _fire_at(net, v, u, a)
        ok_b = f[0] * b + f[1] == _fire_at(net, v, u, b)
        if ok_a and ok_b:
            pieces.append((a, f[0], f[1]))
            return True
        if depth == 0:
            return False
        split = m
        other = _local_formula(net, v, u, a if not ok_a else b)
        if other is not None and other[0] != f[0]:
            x = (other[1] - f[1]) / (f[0] - other[0])
            if a < x < b:
                split = x
        return fit(a, split, depth - 1) and fit(split, b, depth - 1)

    for a, b in pairwise(points):
        if a == b or not fit(a, b, 6):
            return None
    if lo == hi:
        f = _local_formula(net, v, u, lo)
        if f is None:
            return None
        pieces.append((lo, f[0], f[1]))
    merged: list[tuple[Fraction, Fraction, Fraction]] = []
    for p in pieces:
        if merged and merged[-1][1:] == p[1:]:
            continue
        merged.append(p)
    lemma = neuron_lemma(net, v, f"summary of {v}", [(lo, hi)], {u: (0, Fraction(0), 1)})
    lemma = replace(lemma, pwl_target=tuple(merged))
    return tuple(merged) if check_lemma(lemma, options).verdict is Verdict.PROVED else None
