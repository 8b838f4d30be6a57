"""C5: spiking networks realize discontinuous maps; ReLU networks never do.

Singh, Fono, Kutyniok, *Expressivity of Spiking Neural Networks* (arXiv 2308.08218), the
discontinuity of SNN realizations: there are networks ``Phi`` (with an inhibitory synapse, or
with a finite response kernel and positive weights) and points ``x`` with

    lim_{y -> x} R(Phi)(y) != R(Phi)(x),

while every ReLU network ``Psi`` is Lipschitz: ``|Psi(x) - Psi(y)|_inf <= prod_l ||W_l||_inf
|x - y|_inf``.  verisnn finds discontinuity witnesses with its exact continuity decision
(docs/properties.md), and proves the ReLU bound per instance with the solver (not assumed).
"""


from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from verisnn.analyses.emulation import random_relu
from verisnn.analyses.properties import check_property
from verisnn.claims.registry import RunContext, claim
from verisnn.core.domain import Box
from verisnn.core.kernels import triangle
from verisnn.core.model import Network, Neuron, ReluNetwork, Synapse, relu_network
from verisnn.core.numbers import fmt
from verisnn.core.results import Result
from verisnn.solvers import SolverOptions

SOURCE = "arXiv 2308.08218, discontinuous spiking networks versus continuous ReLU networks"


def inhibition_silence() -> Network:
    """The neuron of docs/model.md: w = (1, -1), theta = 1 fires at x0 + 1 when x1 >= x0 + 1, and is silent otherwise."""
    syn = (Synapse("x0", "v", Fraction(1)), Synapse("x1", "v", Fraction(-1)))
    return Network(("x0", "x1"), (Neuron("v", Fraction(1)),), syn, ("v",))


def triangle_positive() -> Network:
    """Positive weights (1, 1, 2), triangle(1) kernel, theta 3/2: two early spikes fire or miss, x2 rescues."""
    syn = (Synapse("x0", "v", Fraction(1)), Synapse("x1", "v", Fraction(1)), Synapse("x2", "v", Fraction(2)))
    return Network(("x0", "x1", "x2"), (Neuron("v", Fraction(3, 2)),), syn, ("v",), kernel=triangle(1))


@claim("C5", expected="witness found", sizes=[{}], source=SOURCE)
def inhibition_witness(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """An inhibitory synapse makes R discontinuous: a witness on [0, 2]^2 (firing <-> silent)."""
    net = inhibition_silence()
    return check_property(net, "continuous", Box.uniform(0, 2, 2), SolverOptions.of(ctx))


@claim("C5-finite-kernel", expected="witness found", sizes=[{}], source=SOURCE)
def finite_kernel_witness(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Positive weights with the triangle(1) kernel: R is discontinuous on [0, 3]^3 (finite jump)."""
    net = triangle_positive()
    return check_property(net, "continuous", Box.uniform(0, 3, 3), SolverOptions.of(ctx))


def norm_product(relu: ReluNetwork) -> Fraction:
    """Product over layers of the l_inf operator norm (max absolute row sum): a Lipschitz bound."""
    out = Fraction(1)
    for layer in relu.layers:
        out *= max(sum(abs(w) for w in row) for row in layer.weights)
    return out


def relu_lipschitz(relu: ReluNetwork, L: Fraction, box: Box, ctx: RunContext) -> Result:
    """``|f(x) - f(y)|_inf <= L |x - y|_inf`` for all x, y in ``box``, decided by the solver (not assumed)."""
    return check_property(relu, f"lipschitz={fmt(L)}", box, SolverOptions.of(ctx))


@claim("C5-relu", expected="proved", sizes=[{"widths": [2, 8, 1], "seed": 0}, {"widths": [3, 4, 4, 2], "seed": 1}],
       source=SOURCE)
def relu_continuous(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """ReLU networks are continuous: Lipschitz with the product of layer norms on [-2, 2]^d (seeded instances)."""
    widths = list(size.get("widths", [2, 8, 1]))
    relu = random_relu(widths[0], widths[1:-1], widths[-1], int(size.get("seed", 0)))
    return relu_lipschitz(relu, norm_product(relu), Box.uniform(-2, 2, widths[0]), ctx)


@claim("C5-relu-tight", expected="refuted", sizes=[{}], broken_of="C5-relu",
       source=f"broken variant of C5-relu (strengthens the Lipschitz constant to 1); C5-relu: {SOURCE}")
def relu_too_tight(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: |x0 - x1| (examples/relu_small.json) is not 1-Lipschitz in l_inf (its constant is 2)."""
    relu = relu_network([([[1, -1], [-1, 1]], [0, 0]), ([[1, 1]], [0])])
    return relu_lipschitz(relu, Fraction(1), Box.uniform(-1, 1, 2), ctx)
