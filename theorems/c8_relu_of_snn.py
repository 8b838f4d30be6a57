"""C8: a one-layer SNN with positive weights and the linear kernel is a ReLU network.

Singh, Fono, Kutyniok, *Expressivity of Spiking Neural Networks* (arXiv 2308.08218), the reverse
direction: every one-layer spiking network with positive weights and the linear kernel equals a
ReLU network of depth ``ceil(log2(2^d - 1)) + 1`` with ``O(2^d)`` units per spiking neuron.
verisnn's construction (:mod:`verisnn.analyses.emulation.snn_to_relu`) writes each neuron's firing time
``min_S (theta + sum_S w t) / W_S`` (``2^d - 1`` affine pieces) as a tree of pairwise minima,
``min(p, q) = relu(p) - relu(-p) - relu(p - q)``: depth exactly ``ceil(log2(2^d - 1)) + 1`` and
``U(2^d - 1) <= 3 (2^d - 2) + 2 ceil(log2(2^d - 1))`` units per neuron.  Each instance is a
seeded random layer; the size is compared with the formula and equality on a box is proved by
the monolithic equivalence query.  Broken variant: one weight of the ReLU network perturbed.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from verisnn.analyses.emulation import c8_bound, relu_of_snn
from verisnn.analyses.equivalence import check_equivalence
from verisnn.claims.registry import RunContext, claim
from verisnn.core.domain import Box
from verisnn.core.model import Network, ReluLayer, ReluNetwork, layered
from verisnn.core.results import Result, Verdict
from verisnn.solvers import SolverOptions

SOURCE = "arXiv 2308.08218, one-layer positive linear spiking networks as ReLU networks"

SIZES = [{"d": 2, "m": 2, "seed": 0}, {"d": 3, "m": 2, "seed": 1}, {"d": 4, "m": 1, "seed": 2}]


def random_layer(d: int, m: int, seed: int) -> Network:
    """A seeded one-layer network: ``m`` neurons, positive weights in (0, 4], thresholds in (0, 3]."""
    rng = random.Random(seed)
    return layered(d, [{"weights": [[Fraction(rng.randint(1, 16), 4) for _ in range(d)] for _ in range(m)],
                        "thresholds": [Fraction(rng.randint(1, 12), 4) for _ in range(m)]}])


def _run(cid: str, size: Mapping[str, Any], ctx: RunContext, perturb: bool) -> Result:
    start = time.perf_counter()  # timing
    d, m = int(size.get("d", 2)), int(size.get("m", 2))
    net = random_layer(d, m, int(size.get("seed", 0)))
    relu = relu_of_snn(net)
    bound = c8_bound(d)
    actual = {"depth": len(relu.layers), "units": relu.hidden_units}
    expected = {"depth": math.ceil(math.log2(2**d - 1)) + 1, "units": m * bound["units"]}
    details: dict[str, Any] = {"relu": actual, "bound": bound}
    if actual != expected or bound["units"] > bound["units_bound"]:
        return Result(cid, Verdict.UNKNOWN, time.perf_counter() - start, size=size,  # timing
                      reason=f"ReLU size {actual} differs from the documented bound {expected}")
    if perturb:
        first = relu.layers[0]
        rows = [list(r) for r in first.weights]
        rows[0][0] += Fraction(1, 1000)
        relu = ReluNetwork((ReluLayer(tuple(tuple(r) for r in rows), first.bias), *relu.layers[1:]))
    box = Box.uniform(-2, 2, d)
    result = check_equivalence(net, relu, box, "monolithic", SolverOptions.of(ctx))
    details.update(result.details)
    reason = f"{result.reason}; depth {actual['depth']}, {actual['units']} ReLU units" \
        if result.verdict is Verdict.PROVED else result.reason
    return Result(cid, result.verdict, time.perf_counter() - start, result.counterexample, reason,  # timing
                  size, details=details)


@claim("C8", expected="proved", sizes=SIZES, source=SOURCE)
def relu_of_one_layer(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """A one-layer positive linear SNN equals a ReLU network of depth ceil(log2(2^d-1))+1, O(2^d) units/neuron."""
    return _run("C8", size, ctx, perturb=False)


@claim("C8-perturbed", expected="refuted", broken_of="C8", sizes=[{"d": 2, "m": 2, "seed": 0},
                                                                  {"d": 3, "m": 1, "seed": 1}],
       source=f"broken variant of C8 (perturbs one weight of the ReLU network); C8: {SOURCE}")
def relu_of_one_layer_perturbed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: the ReLU network with one first-layer weight changed by 1/1000 is claimed equal to the SNN."""
    return _run("C8-perturbed", size, ctx, perturb=True)
