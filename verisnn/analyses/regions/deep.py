"""Deep networks of the region claims (C10, C11): generators, bound formulas, the multi-fold blocks (docs/deep.md).

Singh, Montúfar, Kutyniok, *Polyhedral Geometry of Time-to-First-Spike Neural Networks* (arXiv 2609.11227):

* :func:`layer_bound` is the per-layer factor of Thm 7.1, the shallow bound of Prop 6.2 for a
  layer with ``n_prev`` presynaptic spike times and ``n`` neurons:
  ``min((2^n_prev - 1)^n, sum_{k < n_prev} C(n kappa_{n_prev}, k))``, ``kappa_d = d (2^(d-1) - 1)``;
  :func:`deep_upper_bound` is their product over the layers (Thm 7.1);
* :func:`shared_deep_bound` is Thm 7.3 (every layer shares one positive weight vector, ordered
  thresholds): ``[(N1+1)^d - N1^d] * prod_{l >= 2} C(N_{l-1} + N_l - 1, N_l)``;
* :func:`fold_network` builds the depth-``2L`` network of ``(2, m_l, 2)`` multi-fold blocks of
  Lemma 7.1 / Thm 7.2, with the slice on which it has exactly ``prod (m_l - 1)`` regions.

All numbers are exact Fractions; counts come from :func:`~verisnn.analyses.regions.count_regions`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from fractions import Fraction
from itertools import pairwise, product
from math import comb, prod

from verisnn.analyses.regions.enumerate import enumerate_regions
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import Network, layered
from verisnn.semantics.simulate import simulate


# --- bound formulas ---------------------------------------------------------------------------------
def kappa(d: int) -> int:
    """``d (2^(d-1) - 1)``: hyperplanes in the arrangement of one neuron with ``d`` inputs (eq. 39)."""
    return d * (2 ** (d - 1) - 1)


def layer_bound(n_prev: int, n: int) -> int:
    """Prop 6.2 for one layer: ``min((2^n_prev - 1)^n, sum_{k < n_prev} C(n kappa_{n_prev}, k))``."""
    return min((2 ** n_prev - 1) ** n, sum(comb(n * kappa(n_prev), k) for k in range(n_prev)))


def deep_upper_bound(shape: Sequence[int]) -> int:
    """Thm 7.1: the product of :func:`layer_bound` over the layers of ``shape = (d, N1, ..., NL)``."""
    return prod(layer_bound(a, b) for a, b in pairwise(shape))


def shared_layer_count(d: int, m: int) -> int:
    """Prop 6.4: ``(m+1)^d - m^d``, the maximum of one layer of ``m`` neurons sharing their weights."""
    return (m + 1) ** d - m ** d


def shared_deep_bound(shape: Sequence[int]) -> int:
    """Thm 7.3: ``[(N1+1)^d - N1^d] * prod_{l >= 2} C(N_{l-1} + N_l - 1, N_l)`` for ``shape = (d, N1, ..., NL)``."""
    return shared_layer_count(shape[0], shape[1]) * prod(comb(a + b - 1, b) for a, b in pairwise(shape[1:]))


def fold_lower_bound(ms: Sequence[int]) -> int:
    """Thm 7.2: ``prod (m_l - 1)`` regions for the depth-``2L`` fold network with block widths ``ms``."""
    return prod(m - 1 for m in ms)


# --- generators ---------------------------------------------------------------------------------------
def _q(rng: random.Random, lo: int = 1, hi: int = 8) -> Fraction:
    return Fraction(rng.randint(lo, hi), 4)


def deep_positive(shape: Sequence[int], seed: int) -> Network:
    """A seeded layered network of ``shape = (d, N1, ..., NL)``: weights in ``{1/4, ..., 2}``, thresholds in ``[1/2, 2]``."""
    rng = random.Random(seed)
    layers = [{"weights": [[_q(rng) for _ in range(a)] for _ in range(b)], "thresholds": [_q(rng, 2, 8) for _ in range(b)]}
              for a, b in pairwise(shape)]
    return layered(shape[0], layers)


def deep_shared(shape: Sequence[int], seed: int) -> Network:
    """A seeded network of ``shape`` in which every layer shares one weight vector (distinct ascending thresholds)."""
    rng = random.Random(seed)
    layers = []
    for a, b in pairwise(shape):
        w = [_q(rng) for _ in range(a)]
        th = sorted(rng.sample(range(1, 8 * b + 1), b))
        layers.append({"weights": [list(w) for _ in range(b)], "thresholds": [Fraction(t, 4) for t in th]})
    return layered(shape[0], layers)


def fold_network(ms: Sequence[int], *, shared: bool = False) -> tuple[Network, Box, int]:
    """The depth-``2L`` network of ``(2, m_l, 2)`` multi-fold blocks (Lemma 7.1, Thm 7.2), its slice, its target.

    Block ``l`` reads two spike times with difference ``x`` in an open interval ``(lo, hi)``.  Its
    first layer has ``m`` neurons with weights ``(1/2, 1/2)`` and thresholds ``c_r / 2`` for ``m``
    equally spaced breakpoints ``lo = c_1 < ... < c_m = hi``; on ``(c_k, c_{k+1})`` the first ``k``
    neurons have causal set ``{1}`` and the others ``{1, 2}``.  Its second layer has two neurons
    with weights ``alpha^± = 1/m ± gamma/2`` (eq. 53-54, ``eta = 1/(m+1)``) and thresholds so large
    that both fire after every first-layer spike; their difference ``h(x)`` is a sawtooth mapping
    every ``(c_k, c_{k+1})`` affinely onto the same interval, the next block's ``(lo, hi)``.

    With ``shared=True`` the two second-layer neurons share the weights ``1/m`` (Lemma C.1's
    setting): ``h`` is then monotone (here constant) and nothing is folded.

    Returns ``(network, box, target)``: the box fixes ``x0 = 0`` and lets ``x1`` range over the first
    block's ``(c_1, c_m)``; the count on it is ``target = prod (m_l - 1)`` for the fold.  By
    translation invariance the count on the box equals the count on the open strip
    ``{t : t_1 - t_0 in (c_1, c_m)}`` of ``Q^2``, which is at most the count on ``Q^2``.
    """
    if not ms or any(int(m) < 3 for m in ms):
        raise InvalidInput(f"fold blocks need widths m >= 3, got {list(ms)!r}")
    lo, hi = Fraction(1), Fraction(2)
    first = (lo, hi)
    layers = []
    for m in ms:
        m = int(m)
        delta = (hi - lo) / (m - 1)
        c = [lo + r * delta for r in range(m)]
        layers.append({"weights": [[Fraction(1, 2), Fraction(1, 2)] for _ in range(m)],
                       "thresholds": [cr / 2 for cr in c]})
        eta = Fraction(1, m + 1)
        gamma = [-eta] + [2 * (-1) ** r * eta for r in range(2, m)] + [(-1) ** m * eta]
        if shared:
            gamma = [Fraction(0)] * m
        a_minus = [Fraction(1, m) - g / 2 for g in gamma]
        a_plus = [Fraction(1, m) + g / 2 for g in gamma]
        q = lo  # the lower level of the sawtooth: the next block's interval starts where this one did
        beta = sum(g * cr for g, cr in zip(gamma, c)) / 2
        d = q - beta
        big = c[-1] + 1 + abs(d)
        th_minus, th_plus = big, big + d
        if shared:
            th_plus = big + 1  # ordered thresholds, shared weights: h is the constant 1
        layers.append({"weights": [a_minus, a_plus], "thresholds": [th_minus, th_plus]})
        amp = eta * delta / 2
        lo, hi = q, q + amp
    net = layered(2, layers)
    return net, Box((Fraction(0), first[0]), (Fraction(0), first[1])), fold_lower_bound(ms)


# --- one layer: nested prefixes and speeds (C11) ----------------------------------------------------
def causal_sets(net: Network, x: Sequence[Fraction]) -> tuple[frozenset[int], ...]:
    """Per neuron of a one-layer network, the inputs that arrive strictly before it fires (exact simulator)."""
    times = simulate(net, x).times
    return tuple(frozenset(j for j, xj in enumerate(x) if xj < times[n.name]) for n in net.neurons)


def speeds(net: Network) -> tuple[tuple[Fraction, ...], ...]:
    """``w_ri / theta_r`` per neuron ``r`` and input ``i`` of a one-layer network."""
    d = len(net.inputs)
    lam = {n.name: [Fraction(0)] * d for n in net.neurons}
    theta = {n.name: n.threshold for n in net.neurons}
    for s in net.synapses:
        lam[s.target][net.inputs.index(s.source)] += s.weight / theta[s.target]
    return tuple(tuple(lam[n.name]) for n in net.neurons)


def tuple_allowed(lam: Sequence[Sequence[Fraction]], sets: Sequence[frozenset[int]]) -> bool:
    """Whether the causal sets ``sets`` of one positive layer with speeds ``lam`` can occur on an open set.

    At an input with distinct arrival times every causal set is a prefix of the arrival order, so
    the sets form a chain.  If ``S_r`` is a proper subset of ``S_s``, neuron ``r`` reached its
    threshold on ``S_r`` alone by the arrival ``t_k`` of the next input while neuron ``s`` did not:
    ``sum_{i in S_r} lam_ri (t_k - t_i) >= 1 > sum_{i in S_r} lam_si (t_k - t_i)``, so some ``i`` in
    ``S_r`` has ``lam_ri > lam_si`` (docs/deep.md).
    """
    for r, a in enumerate(sets):
        for s, b in enumerate(sets):
            if not (a <= b or b <= a):
                return False
            if a < b and not any(lam[r][i] > lam[s][i] for i in a):
                return False
    return True


def prefix_speed_bound(d: int, m: int) -> int:
    """The most causal-set tuples :func:`tuple_allowed` admits, over every order of the speeds per input.

    An upper bound on the causal regions of one positive layer of ``m`` neurons with ``d`` inputs;
    only the order (with ties) of ``lam_1i, ..., lam_mi`` for each input ``i`` matters, so the
    maximum runs over one weak order of the neurons per input.
    """
    subsets = [frozenset(i for i in range(d) if mask >> i & 1) for mask in range(1, 2 ** d)]
    chains = [t for t in product(subsets, repeat=m) if all(a <= b or b <= a for a in t for b in t)]
    orders = sorted({tuple(sorted(set(r)).index(x) for x in r) for r in product(range(m), repeat=m)})
    best = 0
    for per_input in product(orders, repeat=d):
        lam = [[Fraction(per_input[i][r]) for i in range(d)] for r in range(m)]
        best = max(best, sum(tuple_allowed(lam, t) for t in chains))
    return best


# --- search -----------------------------------------------------------------------------------------
def search_shared_deep(shape: Sequence[int], *, iterations: int = 30, seed: int = 0,
                       budget: float | None = None) -> tuple[Network, int, list[int]]:
    """Hill climbing (with restarts every 10 steps) over networks of ``shape`` sharing weights in every layer.

    A candidate changes one or two weights or thresholds of the best so far to a random positive
    rational (a multiple of 1/4 up to 4, or ``2^k q``, ``|k| <= 3``); thresholds stay distinct and
    ascending.  Counts are exact on ``Q^d``; the result is replayed in the exact simulator.  Returns
    the best network, its count and the history of best counts: a lower bound on the maximum.
    """
    rng = random.Random(seed)
    stop = None if budget is None else time.monotonic() + budget
    pairs = list(pairwise(shape))

    def rand_q() -> Fraction:
        if rng.random() < 0.5:
            return Fraction(rng.randint(1, 16), 4)
        return Fraction(2) ** rng.randint(-3, 3) * Fraction(rng.randint(4, 8), 4)

    def fresh() -> list[list[Fraction]]:
        return [[rand_q() for _ in range(a + b)] for a, b in pairs]

    def build(params: list[list[Fraction]]) -> Network | None:
        layers = []
        for (a, b), p in zip(pairs, params):
            th = sorted(p[a:])
            if len(set(th)) < b:
                return None
            layers.append({"weights": [list(p[:a]) for _ in range(b)], "thresholds": th})
        return layered(shape[0], layers)

    def score(params: list[list[Fraction]]) -> int:
        net = build(params)
        return -1 if net is None else enumerate_regions(net, verify=False).count

    best = fresh()
    while build(best) is None:
        best = fresh()
    best_count = score(best)
    history = [best_count]
    for it in range(iterations):
        if stop is not None and time.monotonic() > stop:
            break
        if it % 10 == 9:
            cand = fresh()
        else:
            cand = [list(p) for p in best]
            for _ in range(rng.randint(1, 2)):
                layer = rng.randrange(len(cand))
                cand[layer][rng.randrange(len(cand[layer]))] = rand_q()
        c = score(cand)
        if c >= best_count:
            best, best_count = cand, c
        history.append(best_count)
    net = build(best)
    assert net is not None
    return net, enumerate_regions(net).count, history


