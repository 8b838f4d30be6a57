"""VNN-LIB queries on ReLU networks: bounds first, a corner attack, then one exact solver query.

1. :class:`~verisnn.analyses.verify.relu_bounds.ReluBounds` bounds every pre-activation over the
   property's input box and every atom's left side over the network.  If the bounds alone make the
   assertions unsatisfiable (three-valued evaluation), the property is proved.
2. The box corners that extremise those linear bounds are evaluated exactly; one that satisfies
   every assertion is a counterexample.
3. The assertions are written as a disjunction of conjunctions of atoms (up to ``MAX_CASES``) and each
   conjunction is decided by branch and bound over the unstable units with exactly checked linear
   programs (:mod:`verisnn.analyses.verify.relu_lp`).
4. What that leaves open (a node it could not settle, too many cases) goes to the solver in one query: the network with the stable units linear (no ``If``),
   the bounds of the others as extra (implied) constraints, and the property.  A model is
   re-evaluated by the network's exact evaluation before it is reported.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

from verisnn.analyses.verify.relu_bounds import ReluBounds
from verisnn.analyses.verify.relu_lp import ReluLP, branch_and_bound
from verisnn.core.errors import InternalError
from verisnn.core.model import ReluNetwork
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.io.vnnlib import And, Atom, Formula, Or, Property
from verisnn.smt.relu_fixed import encode_fixed
from verisnn.smt.vnnlib import constraints
from verisnn.solvers import Query, SolverOptions, solve


def _atom_range(b: ReluBounds, a: Atom, n_in: int) -> tuple[Fraction, Fraction, list[tuple[Fraction, ...]]]:
    """:func:`_atom_range_of`, cached per atom on the bounds object."""
    cache = b.__dict__.setdefault("_atom_ranges", {})
    if a not in cache:
        cache[a] = _atom_range_of(b, a, n_in)
    return cache[a]


def _atom_range_of(b: ReluBounds, a: Atom, n_in: int) -> tuple[Fraction, Fraction, list[tuple[Fraction, ...]]]:
    """Exact bounds of the atom's left side over the box (through the network for outputs), and extreme corners."""
    if all(v[0] == "X" for v, _ in a.expr.coeffs):
        lo = hi = a.expr.const
        for v, c in a.expr.coeffs:
            i = int(v[2:])
            lo += c * (b.lo[i] if c > 0 else b.hi[i])
            hi += c * (b.hi[i] if c > 0 else b.lo[i])
        return lo, hi, []
    out: dict[int, Fraction] = {}
    direct = [Fraction(0)] * n_in
    for v, c in a.expr.coeffs:
        idx = int(v[2:])
        if v[0] == "Y":
            out[idx] = c
        else:
            direct[idx] = c
    lo, blo = b.output_bound(out, direct, a.expr.const, upper=False)
    hi, bhi = b.output_bound(out, direct, a.expr.const, upper=True)
    return lo, hi, [blo.argext(b.lo, b.hi, False), bhi.argext(b.lo, b.hi, True)]


def _can_hold(lo: Fraction, hi: Fraction, op: str) -> bool:
    return {"<=": lo <= 0, "<": lo < 0, ">=": hi >= 0, ">": hi > 0, "=": lo <= 0 <= hi}[op]


def _possible(b: ReluBounds, f: Formula, n_in: int, corners: list) -> bool:
    """False only if ``f`` is false at every input of the box (by the bounds); collects attack corners."""
    if isinstance(f, Atom):
        lo, hi, cs = _atom_range(b, f, n_in)
        if cs:
            corners.append(cs[0] if f.op in ("<=", "<") else cs[1])
        return _can_hold(lo, hi, f.op)
    results = [_possible(b, p, n_in, corners) for p in f.parts]
    return all(results) if isinstance(f, And) else any(results)


