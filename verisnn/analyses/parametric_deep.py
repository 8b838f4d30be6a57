"""Claims about every positive linear ``d-m-1`` network at once (all weights and thresholds as unknowns).

Each function decides one property of the composed two-layer network of
:class:`verisnn.smt.parametric_deep.DeepFamily` in nonlinear real arithmetic and returns a
:class:`~verisnn.core.results.Result` in mode ``"parametric"``.  A counterexample carries the
concrete network and the inputs, and is replayed in the exact simulator before it is reported;
a model the simulator does not reproduce is an InternalError.  Measured times and where NRA stops
are in docs/properties.md.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from verisnn.core.errors import InternalError
from verisnn.core.numbers import fmt, is_finite
from verisnn.core.results import Counterexample, Result
from verisnn.io import network_to_json
from verisnn.semantics.simulate import realize
from verisnn.smt import parametric_deep as D
from verisnn.smt.parametric import read
from verisnn.smt.query import Query
from verisnn.solvers import SolverOptions, solve

VIOLATIONS = {"monotone": D.monotone_violation, "lipschitz": D.lipschitz_violation, "concave": D.concave_violation}


def _holds(prop: str, xs: list, ts: list) -> bool:
    """Whether the property holds at these inputs and exact output times (all finite)."""
    if prop == "monotone":
        return not all(a <= b for a, b in zip(xs[0], xs[1])) or ts[0] <= ts[1]
    if prop == "lipschitz":
        return abs(ts[1] - ts[0]) <= max(abs(a - b) for a, b in zip(xs[0], xs[1]))
    return 2 * ts[2] >= ts[0] + ts[1]


def deep_property_all_weights(prop: str, d: int = 2, m: int = 2, weight_range: tuple = (0, 4),
                              theta_range: tuple = (0, 4), signed: bool = False, options: Any = None) -> Result:
    """For every network of the family and all real inputs: ``prop`` (monotone, lipschitz = 1-Lipschitz, concave).

    1-Lipschitz in l_inf implies continuity.  With ``signed`` one output weight may be negative.
    """
    rng = (Fraction(weight_range[0]), Fraction(weight_range[1]))
    th = (Fraction(theta_range[0]), Fraction(theta_range[1]))
    fam = D.DeepFamily.of(d, m, rng, th, signed)
    constraints, copies = VIOLATIONS[prop](fam)

    def cex(model: Any) -> Counterexample:
        net, params = fam.concrete(model)
        xs = [read(model, c.x) for c in copies]
        ts = [realize(net, x)[0] for x in xs]
        if not all(is_finite(t) for t in ts) or _holds(prop, xs, ts):
            raise InternalError(f"{prop} counterexample of the two-layer family not reproduced by the simulator: {xs}")
        relation = f"{prop} fails: inputs {[[fmt(v) for v in x] for x in xs]} fire at {[fmt(t) for t in ts]}"
        return Counterexample(tuple(xs), tuple((t,) for t in ts), relation, network_to_json(net), params)

    what = "signed-output" if signed else "positive"
    proved = f"every {what} linear {d}-{m}-1 network (w, theta in (0,{fmt(rng[1])}]) is {prop} on all real inputs"
    result = solve(Query(f"deep-{prop}", constraints, cex, proved=proved), SolverOptions.of(options))
    return replace(result, mode="parametric")
