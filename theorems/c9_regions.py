"""C9: exact counts of causal regions (and of ReLU activation regions).

Singh, Montúfar, Kutyniok, *Polyhedral Geometry of Time-to-First-Spike Neural Networks* (arXiv
2609.11227), and Singh, Fono, Kutyniok (arXiv 2308.08218, the linear regions of one spiking neuron):
with positive weights and the linear kernel,

* one neuron with ``d`` inputs has exactly ``2^d - 1`` causal regions (a ReLU neuron at most 2);
* ``m`` neurons sharing one weight vector with distinct thresholds: exactly ``(m+1)^d - m^d`` (Prop 6.4);
* one layer, ``d = 2``: at most ``2m + 1``;
* one layer: ``2^d - 1 <= R <= min(sum_{k<d} C(m kappa_d, k), (2^d - 1)^m)``, ``kappa_d = d(2^(d-1)-1)``
  (Prop 6.1, 6.2);
* a ReLU layer of ``m`` units on ``R^d``: at most ``sum_{j<=d} C(m, j)`` (the paper's comparison; the
  bound on the regions of a hyperplane arrangement).

Counts are exact (:mod:`verisnn.analyses.regions`): the number of causal patterns realized on an open set
of inputs, over all of ``Q^d`` (no box, so no region is lost at the border).  Every piece's
interior point is replayed in the exact simulator, the split tree of the enumeration covers the
domain by construction, and every count's certificate is re-checked by the independent checker
(written to ``verisnn prove --certificates DIR``; docs/regions.md).  Instances use seeded random weights (multiples of 1/4).
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from fractions import Fraction
from math import comb
from typing import Any

from verisnn.analyses.regions import (
    LP_BACKENDS,
    RegionMap,
    one_layer,
    one_layer_bounds,
    relu_layer_bound,
    shared_layer,
)
from verisnn.analyses.regions.verdicts import exact_count, guard, judge
from verisnn.claims.registry import RunContext, claim
from verisnn.core.model import Network, ReluNetwork, relu_network
from verisnn.core.results import Result

ONE_NEURON = ("arXiv 2609.11227, the 2^d - 1 causal regions of one neuron; arXiv 2308.08218, the linear regions "
              "of one spiking neuron")
SHARED = "arXiv 2609.11227, Prop 6.4 (one layer sharing one weight vector, distinct thresholds)"
TWO_INPUTS = "arXiv 2609.11227, the 2m + 1 bound for one layer with d = 2 inputs"
ONE_LAYER = "arXiv 2609.11227, Prop 6.1, Prop 6.2 (bounds for one layer)"
RELU = "arXiv 2609.11227, the comparison with a ReLU layer (hyperplane-arrangement bound)"


def _q(rng: random.Random, lo: int = 1, hi: int = 8) -> Fraction:
    return Fraction(rng.randint(lo, hi), 4)


def _positive_layer(d: int, m: int, seed: int) -> Network:
    rng = random.Random(seed)
    return one_layer([[_q(rng) for _ in range(d)] for _ in range(m)], [_q(rng, 2, 8) for _ in range(m)])


def _relu_layer(d: int, m: int, seed: int) -> ReluNetwork:
    rng = random.Random(seed)
    w = [[Fraction(rng.choice([-1, 1]) * rng.randint(1, 8), 4) for _ in range(d)] for _ in range(m)]
    b = [Fraction(rng.randint(-8, 8), 4) for _ in range(m)]
    return relu_network([(w, b), ([[1] * m], [0])])


def _count(net: Network | ReluNetwork, ctx: RunContext) -> RegionMap:
    return exact_count(net, None, timeout=ctx.timeout, seed=ctx.seed, lp=getattr(ctx, "lp", LP_BACKENDS[0]))



# --- one neuron --------------------------------------------------------------------------------------
def _one_neuron(size: Mapping[str, Any], ctx: RunContext, subject: str, target: Any) -> Result:
    t0 = time.perf_counter()
    d = int(size.get("d", 3))
    runs = []
    for seed in range(int(size.get("seeds", 2))):
        rng = random.Random(1000 * d + seed)
        net = one_layer([[_q(rng) for _ in range(d)]], [_q(rng, 2, 8)])
        rm = _count(net, ctx)
        want = target(d)
        runs.append((f"w={[str(s.weight) for s in net.synapses]}", rm, rm.count == want,
                     f"{rm.count} causal regions, not {want}"))
    relu = _count(_relu_layer(d, 1, d), ctx)
    if subject == "C9":
        runs.append(("ReLU neuron", relu, relu.count <= 2, f"a ReLU neuron with {relu.count} regions"))
    return judge(subject, size, runs, t0, getattr(ctx, "certificates", None))


@claim("C9", expected="proved", sizes=[{"d": 2}, {"d": 3}, {"d": 4}, {"d": 5}], source=ONE_NEURON)
@guard
def one_neuron(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """One neuron, d inputs, positive weights, linear kernel: exactly 2^d - 1 causal regions on Q^d; a ReLU neuron has <= 2."""
    return _one_neuron(size, ctx, "C9", lambda d: 2 ** d - 1)


@claim("C9-one-neuron-large", expected="proved", sizes=[{"d": 6, "seeds": 1}], default=False, source=ONE_NEURON)
@guard
def one_neuron_large(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """One neuron with d = 6 inputs: exactly 2^6 - 1 = 63 causal regions on Q^6 (about a minute: 33,000 LP questions)."""
    return _one_neuron(size, ctx, "C9-one-neuron-large", lambda d: 2 ** d - 1)


@claim("C9-one-neuron-2^d", expected="refuted", broken_of="C9", sizes=[{"d": 3, "seeds": 1}],
       source=f"broken variant of C9 (strengthens the count to 2^d, the empty set included); C9: {ONE_NEURON}")
@guard
def one_neuron_broken(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: one neuron with d inputs has 2^d causal regions (the empty causal set never fires)."""
    return _one_neuron(size, ctx, "C9-one-neuron-2^d", lambda d: 2 ** d)


