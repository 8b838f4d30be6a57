"""C3: positive weights + linear kernel => the realization is continuous, at any depth.

Singh, Fono, Kutyniok, *Expressivity of Spiking Neural Networks* (arXiv 2308.08218), the
continuity of positive linear networks: for every network ``Phi`` with weights ``w > 0`` and the
linear response kernel, and every box ``D``,

    R(Phi) : D -> R^n  is continuous (indeed continuous piecewise linear).

verisnn decides continuity of any given network exactly (docs/properties.md): proved on seeded
positive linear instances of depth 1 to 4; for one neuron and EVERY ``w in (0, 4]^d``,
``theta in (0, 4]`` as ``|t(x) - t(y)| <= |x - y|_inf`` (nonlinear real arithmetic; Lipschitz
implies continuous); refuted, with a jump witness, for a signed neuron and for the box kernel.
"""


from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from verisnn.analyses.parametric import lipschitz_all_weights
from verisnn.analyses.properties import check_property
from verisnn.claims.generators import positive_linear, size_widths
from verisnn.claims.registry import RunContext, claim
from verisnn.core.domain import Box
from verisnn.core.kernels import box
from verisnn.core.model import Network, Neuron, Synapse
from verisnn.core.results import Result
from verisnn.solvers import SolverOptions

SOURCE = "arXiv 2308.08218, continuity of positive linear networks"


def _continuity(net: Network, hi: int, ctx: RunContext) -> Result:
    return check_property(net, "continuous", Box.uniform(0, hi, net.dimension), SolverOptions.of(ctx))


@claim("C3", expected="proved", sizes=[{"widths": [2, 3, 1], "seed": 0}, {"widths": [2, 3, 3, 1], "seed": 1},
                                        {"widths": [3, 4, 4, 4, 1], "seed": 2}], source=SOURCE)
def continuity_instances(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Positive weights + linear kernel => R continuous on [0, 4]^d (seeded instances, depth 1 to 4)."""
    net = positive_linear(size_widths(dict(size), [2, 3, 1]), int(size.get("seed", 0)))
    return _continuity(net, 4, ctx)


@claim("C3-param", expected="proved", mode="parametric", sizes=[{"d": 2}, {"d": 3}], limits={"d": (1, 4)},
       source=SOURCE)
def continuity_parametric(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """For EVERY w in (0, 4]^d, theta in (0, 4]: |t(x) - t(y)| <= |x - y|_inf, hence t is continuous (NRA)."""
    return lipschitz_all_weights(int(size.get("d", 2)), (0, 4), (0, 4), L=1, options=SolverOptions.of(ctx))


def inhibition_jump() -> Network:
    """w = (1, -1, 1/2), theta = 1: the potential touches 1 at t = 1 when x1 = 1, then waits for x2."""
    syn = (Synapse("x0", "v", Fraction(1)), Synapse("x1", "v", Fraction(-1)), Synapse("x2", "v", Fraction(1, 2)))
    return Network(("x0", "x1", "x2"), (Neuron("v", Fraction(1)),), syn, ("v",))


def box_jump() -> Network:
    """Positive weights (1, 1, 3), box(2) kernel, theta 5/2: the first pair's window closes, then x2 is needed."""
    syn = (Synapse("x0", "v", Fraction(1)), Synapse("x1", "v", Fraction(1)), Synapse("x2", "v", Fraction(3)))
    return Network(("x0", "x1", "x2"), (Neuron("v", Fraction(5, 2)),), syn, ("v",), kernel=box(2))


@claim("C3-signed", expected="refuted", sizes=[{}], broken_of="C3",
       source=f"broken variant of C3 (drops positive weights); C3: {SOURCE}")
def continuity_signed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant (signed weights): w = (1, -1, 1/2), theta = 1 is discontinuous on [0, 4]^3."""
    return _continuity(inhibition_jump(), 4, ctx)


@claim("C3-box", expected="refuted", sizes=[{}], broken_of="C3",
       source=f"broken variant of C3 (drops the linear kernel: box(2)); C3: {SOURCE}")
def continuity_box(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant (finite kernel): positive weights with the box(2) kernel are discontinuous on [0, 4]^3."""
    return _continuity(box_jump(), 4, ctx)
