"""VNN-LIB queries on spiking networks: ``X_i`` are input spike times, ``Y_j`` output firing times.

A coded network (one with ``codes``) is read through its codes instead: ``X_i`` is the value input
``i`` encodes (its spike time is ``base + X_i`` or ``base - X_i``) and ``Y_j`` the decoded output.
A silent output is ``+inf`` as a time, and ``-inf`` (negative code) or ``+inf`` (positive code) as
a decoded value; :mod:`verisnn.io.vnnlib` says how an atom on it is read.

The property's input box becomes a box of spike times with sound firing-time bounds
(:func:`verisnn.semantics.bounds.firing_bounds`); neurons whose causal set is fixed on the box are
affine in their sources (:mod:`verisnn.analyses.verify.snn_fixed`), which gives exact symbolic
bounds of the outputs that may prove the property at once.  Otherwise the centre and a few corners of
the box are simulated (a cheap search for a counterexample), then one solver query decides, with the
affine neurons as linear equalities (``fixed`` of :func:`verisnn.smt.snn.encode`).  Every
counterexample is replayed in the exact simulator.
"""

from __future__ import annotations

import random
import time
from fractions import Fraction

from verisnn.analyses.verify.relu import _loose
from verisnn.analyses.verify.snn_fixed import Fixed, Form, fixed_neurons
from verisnn.core.domain import Box
from verisnn.core.errors import InternalError
from verisnn.core.model import Code, Network
from verisnn.core.numbers import Time
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.io.vnnlib import And, Atom, Formula, Property
from verisnn.semantics.bounds import firing_bounds
from verisnn.semantics.simulate import simulate
from verisnn.smt.snn import encode
from verisnn.smt.terms import q
from verisnn.smt.vnnlib import constraints
from verisnn.solvers import Query, SolverOptions, solve

CORNERS = 8  # random box corners simulated before the solver is asked


def _codes(net: Network) -> tuple[list[Code | None], list[Code | None]]:
    ins = {c.node: c for c in net.codes.inputs} if net.codes is not None else {}
    outs = {c.node: c for c in net.codes.outputs} if net.codes is not None else {}
    return [ins.get(x) for x in net.inputs], [outs.get(o) for o in net.outputs]


def _time(c: Code | None, x: Fraction) -> Fraction:
    return x if c is None else c.encode(x)


def _value(c: Code | None, t: Time) -> Time:
    return t if c is None else c.decode(t)


def snn_values(net: Network, x: tuple[Fraction, ...]) -> tuple[Time, ...]:
    """The values ``Y`` of the network at ``X = x``: exact simulation, read through the codes if any."""
    in_codes, out_codes = _codes(net)
    sim = simulate(net, [_time(c, v) for c, v in zip(in_codes, x)])
    return tuple(_value(c, t) for c, t in zip(out_codes, sim.outputs))


def verify_snn(net: Network, prop: Property, options: SolverOptions, solver: bool = True) -> Result:
    """Decide ``prop`` on ``net`` (see the module docstring); without ``solver``, undecided after the attack is unknown."""
    start = time.perf_counter()  # timing
    coded = net.codes is not None
    prop.check_sizes(net.dimension, len(net.outputs), "the coded SNN" if coded else "the SNN")
    in_codes, out_codes = _codes(net)
    ends = [sorted((_time(c, a), _time(c, b))) for c, a, b in zip(in_codes, prop.lo, prop.hi)]
    box = Box(tuple(e[0] for e in ends), tuple(e[1] for e in ends))
    size = {"inputs": net.dimension, "outputs": len(net.outputs), "neurons": len(net.neurons),
            "synapses": len(net.synapses)}

    def evaluate(x: tuple[Fraction, ...]) -> tuple[Time, ...]:
        return snn_values(net, x)

    rng = random.Random(0)
    candidates = [tuple((a + b) / 2 for a, b in zip(prop.lo, prop.hi))]
    candidates += [tuple(rng.choice((a, b)) for a, b in zip(prop.lo, prop.hi)) for _ in range(CORNERS)]
    t0 = time.perf_counter()  # timing
    bounds = firing_bounds(net, box)
    fixed = fixed_neurons(net, bounds)
    size["affine"] = len(fixed.causal)
    corners: list[tuple[Fraction, ...]] = []
    verdicts = [_possible(net, fixed, f, in_codes, out_codes, corners) for f in prop.assertions]  # all: corners
    if not all(verdicts):
        return Result(prop.name, Verdict.PROVED, time.perf_counter() - start,  # timing
                      reason=f"symbolic firing-time bounds ({len(fixed.causal)} of {len(net.neurons)} neurons affine "
                             f"on the box) exclude every counterexample", size=size,
                      details={"method": "bounds", "bounds_seconds": round(time.perf_counter() - t0, 3)})  # timing
    for x in _plausible(net, prop, [*corners, *candidates], in_codes, out_codes):
        y = evaluate(x)
        if prop.holds(x, y):
            return Result(prop.name, Verdict.REFUTED, time.perf_counter() - start, _cex(prop, x, y), size=size,  # timing
                          details={"method": "attack"})
    if not solver:
        return Result(prop.name, Verdict.UNKNOWN, time.perf_counter() - start, reason="not decided by bounds or attack",
                      size=size, details={"method": "bounds"})  # timing
    enc = encode(net, "", box, bounds=bounds, fixed=fixed.causal)
    xs = [t if c is None else (t - q(c.base) if c.code == "positive" else q(c.base) - t)
          for c, t in zip(in_codes, enc.inputs)]
    signs = [1 if c is None or c.code == "positive" else -1 for c in out_codes]
    cons = [*enc.constraints, *constraints(prop, xs, enc.decoded, enc.output_fires, signs)]

    def counterexample(model: object) -> Counterexample:
        sim = enc.replay(model)  # raises InternalError if the encoding disagrees with the simulator
        x = tuple(_value(c, t) for c, t in zip(in_codes, enc.read_inputs(model)))
        y = tuple(_value(c, t) for c, t in zip(out_codes, sim.outputs))
        if not prop.holds(x, y):
            raise InternalError(f"{prop.name}: the solver's model x={[str(v) for v in x]} is not a counterexample "
                                f"in the exact simulator (outputs {[str(v) for v in y]})")
        return _cex(prop, x, y)  # type: ignore[arg-type]

    query = Query(prop.name, cons, counterexample, proved="no input satisfies the assertions (exact solver)",
                  size=size, details={"method": "smt"})
    result = solve(query, options)
    return Result(result.subject, result.verdict, time.perf_counter() - start, result.counterexample,  # timing
                  result.reason, result.size, details=result.details)