def verify_relu(relu: ReluNetwork, prop: Property, options: SolverOptions) -> Result:
    """Decide ``prop`` on ``relu`` (see the module docstring)."""
    start = time.perf_counter()  # timing
    prop.check_sizes(relu.dimension, relu.n_outputs, "the ReLU network")
    bounds = ReluBounds(relu, prop.lo, prop.hi)
    size = {"inputs": relu.dimension, "outputs": relu.n_outputs, "relu_units": relu.hidden_units,
            "unstable": bounds.unstable}
    corners: list[tuple[Fraction, ...]] = []
    verdicts = [_possible(bounds, a, relu.dimension, corners) for a in prop.assertions]  # every one: corners
    possible = all(verdicts)
    t_bounds = time.perf_counter() - start  # timing
    if not possible:
        return Result(prop.name, Verdict.PROVED, time.perf_counter() - start,  # timing
                      reason="linear bounds over the input box exclude every counterexample", size=size,
                      details={"method": "bounds", "bounds_seconds": round(t_bounds, 3)})
    guide0 = _FloatNet(relu)
    for x in [tuple((a + b) / 2 for a, b in zip(prop.lo, prop.hi)), *corners]:
        if not _plausible(guide0, prop, x):
            continue
        y = relu(x)
        if prop.holds(x, y):
            cex = _counterexample(prop, x, y)
            return Result(prop.name, Verdict.REFUTED, time.perf_counter() - start, cex, size=size,  # timing
                          details={"method": "attack", "bounds_seconds": round(t_bounds, 3)})
    t_lp = time.perf_counter()  # timing
    cases = _dnf(prop.assertions)
    if cases is not None:
        model = ReluLP(bounds)
        guide = _FloatNet(relu)
        open_cases, lps = 0, 0
        deadline = start + options.timeout if options.timeout is not None else None
        for atoms in cases:
            if not all(_can_hold(*_atom_range(bounds, a, relu.dimension)[:2], a.op) for a in atoms):
                continue
            got = branch_and_bound(model, atoms, lambda x: _plausible(guide, prop, x) and prop.holds(x, relu(x)),
                                   deadline=deadline)
            lps += got.lps
            if got.status == "sat":
                assert got.x is not None
                return Result(prop.name, Verdict.REFUTED, time.perf_counter() - start,  # timing
                              _counterexample(prop, got.x, relu(got.x)), size=size,
                              details={"method": "lp", "lps": lps, "bounds_seconds": round(t_bounds, 3)})
            open_cases += got.status == "open"
        if not open_cases:
            return Result(prop.name, Verdict.PROVED, time.perf_counter() - start,  # timing
                          reason="every case is infeasible by exactly checked LP duals", size=size,
                          details={"method": "lp", "lps": lps, "cases": len(cases),
                                   "bounds_seconds": round(t_bounds, 3),
                                   "lp_seconds": round(time.perf_counter() - t_lp, 3)})  # timing
    left = None if options.timeout is None else options.timeout - (time.perf_counter() - start)  # timing
    if left is not None and left <= 0:
        return Result(prop.name, Verdict.UNKNOWN, time.perf_counter() - start, reason="timeout (branch and bound)",
                      size=size, details={"method": "lp"})  # timing
    if left is not None:
        options = SolverOptions(options.solver, left, options.rlimit, options.smt2)
    enc = encode_fixed(relu, bounds.layers, prop.lo, prop.hi)
    cons = [*enc.constraints, *constraints(prop, enc.inputs, enc.outputs)]

    def counterexample(model: object) -> Counterexample:
        x = enc.read_inputs(model)
        y = relu(x)
        if not prop.holds(x, y):
            raise InternalError(f"{prop.name}: the solver's model x={[str(v) for v in x]} is not a counterexample "
                                f"by exact evaluation (outputs {[str(v) for v in y]})")
        return _counterexample(prop, x, y)

    query = Query(prop.name, cons, counterexample, proved="no input satisfies the assertions (exact solver)",
                  size=size, details={"method": "smt", "bounds_seconds": round(t_bounds, 3)})
    result = solve(query, options)
    return Result(result.subject, result.verdict, time.perf_counter() - start, result.counterexample,  # timing
                  result.reason, result.size, details=result.details)


MAX_CASES = 256
TOLERANCE = 1e-6  # float slack of the pre-check: only points it keeps are evaluated exactly


class _FloatNet:
    """The network in float64, to skip exact evaluations of points that are clearly not counterexamples."""

    def __init__(self, relu: ReluNetwork) -> None:
        import numpy as np

        self.layers = [(np.array([[float(w) for w in row] for row in layer.weights]),  # guide only
                        np.array([float(b) for b in layer.bias])) for layer in relu.layers]  # guide only

    def __call__(self, x: tuple[Fraction, ...]) -> list[float]:
        import numpy as np

        v = np.array([float(a) for a in x])  # guide only
        for k, (w, b) in enumerate(self.layers):
            v = w @ v + b
            if k < len(self.layers) - 1:
                v = np.maximum(v, 0.0)
        return list(v)


def _plausible(net: _FloatNet, prop: Property, x: tuple[Fraction, ...]) -> bool:
    """False only if the float evaluation violates some assertion by more than TOLERANCE (a guide)."""
    values = {f"X_{i}": float(v) for i, v in enumerate(x)}  # guide only
    values.update({f"Y_{j}": v for j, v in enumerate(net(x))})
    return all(_loose(f, values) for f in prop.assertions)


def _loose(f: Formula, values: dict[str, float]) -> bool:
    if isinstance(f, Atom):
        lhs = float(f.expr.const) + sum(float(c) * values[v] for v, c in f.expr.coeffs)  # guide only
        if math.isnan(lhs):  # inf - inf (two silent outputs): the floats cannot tell
            return True
        scale = TOLERANCE * (1.0 + abs(lhs))
        return {"<=": lhs <= scale, "<": lhs < scale, ">=": lhs >= -scale, ">": lhs > -scale,
                "=": abs(lhs) <= scale}[f.op]
    parts = [_loose(p, values) for p in f.parts]
    return all(parts) if isinstance(f, And) else any(parts)


def _dnf(formulas: tuple[Formula, ...]) -> list[list[Atom]] | None:
    """The conjunction of ``formulas`` as a list of conjunctions of atoms (None beyond MAX_CASES)."""
    cases: list[list[Atom]] = [[]]
    for f in formulas:
        parts = _dnf_one(f)
        if parts is None or len(cases) * len(parts) > MAX_CASES:
            return None
        cases = [c + p for c in cases for p in parts]
    return cases


def _dnf_one(f: Formula) -> list[list[Atom]] | None:
    if isinstance(f, Atom):
        return [[f]]
    if isinstance(f, Or):
        out: list[list[Atom]] = []
        for p in f.parts:
            sub = _dnf_one(p)
            if sub is None or len(out) + len(sub) > MAX_CASES:
                return None
            out += sub
        return out
    return _dnf(f.parts)


def _counterexample(prop: Property, x: tuple, y: tuple) -> Counterexample:
    return Counterexample((tuple(x),), (tuple(y),), f"the inputs and outputs satisfy every assertion of {prop.name}")
