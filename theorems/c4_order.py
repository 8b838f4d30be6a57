"""C4: positive weights + linear kernel => nondecreasing, concave, 1-Lipschitz (l_inf), translation equivariant.

Singh, Fono, Kutyniok, *Expressivity of Spiking Neural Networks* (arXiv 2308.08218), the
properties of positive linear networks: for weights ``w > 0``, the linear kernel, and all
``x, y`` in the box,

    x <= y  =>  R(x) <= R(y),          R((x + y)/2) >= (R(x) + R(y))/2,
    |R(x) - R(y)|_inf <= |x - y|_inf,  R(x + c*1) = R(x) + c*1  (no references).

Each property is proved on seeded instances and refuted by its broken variant: signed weights
for the first three (one neuron with ``w = (2, -1)``, ``theta = 1`` fires at
``max(x0 + 1/2, 1 + 2 x0 - x1)``: decreasing and convex in ``x1``, slope 3 in l_inf), and a
reference for translation (signed weights do not break translation equivariance: without
references the dynamics are time invariant).
"""


from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from verisnn.analyses.properties import check_property
from verisnn.claims.generators import positive_linear, size_widths
from verisnn.claims.registry import RunContext, claim
from verisnn.core.domain import Box
from verisnn.core.model import Network, Reference, Synapse, layered
from verisnn.core.results import Result
from verisnn.solvers import SolverOptions

SOURCE = "arXiv 2308.08218, order properties of positive linear networks"

SIZES = [{"widths": [2, 3, 1], "seed": 0}, {"widths": [3, 3, 3, 1], "seed": 1}]


def _instance(size: Mapping[str, Any]) -> Network:
    return positive_linear(size_widths(dict(size), [2, 3, 1]), int(size.get("seed", 0)))


def _check(net: Network, prop: str, ctx: RunContext) -> Result:
    return check_property(net, prop, Box.uniform(0, 4, net.dimension), SolverOptions.of(ctx))


def signed_neuron() -> Network:
    return layered(2, [{"weights": [[2, -1]], "thresholds": [1]}])


def with_reference(net: Network) -> Network:
    """``net`` plus a reference spike at 0 feeding its first neuron with weight 1/2."""
    first = net.order[0]
    return Network(net.inputs, net.neurons, net.synapses + (Synapse("ref", first, Fraction(1, 2)),), net.outputs,
                   net.references + (Reference("ref", Fraction(0)),), net.kernel)


@claim("C4-monotone", expected="proved", sizes=SIZES, source=SOURCE)
def monotone(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """x <= y (componentwise) => R(x) <= R(y) on [0, 4]^d for positive linear networks."""
    return _check(_instance(size), "monotone", ctx)


@claim("C4-concave", expected="proved", sizes=SIZES, source=SOURCE)
def concave(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """R((x + y)/2) >= (R(x) + R(y))/2 on [0, 4]^d (midpoint concavity, exact for PWL maps)."""
    return _check(_instance(size), "concave", ctx)


@claim("C4-lipschitz", expected="proved", sizes=SIZES, source=SOURCE)
def lipschitz(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """|R(x) - R(y)|_inf <= |x - y|_inf on [0, 4]^d for positive linear networks."""
    return _check(_instance(size), "lipschitz=1", ctx)


@claim("C4-translation", expected="proved", sizes=SIZES, source=SOURCE)
def translation(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Without references: R(x + c*1) = R(x) + c*1 whenever x and x + c*1 lie in [0, 4]^d."""
    return _check(_instance(size), "translation", ctx)


@claim("C4-monotone-signed", expected="refuted", broken_of="C4-monotone",
       source=f"broken variant of C4-monotone (drops positive weights); C4-monotone: {SOURCE}")
def monotone_signed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: w = (2, -1) is decreasing in x1."""
    return _check(signed_neuron(), "monotone", ctx)


@claim("C4-concave-signed", expected="refuted", broken_of="C4-concave",
       source=f"broken variant of C4-concave (drops positive weights); C4-concave: {SOURCE}")
def concave_signed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: w = (2, -1) is convex in x1."""
    return _check(signed_neuron(), "concave", ctx)


@claim("C4-lipschitz-signed", expected="refuted", broken_of="C4-lipschitz",
       source=f"broken variant of C4-lipschitz (drops positive weights); C4-lipschitz: {SOURCE}")
def lipschitz_signed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: w = (2, -1) has slope 2 in x0 on one piece."""
    return _check(signed_neuron(), "lipschitz=1", ctx)


@claim("C4-translation-reference", expected="refuted", broken_of="C4-translation",
       source=f"broken variant of C4-translation (drops 'no references'); C4-translation: {SOURCE}")
def translation_reference(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: a reference spike (a fixed time) breaks translation equivariance."""
    return _check(with_reference(_instance({"widths": [2, 3, 1], "seed": 0})), "translation", ctx)