def _plausible(net: Network, prop: Property, points: list[tuple[Fraction, ...]], in_codes: list,
               out_codes: list) -> list[tuple[Fraction, ...]]:
    """The points whose float simulation does not clearly violate an assertion (a guide: kept ones are run exactly)."""
    import numpy as np

    from verisnn.semantics.fastsim import simulate_many

    if not points:
        return []
    times = np.array([[float(_time(c, v)) for c, v in zip(in_codes, x)] for x in points])  # guide only
    run = simulate_many(net, times)
    keep = []
    for r, x in enumerate(points):
        values = {f"X_{i}": float(v) for i, v in enumerate(x)}  # guide only
        for j, (o, c) in enumerate(zip(net.outputs, out_codes)):
            t = float(run[o][r])  # guide only
            values[f"Y_{j}"] = t if c is None else _decode_float(c, t)
        if all(_loose(f, values) for f in prop.assertions):
            keep.append(x)
    return keep


def _decode_float(c: Code, t: float) -> float:
    if t == float("inf"):  # guide only
        return -t if c.code == "negative" else t
    base = float(c.base)  # guide only
    return base - t if c.code == "negative" else t - base


def _form(net: Network, fixed: Fixed, var: str, in_codes: list, out_codes: list) -> Form | None:
    """The exact affine form of an X or Y value over the atomic nodes (None: not known to be affine)."""
    idx = int(var[2:])
    node, code = (net.inputs[idx], in_codes[idx]) if var[0] == "X" else (net.outputs[idx], out_codes[idx])
    got = fixed.forms.get(node)
    if got is None:
        return None
    coeffs, const = got
    if code is None or code.code == "positive":
        base = code.base if code is not None else Fraction(0)
        return dict(coeffs), const - base
    return {u: -c for u, c in coeffs.items()}, code.base - const


def _possible(net: Network, fixed: Fixed, f: Formula, in_codes: list, out_codes: list,
              corners: list[tuple[Fraction, ...]]) -> bool:
    """False only if the symbolic bounds make ``f`` false at every input of the box; collects attack corners.

    A corner sets each input value to the end of its range that pushes the atom's form towards true.
    """
    if isinstance(f, Atom):
        coeffs: dict[str, Fraction] = {}
        const = f.expr.const
        for var, c in f.expr.coeffs:
            form = _form(net, fixed, var, in_codes, out_codes)
            if form is None:
                return True
            for u, a in form[0].items():
                coeffs[u] = coeffs.get(u, Fraction(0)) + c * a
            const += c * form[1]
        lo = hi = const
        for u, c in coeffs.items():
            a, b = fixed.windows[u]
            lo += c * (a if c > 0 else b)
            hi += c * (b if c > 0 else a)
        down = f.op in ("<=", "<")
        if any(v[0] == "Y" for v, _ in f.expr.coeffs) and any(u in net.inputs for u in coeffs):
            corner = []
            for i, x in enumerate(net.inputs):
                c = coeffs.get(x, Fraction(0))
                t_lo, t_hi = fixed.windows[x]
                t = t_lo if (c > 0) == down else t_hi
                corner.append(in_codes[i].decode(t) if in_codes[i] is not None else t)
            corners.append(tuple(corner))
        return {"<=": lo <= 0, "<": lo < 0, ">=": hi >= 0, ">": hi > 0, "=": lo <= 0 <= hi}[f.op]
    parts = [_possible(net, fixed, p, in_codes, out_codes, corners) for p in f.parts]
    return all(parts) if isinstance(f, And) else any(parts)


def _cex(prop: Property, x: tuple, y: tuple) -> Counterexample:
    return Counterexample((tuple(x),), (tuple(y),), f"the inputs and outputs satisfy every assertion of {prop.name}")