# --- shared weights -------------------------------------------------------------------------------------
def _shared(size: Mapping[str, Any], ctx: RunContext, subject: str, target: Any) -> Result:
    t0 = time.perf_counter()
    d, m = int(size.get("d", 3)), int(size.get("m", 2))
    rng = random.Random(100 * d + m)
    w = [_q(rng) for _ in range(d)]
    thresholds = sorted({Fraction(rng.randint(1, 40), 4) for _ in range(4 * m)})[:m]
    rm = _count(shared_layer(w, thresholds), ctx)
    want = target(d, m)
    return judge(subject, size, [(f"w={list(map(str, w))}", rm, rm.count == want,
                                  f"{rm.count} causal regions, not {want}")], t0, getattr(ctx, "certificates", None))


@claim("C9-shared", expected="proved",
       sizes=[{"d": 2, "m": 3}, {"d": 3, "m": 2}, {"d": 3, "m": 3}, {"d": 4, "m": 2}, {"d": 4, "m": 3}], source=SHARED)
@guard
def shared(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """m neurons sharing one positive weight vector (distinct thresholds), d inputs: exactly (m+1)^d - m^d regions."""
    return _shared(size, ctx, "C9-shared", lambda d, m: (m + 1) ** d - m ** d)


@claim("C9-shared-product", expected="refuted", broken_of="C9-shared", sizes=[{"d": 3, "m": 2}],
       source=f"broken variant of C9-shared (claims the product (2^d - 1)^m); C9-shared: {SHARED}")
@guard
def shared_broken(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: shared weights give every combination of per-neuron regions, (2^d - 1)^m."""
    return _shared(size, ctx, "C9-shared-product", lambda d, m: (2 ** d - 1) ** m)


# --- one layer ------------------------------------------------------------------------------------------
@claim("C9-d2", expected="proved", sizes=[{"m": 2}, {"m": 3}, {"m": 4}], source=TWO_INPUTS)
@guard
def two_inputs(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """One layer, d = 2 inputs, m neurons (positive weights, linear kernel): at most 2m + 1 causal regions."""
    t0 = time.perf_counter()
    m = int(size.get("m", 2))
    runs = []
    for seed in range(int(size.get("seeds", 4))):
        rm = _count(_positive_layer(2, m, 7 * m + seed), ctx)
        runs.append((f"seed {seed}", rm, rm.count <= 2 * m + 1, f"{rm.count} > 2m+1 = {2 * m + 1}"))
    return judge("C9-d2", size, runs, t0, getattr(ctx, "certificates", None))


@claim("C9-d2-2m", expected="refuted", broken_of="C9-d2", sizes=[{"m": 1}, {"m": 2}],
       source=f"broken variant of C9-d2 (strengthens the bound to 2m); C9-d2: {TWO_INPUTS}")
@guard
def two_inputs_broken(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: one layer with d = 2 has at most 2m regions (seeded search finds 2m + 1)."""
    t0 = time.perf_counter()
    m = int(size.get("m", 1))
    runs = []
    for seed in range(40):
        rm = _count(_positive_layer(2, m, 31 * m + seed), ctx)
        runs.append((f"seed {seed}", rm, rm.count <= 2 * m, f"{rm.count} regions > 2m = {2 * m}"))
        if rm.count > 2 * m:
            break
    return judge("C9-d2-2m", size, runs, t0, getattr(ctx, "certificates", None))


@claim("C9-one-layer", expected="proved", sizes=[{"d": 2, "m": 3}, {"d": 3, "m": 2}, {"d": 3, "m": 3}],
       source=ONE_LAYER)
@guard
def one_layer_bound(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """One layer (positive, linear): 2^d - 1 <= R <= min(sum_{k<d} C(m kappa_d, k), (2^d-1)^m), kappa_d = d(2^(d-1)-1)."""
    t0 = time.perf_counter()
    d, m = int(size.get("d", 3)), int(size.get("m", 2))
    lo, hi = one_layer_bounds(d, m)
    runs = []
    for seed in range(int(size.get("seeds", 3))):
        rm = _count(_positive_layer(d, m, 13 * d + 5 * m + seed), ctx)
        runs.append((f"seed {seed}", rm, lo <= rm.count <= hi, f"{rm.count} regions outside [{lo}, {hi}]"))
    return judge("C9-one-layer", size, runs, t0, getattr(ctx, "certificates", None))


@claim("C9-one-layer-lower", expected="refuted", broken_of="C9-one-layer", sizes=[{"d": 2, "m": 2}],
       source=f"broken variant of C9-one-layer (strengthens the lower bound to 2^d + m); C9-one-layer: {ONE_LAYER}")
@guard
def one_layer_broken(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: the lower bound without the -1, R >= 2^d + m (a single seeded layer has fewer)."""
    t0 = time.perf_counter()
    d, m = int(size.get("d", 2)), int(size.get("m", 2))
    runs = []
    for seed in range(20):
        rm = _count(_positive_layer(d, m, 3 + seed), ctx)
        runs.append((f"seed {seed}", rm, rm.count >= 2 ** d + m, f"{rm.count} regions < 2^d + m = {2 ** d + m}"))
        if rm.count < 2 ** d + m:
            break
    return judge("C9-one-layer-lower", size, runs, t0, getattr(ctx, "certificates", None))


# --- ReLU layers ------------------------------------------------------------------------------------
def _relu(size: Mapping[str, Any], ctx: RunContext, subject: str, bound: Any) -> Result:
    t0 = time.perf_counter()
    d, m = int(size.get("d", 2)), int(size.get("m", 3))
    runs = []
    for seed in range(int(size.get("seeds", 3))):
        rm = _count(_relu_layer(d, m, 17 * d + m + seed), ctx)
        b = bound(d, m)
        runs.append((f"seed {seed}", rm, rm.count <= b, f"{rm.count} activation regions > {b}"))
    return judge(subject, size, runs, t0, getattr(ctx, "certificates", None))


@claim("C9-relu", expected="proved", sizes=[{"d": 2, "m": 3}, {"d": 2, "m": 5}, {"d": 3, "m": 4}], source=RELU)
@guard
def relu_layer(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """A ReLU layer of m units on Q^d has at most sum_{j<=d} C(m, j) activation regions."""
    return _relu(size, ctx, "C9-relu", relu_layer_bound)


@claim("C9-relu-strict", expected="refuted", broken_of="C9-relu", sizes=[{"d": 2, "m": 3}],
       source=f"broken variant of C9-relu (drops the j = d term of the bound); C9-relu: {RELU}")
@guard
def relu_layer_broken(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: a ReLU layer has at most sum_{j<d} C(m, j) regions (the j = d term dropped)."""
    return _relu(size, ctx, "C9-relu-strict", lambda d, m: sum(comb(m, j) for j in range(d)))
