"""C7: every ReLU network on a box is emulated exactly by a coded SNN of linear size.

Singh, Fono, Kutyniok, *Expressivity of Spiking Neural Networks* (arXiv 2308.08218), emulation
of ReLU networks: for every ReLU network ``Psi`` and box ``B`` there is a coded SNN ``Phi`` with

    R(Phi)(x) = Psi(x)   for every x in B,

of size linear in the size of ``Psi``.  verisnn's construction (:mod:`verisnn.analyses.emulation`) meets,
for ``N`` ReLU units, ``L`` affine layers and ``n`` outputs: ``2N + n`` neurons, ``2L - 1``
spiking layers and at most ``2L - 1`` references.  Each instance (a seeded random ReLU network)
is emulated, its size is compared with that formula, and equivalence is *proved* by the solver
(compositional lemmas, :mod:`verisnn.analyses.equivalence`).  The construction depends on the box: the broken
variants check it on a slightly larger box, or with one weight perturbed, and must be refuted
with a counterexample replayed in both exact evaluators.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from typing import Any

from verisnn.analyses.emulation import emulate, min_delta, random_relu, size_formula
from verisnn.analyses.equivalence import check_equivalence
from verisnn.claims.registry import RunContext, claim
from verisnn.core.domain import Box
from verisnn.core.kernels import BUILTINS
from verisnn.core.model import Network
from verisnn.core.results import Result, Verdict
from verisnn.solvers import SolverOptions

SOURCE = "arXiv 2308.08218, emulation of ReLU networks by spiking networks of linear size"

SIZES = [
    {"d": 2, "widths": [4], "outputs": 1, "seed": 0},
    {"d": 2, "widths": [8, 8], "outputs": 1, "seed": 1},
    {"d": 3, "widths": [6, 6, 6], "outputs": 2, "seed": 2},
    {"d": 2, "widths": [4], "outputs": 1, "seed": 3, "kernel": "saturating"},
]


def _instance(size: Mapping[str, Any]) -> tuple[Any, Box]:
    d = int(size.get("d", 2))
    relu = random_relu(d, [int(w) for w in size.get("widths", [4])], int(size.get("outputs", 1)),
                       int(size.get("seed", 0)))
    lo, hi = Fraction(size.get("lo", -1)), Fraction(size.get("hi", 1))
    return relu, Box.uniform(lo, hi, d)


@claim("C7", expected="proved", sizes=SIZES, source=SOURCE)
def emulation(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Every ReLU network Psi on a box B has a coded SNN Phi with R(Phi) = Psi on B, of size 2N+n neurons."""
    start = time.perf_counter()  # timing
    relu, box = _instance(size)
    em = emulate(relu, box)
    details: dict[str, Any] = {"size": em.size.to_json()}
    kernel_name = size.get("kernel")
    if kernel_name:
        delta, exact = min_delta(em)
        em = emulate(relu, box, BUILTINS[kernel_name](delta))
        details["kernel"] = f"{kernel_name}({delta})"
        details["min_delta_exact"] = exact
    formula = size_formula(relu)
    actual = {"neurons": em.size.neurons, "layers": em.size.layers, "references": em.size.references,
              "synapses": em.size.synapses}
    if actual != formula:
        return Result("C7", Verdict.UNKNOWN, time.perf_counter() - start, size=size,  # timing
                      reason=f"size {actual} differs from the documented formula {formula}")
    result = check_equivalence(em.network, relu, box, "auto", SolverOptions.of(ctx))
    details.update(result.details)
    return Result("C7", result.verdict, time.perf_counter() - start, result.counterexample,  # timing
                  f"{result.reason}; size {actual}" if result.verdict is Verdict.PROVED else result.reason,
                  size, details=details)


@claim("C7-outside-box", expected="refuted", broken_of="C7", sizes=[{"d": 2, "widths": [4], "seed": 0, "margin": "1/2"},
                                                                    {"d": 2, "widths": [8, 8], "seed": 1, "margin": "1/2"}],
       source=f"broken variant of C7 (drops the box the construction is built for); C7: {SOURCE}")
def emulation_outside_box(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: the emulation built for B is claimed exact on B widened by a margin (a box too small for it)."""
    start = time.perf_counter()  # timing
    relu, box = _instance(size)
    em = emulate(relu, box)
    wide = box.widen(Fraction(size.get("margin", "1/2")))
    result = check_equivalence(em.network, relu, wide, "monolithic", SolverOptions.of(ctx))
    details = dict(result.details)
    if result.counterexample is not None:
        x = result.counterexample.inputs[0]
        details["distance_outside"] = max(max(a - v, v - b, Fraction(0)) for a, v, b in zip(box.lo, x, box.hi))
    return Result("C7-outside-box", result.verdict, time.perf_counter() - start, result.counterexample,  # timing
                  result.reason, size, details=details)


def perturb(net: Network, index: int, amount: Fraction) -> Network:
    """``net`` with the weight of synapse ``index`` changed by ``amount``."""
    syn = list(net.synapses)
    syn[index] = replace(syn[index], weight=syn[index].weight + amount)
    return Network(net.inputs, net.neurons, tuple(syn), net.outputs, net.references, net.kernel, net.codes)


@claim("C7-perturbed", expected="refuted", broken_of="C7", sizes=[{"d": 2, "widths": [4], "seed": 0},
                                                                  {"d": 2, "widths": [8, 8], "seed": 1}],
       source=f"broken variant of C7 (perturbs one weight of the construction); C7: {SOURCE}")
def emulation_perturbed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: one data weight of the emulation changed by 1/1000 is claimed still equal to Psi on B."""
    start = time.perf_counter()  # timing
    relu, box = _instance(size)
    em = emulate(relu, box)
    index = next(k for k, s in enumerate(em.network.synapses) if s.source.startswith("x"))
    bad = perturb(em.network, index, Fraction(1, 1000))
    result = check_equivalence(bad, relu, box, "auto", SolverOptions.of(ctx))
    return Result("C7-perturbed", result.verdict, time.perf_counter() - start, result.counterexample,  # timing
                  result.reason, size, details=dict(result.details))
