"""C3/C4 (parametric, depth 2): every positive linear 2-2-1 network is nondecreasing and 1-Lipschitz.

Singh, Fono, Kutyniok, *Expressivity of Spiking Neural Networks* (arXiv 2308.08218), the
continuity and order properties of positive linear networks at any depth, here for EVERY hidden
and output weight in (0, 4] and threshold in (0, 4] of a 2-2-1 network, all real inputs (NRA on
the composed network: two copies of the whole network, no per-layer lemma).  1-Lipschitz in
l_inf implies continuity (C3).  Broken variants: one output weight signed.  Concavity also holds
(a concave nondecreasing map of concave maps), but z3's NRA times out on it; see
docs/properties.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verisnn.analyses.parametric_deep import deep_property_all_weights
from verisnn.claims.registry import RunContext, claim
from verisnn.core.results import Result
from verisnn.solvers import SolverOptions

ORDER = "arXiv 2308.08218, order properties of positive linear networks"
CONTINUITY = "arXiv 2308.08218, continuity of positive linear networks"


@claim("C4-param-deep-monotone", expected="proved", mode="parametric", source=ORDER)
def deep_monotone(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """For EVERY positive linear 2-2-1 network (w, theta in (0, 4]): x <= y => R(x) <= R(y) (NRA, composed)."""
    return deep_property_all_weights("monotone", options=SolverOptions.of(ctx))


@claim("C4-param-deep-monotone-signed", expected="refuted", mode="parametric", broken_of="C4-param-deep-monotone",
       source=f"broken variant of C4-param-deep-monotone (drops positivity of one output weight); "
              f"C4-param-deep-monotone: {ORDER}")
def deep_monotone_signed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: one output weight in [-4, 4] (nonzero, sum > 0); a later inhibitory spike fires it earlier."""
    return deep_property_all_weights("monotone", signed=True, options=SolverOptions.of(ctx))


@claim("C3-param-deep", expected="proved", mode="parametric", default=False, source=CONTINUITY)
def deep_lipschitz(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """For EVERY positive linear 2-2-1 network: |R(x) - R(y)| <= |x - y|_inf, so R is continuous (NRA, ~20 s)."""
    return deep_property_all_weights("lipschitz", options=SolverOptions.of(ctx))


@claim("C3-param-deep-signed", expected="refuted", mode="parametric", broken_of="C3-param-deep",
       source=f"broken variant of C3-param-deep (drops positivity of one output weight); C3-param-deep: {CONTINUITY}")
def deep_lipschitz_signed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: one output weight in [-4, 4] (nonzero, sum > 0) gives a slope above 1."""
    return deep_property_all_weights("lipschitz", signed=True, options=SolverOptions.of(ctx))


@claim("C4-param-deep-concave-signed", expected="refuted", mode="parametric", broken_of="C4-concave",
       default=False,
       source=f"broken variant of C4-concave (drops positivity of one output weight, depth 2); C4-concave: {ORDER}")
def deep_concave_signed(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken variant: one signed output weight makes the 2-2-1 realization non-concave (NRA, ~20 s)."""
    return deep_property_all_weights("concave", signed=True, options=SolverOptions.of(ctx))
