"""C9 (parametric): for EVERY positive weight vector, one neuron has exactly 2^d - 1 causal regions.

Singh, Montúfar, Kutyniok, *Polyhedral Geometry of Time-to-First-Spike Neural Networks* (arXiv
2609.11227), the region count of one neuron (also the linear regions of one spiking neuron in Singh,
Fono, Kutyniok, arXiv 2308.08218): with d inputs, weights ``w > 0`` and the linear kernel,

    #{ S : the region {x : causal set of v at x = S} has interior } = 2^d - 1,

whatever the weights.  With weights and threshold as solver variables (``w in (0, 4]^d``,
``theta in (0, 4]``) verisnn proves, in nonlinear real arithmetic:

* *at most* ``2^d - 1``: the neuron always fires and its causal set is never empty (the potential
  is 0 until the first arrival), and for this neuron the causal pattern is its causal set (one
  kernel piece, no jumps), so patterns are nonempty subsets;
* *at least* ``2^d - 1``: for every nonempty ``S``, the input ``x_S`` (0 on ``S``,
  ``theta/W_S + 1`` elsewhere) has an l_inf ball of positive radius ``e`` (any ``e <= 1/4`` with
  ``4 e W_S <= theta``) on which the causal set is exactly ``S``.  So region ``S`` has interior.
"""


from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verisnn.analyses.parametric import causal_regions_all_weights
from verisnn.claims.registry import RunContext, claim
from verisnn.core.results import Result
from verisnn.solvers import SolverOptions

SOURCE = ("arXiv 2609.11227, the 2^d - 1 causal regions of one neuron; arXiv 2308.08218, the linear regions "
          "of one spiking neuron")


@claim("C9-param", expected="proved", mode="parametric", sizes=[{"d": 2}, {"d": 3}, {"d": 4}], limits={"d": (1, 5)},
       source=SOURCE)
def one_neuron_every_weight(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """For EVERY w in (0, 4]^d, theta in (0, 4]: one neuron has exactly 2^d - 1 causal regions (NRA)."""
    return causal_regions_all_weights(int(size.get("d", 2)), (0, 4), (0, 4), options=SolverOptions.of(ctx))


@claim("C9-param-signed", expected="refuted", mode="parametric", sizes=[{"d": 2}, {"d": 4}], broken_of="C9-param",
       limits={"d": (2, 4)}, source=f"broken variant of C9-param (drops positive weights); C9-param: {SOURCE}")
def one_neuron_signed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: with a negative weight allowed (w in [-4, 4], sum > 0) a set of inputs can be unrealizable.

    An inhibitory input alone never makes a neuron fire, so ``{x_{d-1}}`` with ``w_{d-1} < 0`` is
    never a causal set: the solver finds such weights and an input near ``x_S`` with another set.
    """
    return causal_regions_all_weights(int(size.get("d", 2)), (0, 4), (0, 4), signed=True, options=SolverOptions.of(ctx))
