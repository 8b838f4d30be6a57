"""VNN-LIB queries on spiking networks: ``X_i`` are input spike times, ``Y_j`` output firing times.

A coded network (one with ``codes``) is read through its codes instead: ``X_i`` is the value input
``i`` encodes (its spike time is ``base + X_i`` or ``base - X_i``) and ``Y_j`` the decoded output.
A silent output is ``+inf`` as a time, and ``-inf`` (negative code) or ``+inf`` (positive code) as
a decoded value; :mod:`verisnn.io.vnnlib` says how an atom on it is read.

The property's input box becomes a box of spike times; the network is encoded over it with sound
firing-time bounds (:func:`verisnn.smt.snn.encode`); the centre and a few corners of the box are
simulated first (a cheap search for a counterexample), then one solver query decides.  Every
counterexample is replayed in the exact simulator.
"""

from __future__ import annotations

import random
import time
from fractions import Fraction

from verisnn.core.domain import Box
from verisnn.core.errors import InternalError
from verisnn.core.model import Code, Network
from verisnn.core.numbers import Time
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.io.vnnlib import Property
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


def verify_snn(net: Network, prop: Property, options: SolverOptions) -> Result:
    """Decide ``prop`` on ``net`` (see the module docstring)."""
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
    for x in candidates:
        y = evaluate(x)
        if prop.holds(x, y):
            return Result(prop.name, Verdict.REFUTED, time.perf_counter() - start, _cex(prop, x, y), size=size,  # timing
                          details={"method": "attack"})
    enc = encode(net, box=box)
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


def _cex(prop: Property, x: tuple, y: tuple) -> Counterexample:
    return Counterexample((tuple(x),), (tuple(y),), f"the inputs and outputs satisfy every assertion of {prop.name}")
