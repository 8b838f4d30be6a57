"""Exact equivalence of two networks on a box: (coded SNN, ReLU), (SNN, SNN), (ReLU, ReLU).

Both sides are read as maps from *values* ``x`` in the box to output values: a ReLU network is
evaluated as it is, a spiking network spikes at its input codes' times (``base - x`` /
``base + x``; an uncoded input spikes at ``x``) and its outputs are decoded through the output
codes (raw firing times when uncoded; a silent output decodes to ``-inf`` / ``+inf``).
Equivalence means equal outputs for every ``x`` in the box, exactly.

Two strategies:

*monolithic* (any pair): one query, "some ``x`` in the box gives different outputs", over the
encodings of :mod:`verisnn.smt.snn` (with their firing-time bounds) and ``encode_relu`` (units of
fixed sign lose their ``If``).  When sound firing-time bounds (:func:`linear_bounds`) show that
every neuron fires, the SNN is written neuron by neuron over its sources' time terms: neurons
that surely fire after all their inputs arrived as one affine term, neurons with a single varying
source as their exact PWL function (proved first by a one-variable query), the rest through
``encode`` of the one-neuron network.  Both sides are built as canonical terms of one
:class:`Algebra` (structural hashing: ReLU hinges of normalized linear forms, exact rewrites
only), so sub-functions that the two networks compute the same way become shared solver terms;
when the outputs' canonical terms coincide the query is trivially unsatisfiable.  unsat -> proved; sat -> a counterexample, replayed in both exact
evaluators (:func:`verisnn.semantics.simulate.simulate` and ``ReluNetwork.__call__``) before it is reported.

*compositional* (a coded SNN and a ReLU network whose SNN follows the naming of
:mod:`verisnn.analyses.emulate`: affine neuron ``a<l>_<i>`` and ReLU gadget ``g<l>_<i>`` for unit ``i`` of
layer ``l``).  The names and the bases (read off one exact simulation) are only hints for an
inductive invariant; nothing about the construction is trusted.  With interval bounds ``Y_l`` of
the ReLU network's hidden values on the box (exact interval arithmetic), every neuron gets one
solver lemma, stated with the ReLU network's own weights:

* affine neuron of unit ``i`` of layer ``l``: for every ``y`` in ``Y_{l-1}`` (the box for
  ``l = 1``), if each source fires at its invariant time (``base_j + y_j``; inputs at their code
  times; references at theirs), the neuron fires exactly at ``base - z_i(y)`` (for an output: at
  the time its output code gives the value ``z_i(y)``);
* gadget of unit ``i`` of layer ``l``: for every ``z`` in the interval of ``z_{l,i}``, if its
  sources fire at their invariant times, it fires exactly at ``base + max(0, z)``.

A neuron's firing time depends only on its sources' times, so by induction over the layers every
neuron fires at its invariant time for every ``x`` in the box, and the decoded outputs are the
ReLU outputs.  Each lemma is checked from the definition ``t_v = min {t : P_v(t) >= theta_v}``:
the solver must show that ``P_v(t*) >= theta_v`` and that no ``s < t*`` has ``P_v(s) >= theta_v``
(the query is ``exists y, s: s < t*(y) and P(s) >= theta, or P(t*(y)) < theta``, with ``P`` the
exact potential of the kernels as guarded sums; unsat proves the lemma).  For nondecreasing
kernels the query also says ``s >= e``, where ``e`` is the first threshold crossing of the
potential with every excitatory spike at its earliest and every inhibitory spike at its latest
arrival (exact interval arithmetic; ``P <= P_up`` pointwise, so no crossing happens before ``e``):
a sound restriction that lets the solver settle the guards of a 50-input neuron by bounds.  A lemma that fails
makes the compositional proof *unknown* (the intervals over-approximate the reachable values, so
a failed lemma is no counterexample); ``auto`` then falls back to the monolithic query.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import pairwise
from typing import Any

import z3

from verisnn.core.domain import Box
from verisnn.analyses.emulate import Emulation, affine_name, gadget_name, relu_intervals
from verisnn.smt.relu import encode_relu
from verisnn.smt.snn import encode, spike_times
from verisnn.smt.terms import exact, q, total
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.kernels import Kernel
from verisnn.core.model import Network, Neuron, ReluNetwork
from verisnn.core.numbers import INF, Time, fmt, is_finite
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.semantics.simulate import simulate
from verisnn.solvers import Query, SolverOptions, decide, optimize, solve

Side = Network | ReluNetwork
Progress = Callable[[int, int, str], None]
STRATEGIES = ("auto", "monolithic", "compositional")


# --- exact evaluation of either side ----------------------------------------------------------------


def input_times(net: Network, x: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """Spike times of ``net``'s inputs for the values ``x`` (through its input codes)."""
    codes = {c.node: c for c in net.codes.inputs} if net.codes is not None else {}
    return tuple(codes[n].encode(v) if n in codes else v for n, v in zip(net.inputs, x))


def evaluate(side: Side, x: Sequence[Fraction]) -> tuple[Time, ...]:
    """The exact output values of ``side`` at the values ``x`` (decoded SNN outputs, or ReLU outputs)."""
    if isinstance(side, ReluNetwork):
        return side(x)
    return simulate(side, input_times(side, x)).decoded_outputs()


def time_box(net: Network, box: Box) -> Box:
    """The box of input spike times that the value box maps to."""
    lo, hi = [], []
    codes = {c.node: c for c in net.codes.inputs} if net.codes is not None else {}
    for n, a, b in zip(net.inputs, box.lo, box.hi):
        c = codes.get(n)
        if c is None:
            lo.append(a)
            hi.append(b)
        elif c.code == "negative":
            lo.append(c.base - b)
            hi.append(c.base - a)
        else:
            lo.append(c.base + a)
            hi.append(c.base + b)
    return Box(tuple(lo), tuple(hi))


def _check_shapes(a: Side, b: Side, box: Box) -> None:
    for name, side in (("first", a), ("second", b)):
        if side.dimension != box.dimension:
            raise InvalidInput(f"domain has {box.dimension} intervals but the {name} network has "
                               f"{side.dimension} inputs")
    na = a.n_outputs if isinstance(a, ReluNetwork) else len(a.outputs)
    nb = b.n_outputs if isinstance(b, ReluNetwork) else len(b.outputs)
    if na != nb:
        raise InvalidInput(f"the networks have different numbers of outputs: {na} and {nb}")


def _counterexample(a: Side, b: Side, x: tuple[Fraction, ...], where: str) -> Counterexample:
    """Replay ``x`` in both exact evaluators; raise InternalError if they agree there."""
    ya, yb = evaluate(a, x), evaluate(b, x)
    if ya == yb:
        raise InternalError(f"{where}: solver model x={[fmt(v) for v in x]} does not separate the networks "
                            f"in the exact evaluators (both give {[fmt(v) for v in ya]})")
    k = next(i for i, (u, v) in enumerate(zip(ya, yb)) if u != v)
    relation = (f"output {k} differs at x=[{', '.join(fmt(v) for v in x)}]: first network gives {fmt(ya[k])}, "
                f"second gives {fmt(yb[k])}")
    return Counterexample((x,), (ya, yb), relation)


# --- monolithic -------------------------------------------------------------------------------------


class Lin:
    """An exact linear combination ``c + sum_k coef_k * atom_k`` of :class:`Algebra` atoms."""

    __slots__ = ("c", "t")

    def __init__(self, c: Fraction = Fraction(0), t: Mapping[int, Fraction] | None = None):
        self.c = Fraction(c)
        self.t = {k: v for k, v in (t or {}).items() if v != 0}

    def __add__(self, other: Lin) -> Lin:
        t = dict(self.t)
        for k, v in other.t.items():
            t[k] = t.get(k, Fraction(0)) + v
        return Lin(self.c + other.c, t)

    def __sub__(self, other: Lin) -> Lin:
        return self + other.scale(Fraction(-1))

    def scale(self, a: Fraction) -> Lin:
        return Lin(self.c * a, {k: v * a for k, v in self.t.items()})

    def shift(self, a: Fraction) -> Lin:
        return Lin(self.c + a, self.t)

    def key(self) -> tuple:
        return (self.c, tuple(sorted(self.t.items())))

    @property
    def is_zero(self) -> bool:
        return self.c == 0 and not self.t


class Algebra:
    """Canonical terms for both sides of one equivalence query (structural hashing).

    Atoms are the input values, ReLU hinges ``relu(n)`` of normalized linear forms ``n`` (leading
    coefficient 1, so ``relu(a n) = a relu(n)`` for ``a > 0`` and ``relu(e) = e + relu(-e)``), and
    opaque solver terms.  Equal sub-functions built the same way on both sides become the same
    atom, so the solver sees shared terms; every rewrite is an exact identity.  A hinge whose
    argument has a fixed sign on the box (interval bounds of the atoms) is replaced by its
    argument or 0.
    """

    def __init__(self) -> None:
        self.terms: list[z3.ArithRef] = []
        self.bounds: list[tuple[Fraction | None, Fraction | None]] = []
        self.hinges: dict[tuple, int] = {}
        self.constraints: list[z3.BoolRef] = []

    def var(self, term: z3.ArithRef, lo: Time | None = None, hi: Time | None = None) -> Lin:
        self.terms.append(term)
        self.bounds.append((lo if lo is not None and is_finite(lo) else None,  # type: ignore[arg-type]
                            hi if hi is not None and is_finite(hi) else None))  # type: ignore[arg-type]
        return Lin(Fraction(0), {len(self.terms) - 1: Fraction(1)})

    def range(self, e: Lin) -> tuple[Fraction | None, Fraction | None]:
        lo: Fraction | None = e.c
        hi: Fraction | None = e.c
        for k, a in e.t.items():
            blo, bhi = self.bounds[k]
            lo_k, hi_k = (blo, bhi) if a > 0 else (bhi, blo)
            lo = None if lo is None or lo_k is None else lo + a * lo_k
            hi = None if hi is None or hi_k is None else hi + a * hi_k
        return lo, hi

    def relu(self, e: Lin) -> Lin:
        lo, hi = self.range(e)
        if lo is not None and lo >= 0:
            return e
        if hi is not None and hi <= 0:
            return Lin()
        lead = e.t[min(e.t)]
        if lead < 0:
            return e + self.relu(e.scale(Fraction(-1)))
        n = e.scale(1 / lead)
        key = n.key()
        if key not in self.hinges:
            arg = self.term(n)
            h = z3.Real(f"relu[{len(self.hinges)}]")
            self.constraints.append(h == z3.If(arg > 0, arg, q(0)))
            nlo, nhi = self.range(n)
            self.hinges[key] = len(self.terms)
            self.terms.append(h)
            self.bounds.append((Fraction(0) if nlo is None else max(nlo, Fraction(0)),
                                None if nhi is None else max(nhi, Fraction(0))))
        return Lin(Fraction(0), {self.hinges[key]: lead})

    def term(self, e: Lin) -> z3.ArithRef:
        parts = [self.terms[k] if a == 1 else q(a) * self.terms[k] for k, a in sorted(e.t.items())]
        if e.c != 0 or not parts:
            parts.append(q(e.c))
        return total(parts)


@dataclass
class _Encoded:
    values: tuple[z3.ArithRef, ...]  # decoded outputs
    fires: tuple[z3.BoolRef, ...]
    silent_sign: tuple[int, ...]  # value of a silent output: -1 (-inf) or +1 (+inf)
    constraints: list[z3.BoolRef]
    replay: Callable[[Any], None]
    lins: tuple[Lin, ...] | None = None  # decoded outputs as canonical terms, when every output fires


def _encode_side(side: Side, alg: Algebra, xs: Sequence[Lin], tag: str, box: Box,
                 options: SolverOptions) -> _Encoded:
    if isinstance(side, ReluNetwork):
        cur = list(xs)
        last = len(side.layers) - 1
        for li, layer in enumerate(side.layers):
            nxt = []
            for row, b in zip(layer.weights, layer.bias):
                z = Lin(b)
                for w, a in zip(row, cur):
                    if w != 0:
                        z = z + a.scale(w)
                nxt.append(z if li == last else alg.relu(z))
            cur = nxt
        n = side.n_outputs
        return _Encoded(tuple(alg.term(v) for v in cur), (z3.BoolVal(True),) * n, (0,) * n, [], lambda m: None,
                        tuple(cur))
    tb = time_box(side, box)
    codes = {c.node: c for c in side.codes.outputs} if side.codes is not None else {}
    signs = tuple(-1 if o in codes and codes[o].code == "negative" else 1 for o in side.outputs)
    bounds = linear_bounds(side, tb)
    if all(bounds[v].must_fire and is_finite(bounds[v].hi) for v in side.order):
        return _encode_neuronwise(side, alg, xs, tag, bounds, signs, options)
    senc = encode(side, tag, tb, spike_times(side, [alg.term(x) for x in xs]))
    facts = bound_facts(side, tb, senc.time, senc.fires)

    def replay(model: Any) -> None:
        senc.replay(model)

    return _Encoded(senc.decoded, senc.output_fires, signs, list(senc.constraints) + facts, replay)


def _encode_neuronwise(net: Network, alg: Algebra, xs: Sequence[Lin], tag: str, bounds: Mapping[str, TimeBounds],
                       signs: tuple[int, ...], options: SolverOptions) -> _Encoded:
    """A network whose neurons all surely fire, written neuron by neuron over its sources' times.

    A *settled* neuron (see :func:`bound_facts`) gets its firing time as the affine combination
    ``(theta + sum_k w_k a_k) / W``; a neuron with one non-reference source gets its exact PWL
    firing-time function of that source (:func:`single_source_summary`, proved by a one-variable
    solver query first), as hinges ``relu(u - b_k)`` when it is continuous; any other neuron is
    encoded by :func:`verisnn.smt.snn.encode` as a one-neuron network whose inputs are its sources'
    time terms, with their bounds as its box.  All three describe the exact firing time because
    every source surely fires within its bounds.  Times are :class:`Lin` terms of ``alg``.
    """
    in_codes = {c.node: c for c in net.codes.inputs} if net.codes is not None else {}
    time: dict[str, Lin] = {}
    for name, x in zip(net.inputs, xs):
        c = in_codes.get(name)
        time[name] = x if c is None else x.scale(Fraction(-1)).shift(c.base) if c.code == "negative" \
            else x.shift(c.base)
    for r in net.references:
        time[r.name] = Lin(r.time)
    refs = {r.name: r for r in net.references}
    cons: list[z3.BoolRef] = []
    for v in net.order:
        syn = [s for s in net.incoming[v] if s.weight != 0]
        bv = bounds[v]
        total = sum((s.weight for s in syn), Fraction(0))
        if total > 0 and all(net.kernel_of(s).is_linear and bounds[s.source].hi + s.delay <= bv.lo  # type: ignore[operator]
                             for s in syn):
            acc = Lin(net.thresholds[v])
            for syn_k in syn:
                acc = acc + time[syn_k.source].shift(syn_k.delay).scale(syn_k.weight)
            time[v] = acc.scale(1 / total)
            continue
        sources = list(dict.fromkeys(s.source for s in syn if s.source not in refs))
        if len(sources) == 1:
            src = bounds[sources[0]]
            summary = single_source_summary(net, v, src.lo, src.hi, options)  # type: ignore[arg-type]
            if summary is not None:
                time[v] = _pwl_lin(alg, summary[1], time[sources[0]], bv)
                continue
        sub = Network(tuple(sources), (Neuron(v, net.thresholds[v]),), tuple(syn), (v,),
                      tuple(refs[n] for n in dict.fromkeys(s.source for s in syn if s.source in refs)), net.kernel)
        sub_box = Box(tuple(bounds[u].lo for u in sources), tuple(bounds[u].hi for u in sources))  # type: ignore[misc]
        enc = encode(sub, f"{tag}.{v}", sub_box, [alg.term(time[u]) for u in sources])
        cons.extend(enc.constraints)
        cons.append(enc.fires[v])  # bounds: v surely fires
        time[v] = alg.var(enc.time[v], bv.lo, bv.hi)
    decoded: list[Lin] = []
    codes = {c.node: c for c in net.codes.outputs} if net.codes is not None else {}
    for o in net.outputs:
        c = codes.get(o)
        t = time[o]
        decoded.append(t if c is None else t.scale(Fraction(-1)).shift(c.base) if c.code == "negative"
                       else t.shift(-c.base))
    n = len(net.outputs)
    return _Encoded(tuple(alg.term(d) for d in decoded), (z3.BoolVal(True),) * n, signs, cons, lambda m: None,
                    tuple(decoded))


def _pwl_lin(alg: Algebra, pieces: Sequence[tuple[Fraction, Fraction, Fraction]], u: Lin, bv: TimeBounds) -> Lin:
    """A proved PWL summary of ``u`` as a Lin: hinges if continuous, else an opaque If-chain term."""
    continuous = all(p[1] * n[0] + p[2] == n[1] * n[0] + n[2] for p, n in pairwise(pieces))
    if not continuous:
        return alg.var(pwl_term(pieces, alg.term(u)), bv.lo, bv.hi)
    out = u.scale(pieces[0][1]).shift(pieces[0][2])
    for prev, cur in pairwise(pieces):
        if cur[1] != prev[1]:
            out = out + alg.relu(u.shift(-cur[0])).scale(cur[1] - prev[1])
    return out


@dataclass(frozen=True)
class TimeBounds:
    """Sound bounds on one node's firing time over a box (``hi = INF``: no finite bound known)."""

    lo: Time
    hi: Time
    may_fire: bool
    must_fire: bool


def linear_bounds(net: Network, box: Box) -> dict[str, TimeBounds]:
    """Sound firing-time bounds for networks of linear-kernel synapses with any signs.

    With every source ``k`` arriving in ``[lo_k, hi_k]``, the potential of ``v`` lies between
    ``P_low(t) = sum_{w>0, must fire} w (t - hi_k)^+ + sum_{w<0, may fire} w (t - lo_k)^+`` and
    ``P_up(t) = sum_{w>0, may fire} w (t - lo_k)^+ + sum_{w<0, must fire} w (t - hi_k)^+``, so ``t_v``
    is at least the first crossing of ``P_up`` (no crossing: ``v`` is silent) and at most the first
    crossing of ``P_low`` (a crossing: ``v`` surely fires).  Neurons with a non-linear kernel get
    ``[min arrival, INF]``, may be silent.  ``box`` is a box of input spike times.
    """
    from verisnn.core.kernels import linear
    from verisnn.semantics.simulate import first_firing

    out: dict[str, TimeBounds] = {}
    for name, lo, hi in zip(net.inputs, box.lo, box.hi):
        out[name] = TimeBounds(lo, hi, True, True)
    for name, t in net.reference_times.items():
        out[name] = TimeBounds(t, t, True, True)
    lin = linear()
    for v in net.order:
        syn = [(s, out[s.source]) for s in net.incoming[v] if out[s.source].may_fire and s.weight != 0]
        if not syn:
            out[v] = TimeBounds(INF, INF, False, False)
            continue
        earliest = min(b.lo + s.delay for s, b in syn)  # type: ignore[operator]
        if not all(net.kernel_of(s).is_linear for s, _ in syn):
            out[v] = TimeBounds(earliest, INF, True, False)
            continue
        up = [(b.lo + s.delay, s.weight, lin) for s, b in syn if s.weight > 0]
        up += [(b.hi + s.delay, s.weight, lin) for s, b in syn if s.weight < 0 and b.must_fire and is_finite(b.hi)]
        first = first_firing(up, net.thresholds[v])  # type: ignore[arg-type]
        if first is None:
            out[v] = TimeBounds(INF, INF, False, False)
            continue
        down = [(b.hi + s.delay, s.weight, lin) for s, b in syn if s.weight > 0 and b.must_fire and is_finite(b.hi)]
        down += [(b.lo + s.delay, s.weight, lin) for s, b in syn if s.weight < 0]
        last = first_firing(down, net.thresholds[v])  # type: ignore[arg-type]
        out[v] = TimeBounds(first.time, INF if last is None else last.time, True, last is not None)
    return out


def bound_facts(net: Network, box: Box, time: Mapping[str, z3.ArithRef],
                fires: Mapping[str, z3.BoolRef]) -> list[z3.BoolRef]:
    """Facts implied by :func:`linear_bounds` that let the solver skip case splits (sound, redundant).

    Besides the bounds themselves: a linear-kernel neuron whose sources all surely fire and surely
    arrive no later than its earliest possible firing time, with total weight ``W > 0``, fires at
    ``(theta + sum_k w_k a_k) / W`` (its potential is ``W t - sum w_k a_k`` from then on).
    """
    b = linear_bounds(net, box)
    facts: list[z3.BoolRef] = []
    for v in net.order:
        bv = b[v]
        if not bv.may_fire:
            facts.append(z3.Not(fires[v]))
            continue
        if bv.must_fire:
            facts.append(fires[v])
        window = [time[v] >= q(bv.lo)]  # type: ignore[arg-type]
        if is_finite(bv.hi):
            window.append(time[v] <= q(bv.hi))  # type: ignore[arg-type]
        facts.append(z3.Implies(fires[v], z3.And(*window)))
        syn = [s for s in net.incoming[v] if s.weight != 0]
        weight = sum((s.weight for s in syn), Fraction(0))
        settled = weight > 0 and all(
            b[s.source].must_fire and is_finite(b[s.source].hi) and net.kernel_of(s).is_linear
            and b[s.source].hi + s.delay <= bv.lo for s in syn)  # type: ignore[operator]
        if settled:
            arrivals = total([q(s.weight) * (time[s.source] + q(s.delay)) for s in syn])
            facts.append(time[v] == (q(net.thresholds[v]) + arrivals) / q(weight))
    return facts


def monolithic_query(a: Side, b: Side, box: Box, options: SolverOptions | None = None) -> tuple[list[z3.BoolRef], tuple[z3.ArithRef, ...], list[_Encoded]]:
    """The constraints that are satisfiable iff ``a`` and ``b`` differ somewhere on ``box``."""
    xs = tuple(z3.Real(f"x[{j}]") for j in range(box.dimension))
    options = options or SolverOptions()
    alg = Algebra()
    lins = [alg.var(x, lo, hi) for x, lo, hi in zip(xs, box.lo, box.hi)]
    ea = _encode_side(a, alg, lins, "A", box, options)
    eb = _encode_side(b, alg, lins, "B", box, options)
    cons = [z3.And(q(lo) <= x, x <= q(hi)) for x, lo, hi in zip(xs, box.lo, box.hi)]
    cons += alg.constraints + ea.constraints + eb.constraints
    differ = []
    if ea.lins is not None and eb.lins is not None:
        for la, lb in zip(ea.lins, eb.lins):
            diff = la - lb
            if not diff.is_zero:  # identical canonical terms: equal outputs, nothing to ask
                differ.append(alg.term(diff) != q(0))
    else:
        for va, fa, sa, vb, fb, sb in zip(ea.values, ea.fires, ea.silent_sign, eb.values, eb.fires, eb.silent_sign):
            differ.append(z3.And(fa, fb, va != vb))
            differ.append(z3.Xor(fa, fb) if not (z3.is_true(fa) and z3.is_true(fb)) else z3.BoolVal(False))
            if sa != sb and sa and sb:
                differ.append(z3.And(z3.Not(fa), z3.Not(fb)))
    cons.append(z3.Or(*differ) if differ else z3.BoolVal(False))
    return cons, xs, [ea, eb]


def check_monolithic(a: Side, b: Side, box: Box, options: SolverOptions | None = None) -> Result:
    """One solver query over both encodings (see the module docstring)."""
    _check_shapes(a, b, box)
    start = _time.perf_counter()
    cons, xs, encs = monolithic_query(a, b, box, options)

    def cex(model: Any) -> Counterexample:
        for e in encs:
            e.replay(model)  # the SNN encodings' times must be the simulator's
        x = tuple(exact(model, v) for v in xs)
        return _counterexample(a, b, x, "monolithic equivalence query")  # type: ignore[arg-type]

    query = Query("equiv", cons, cex, proved="the networks agree on the whole box",
                  details={"strategy": "monolithic"})
    result = solve(query, options)
    return _retime(result, start, {"strategy": "monolithic"})


def _retime(result: Result, start: float, extra: Mapping[str, Any]) -> Result:
    details = dict(result.details)
    details.update(extra)
    return Result(result.subject, result.verdict, _time.perf_counter() - start, result.counterexample,  # timing
                  result.reason, result.size, result.mode, details)


# --- compositional ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lemma:
    """One neuron's lemma: for all values of ``variables`` in ``ranges``, ``neuron`` fires at ``target``."""

    neuron: str
    label: str
    ranges: tuple[tuple[Fraction, Fraction], ...]
    # arrival time of each incoming synapse as (coefficients over the variables, constant)
    arrivals: tuple[tuple[tuple[Fraction, ...], Fraction], ...]
    weights: tuple[Fraction, ...]
    kernels: tuple[Kernel, ...]
    theta: Fraction
    target: tuple[tuple[Fraction, ...], Fraction] | None  # affine target, or None for a ReLU gadget target
    relu_target: tuple[tuple[Fraction, ...], Fraction, Fraction] | None = None  # (coef, const, base): base+max(0,.)
    # one variable: pieces (from, slope, intercept), each valid from ``from`` to the next piece's
    pwl_target: tuple[tuple[Fraction, Fraction, Fraction], ...] | None = None


class NotCompositional(Exception):
    """The pair does not have the structure the compositional strategy needs (a reason, not an error)."""


def _affine_term(coef: Sequence[Fraction], const: Fraction, ys: Sequence[z3.ArithRef]) -> z3.ArithRef:
    parts = [y if c == 1 else q(c) * y for c, y in zip(coef, ys) if c]
    if const != 0 or not parts:
        parts.append(q(const))
    return total(parts)


def _kernel_term(kernel: Kernel, s: z3.ArithRef) -> z3.ArithRef:
    """``eps(s)`` as a guarded sum over the kernel's events (exact, right-continuous)."""
    zero = q(0)
    if kernel.is_linear:
        return z3.If(s >= zero, s, zero)
    terms = []
    for e in kernel.events():
        if e.jump == 0 and e.slope_change == 0:
            continue
        body = q(e.jump) + q(e.slope_change) * (s - q(e.offset))
        terms.append(z3.If(s >= q(e.offset), body, q(0)))
    return total(terms)


def earliest_crossing(lemma: Lemma) -> Fraction | None | bool:
    """A time before which the lemma's neuron cannot reach its threshold, for any source values.

    For nondecreasing kernels ``P(s) <= P_up(s)``, the potential with every excitatory spike at
    its earliest and every inhibitory one at its latest arrival (exact interval arithmetic), so
    ``P(s) < theta`` before ``P_up``'s first crossing.  Returns that crossing, ``False`` if
    ``P_up`` never reaches ``theta`` (the neuron never fires), or ``None`` if a kernel is not
    nondecreasing (no such time is claimed).
    """
    from verisnn.semantics.simulate import first_firing

    if not all(k.is_nondecreasing for k in lemma.kernels):
        return None
    up = []
    for w, kern, (coef, const) in zip(lemma.weights, lemma.kernels, lemma.arrivals):
        lo = hi = const
        for c, r in zip(coef, lemma.ranges):
            if c:
                lo += c * (r[0] if c > 0 else r[1])
                hi += c * (r[1] if c > 0 else r[0])
        if w > 0:
            up.append((lo, w, kern))
        elif w < 0:
            up.append((hi, w, kern))
    first = first_firing(up, lemma.theta)
    return False if first is None else first.time


def lemma_constraints(lemma: Lemma) -> tuple[list[z3.BoolRef], list[z3.ArithRef]]:
    """Constraints satisfiable iff the lemma fails (see the module docstring)."""
    ys = [z3.Real(f"y[{k}]@{lemma.neuron}") for k in range(len(lemma.ranges))]
    cons: list[z3.BoolRef] = [z3.And(q(lo) <= y, y <= q(hi)) for y, (lo, hi) in zip(ys, lemma.ranges)]
    if lemma.target is not None:
        t_star = _affine_term(lemma.target[0], lemma.target[1], ys)
    elif lemma.pwl_target is not None:
        t_star = pwl_term(lemma.pwl_target, ys[0])
    else:
        assert lemma.relu_target is not None
        coef, const, base = lemma.relu_target
        z = _affine_term(coef, const, ys)
        t_star = q(base) + z3.If(z > 0, z, q(0))
    s = z3.Real(f"s@{lemma.neuron}")
    arrivals = [_affine_term(c, k, ys) for c, k in lemma.arrivals]

    def potential(at: z3.ArithRef) -> z3.ArithRef:
        terms = [q(w) * _kernel_term(kern, at - a) for w, kern, a in zip(lemma.weights, lemma.kernels, arrivals)
                 if w != 0]
        return total(terms)

    theta = q(lemma.theta)
    earliest = earliest_crossing(lemma)
    if earliest is False:
        early = z3.BoolVal(False)
    else:
        early = z3.And(s < t_star, potential(s) >= theta, *([s >= q(earliest)] if earliest is not None else []))
    late = potential(t_star) < theta
    cons.append(z3.Or(early, late))
    return cons, ys


def pwl_term(pieces: Sequence[tuple[Fraction, Fraction, Fraction]], u: z3.ArithRef) -> z3.ArithRef:
    """``slope * u + intercept`` of the last piece whose start is ``<= u``, as an If-chain."""
    term = q(pieces[-1][1]) * u + q(pieces[-1][2])
    for (_, slope, icpt), (start, _, _) in zip(reversed(pieces[:-1]), reversed(pieces[1:])):
        term = z3.If(u < q(start), q(slope) * u + q(icpt), term)
    return term


def _local_formula(net: Network, v: str, source: str, u: Fraction) -> tuple[Fraction, Fraction] | None:
    """Slope and intercept (in ``u = t_source``) of ``t_v`` on ``v``'s causal pattern at ``u`` (linear kernels)."""
    refs = net.reference_times
    times = {source: u, **refs}
    arrivals = [(times[s.source] + s.delay, s.weight, net.kernel_of(s)) for s in net.incoming[v]]
    from verisnn.semantics.simulate import first_firing

    firing = first_firing(arrivals, net.thresholds[v])
    if firing is None or firing.jump:
        return None
    causal = [s for s, (a, _, _) in zip(net.incoming[v], arrivals) if a < firing.time]
    total = sum((s.weight for s in causal), Fraction(0))
    if total <= 0:
        return None
    slope = sum((s.weight for s in causal if s.source == source), Fraction(0)) / total
    icpt = (net.thresholds[v] + sum((s.weight * (refs[s.source] + s.delay if s.source in refs else s.delay)
                                     for s in causal), Fraction(0))) / total
    return slope, icpt


def _fire_at(net: Network, v: str, source: str, u: Fraction) -> Time:
    from verisnn.semantics.simulate import first_firing

    times = {source: u, **net.reference_times}
    f = first_firing([(times[s.source] + s.delay, s.weight, net.kernel_of(s)) for s in net.incoming[v]],
                     net.thresholds[v])
    return INF if f is None else f.time


def single_source_summary(net: Network, v: str, lo: Fraction, hi: Fraction,
                          options: SolverOptions) -> tuple[str, tuple[tuple[Fraction, Fraction, Fraction], ...]] | None:
    """``(source, pieces)``: ``t_v`` as an exact PWL function of its only non-reference source's time on ``[lo, hi]``.

    For a linear-kernel neuron whose sources are one node ``u`` (any number of synapses) and
    references: candidate pieces come from exact simulations (splitting at arrival coincidences
    and at intersections of the local affine formulas); the candidate is then *proved* with the
    same first-threshold query as a compositional lemma.  None if no candidate is found or the
    proof fails (the caller then encodes the neuron in full).
    """
    refs = net.reference_times
    syn = net.incoming[v]
    sources = {s.source for s in syn if s.source not in refs}
    if len(sources) != 1 or not all(net.kernel_of(s).is_linear for s in syn):
        return None
    (u,) = sources
    cuts = {lo, hi}
    for s in syn:
        if s.source == u:
            for r in syn:
                if r.source in refs:
                    c = refs[r.source] + r.delay - s.delay
                    if lo < c < hi:
                        cuts.add(c)
    points = sorted(cuts)
    pieces: list[tuple[Fraction, Fraction, Fraction]] = []

    def fit(a: Fraction, b: Fraction, depth: int) -> bool:
        m = (a + b) / 2
        f = _local_formula(net, v, u, m)
        if f is None:
            return False
        ok_a = f[0] * a + f[1] == _fire_at(net, v, u, a)
        ok_b = f[0] * b + f[1] == _fire_at(net, v, u, b)
        if ok_a and ok_b:
            pieces.append((a, f[0], f[1]))
            return True
        if depth == 0:
            return False
        split = m
        other = _local_formula(net, v, u, a if not ok_a else b)
        if other is not None and other[0] != f[0]:
            x = (other[1] - f[1]) / (f[0] - other[0])
            if a < x < b:
                split = x
        return fit(a, split, depth - 1) and fit(split, b, depth - 1)

    for a, b in pairwise(points):
        if a == b or not fit(a, b, 6):
            return None
    if lo == hi:
        f = _local_formula(net, v, u, lo)
        if f is None:
            return None
        pieces.append((lo, f[0], f[1]))
    merged: list[tuple[Fraction, Fraction, Fraction]] = []
    for p in pieces:
        if merged and merged[-1][1:] == p[1:]:
            continue
        merged.append(p)
    lemma = _lemma(net, v, f"summary of {v}", [(lo, hi)], {u: (0, Fraction(0), 1)}, None, None)
    lemma = replace(lemma, pwl_target=tuple(merged))
    status, _ = check_lemma(lemma, options)
    return (u, tuple(merged)) if status == "unsat" else None


def check_lemma(lemma: Lemma, options: SolverOptions) -> tuple[str, str]:
    """("unsat" | "sat" | "unknown", reason) for one lemma (unsat = the lemma holds)."""
    cons, ys = lemma_constraints(lemma)
    ans = decide(cons, options)
    if ans.status == "sat":
        vals = ", ".join(fmt(exact(ans.model, y)) for y in ys)  # type: ignore[arg-type]
        return "sat", f"lemma {lemma.label} fails at source values [{vals}]"
    return ans.status, ans.reason


def compositional_lemmas(snn: Network, relu: ReluNetwork, box: Box) -> list[Lemma]:
    """The lemmas of the compositional proof (raises NotCompositional if the structure is missing)."""
    if snn.codes is None:
        raise NotCompositional("the spiking network has no codes")
    if len(snn.outputs) != relu.n_outputs or snn.dimension != relu.dimension:
        raise NotCompositional("the networks have different shapes")
    intervals = relu_intervals(relu, box)
    L = len(relu.layers)
    x_mid = box.center()
    sim = simulate(snn, input_times(snn, x_mid))
    # ReLU values at the centre, to read the invariant bases off the simulation
    pre_mid: list[list[Fraction]] = []
    v = list(x_mid)
    for li, layer in enumerate(relu.layers):
        z = [sum((w * a for w, a in zip(row, v)), b) for row, b in zip(layer.weights, layer.bias)]
        pre_mid.append(z)
        v = [max(t, Fraction(0)) for t in z] if li < L - 1 else z
    neurons = set(snn.incoming)
    in_codes = {c.node: c for c in snn.codes.inputs}
    out_codes = {c.node: c for c in snn.codes.outputs}
    # known[node] = (variable index in the current layer's variables, base, sign): time = base + sign * value
    known: dict[str, tuple[int, Fraction, int]] = {}
    for j, name in enumerate(snn.inputs):
        c = in_codes.get(name)
        if c is None:
            known[name] = (j, Fraction(0), 1)
        else:
            known[name] = (j, c.base, -1 if c.code == "negative" else 1)
    ranges = list(zip(box.lo, box.hi))
    lemmas: list[Lemma] = []
    for li, layer in enumerate(relu.layers, start=1):
        nxt: dict[str, tuple[int, Fraction, int]] = {}
        last = li == L
        for i, (row, b) in enumerate(zip(layer.weights, layer.bias)):
            name = snn.outputs[i] if last else affine_name(li, i)
            if name not in neurons:
                raise NotCompositional(f"no neuron '{name}' for unit {i} of layer {li}")
            if last:
                c = out_codes.get(name)
                base, sign = (Fraction(0), 1) if c is None else (c.base, -1 if c.code == "negative" else 1)
            else:
                t = sim.times[name]
                if not is_finite(t):
                    raise NotCompositional(f"neuron '{name}' is silent at the box centre")
                base, sign = t + pre_mid[li - 1][i], -1  # type: ignore[operator]
            target = (tuple(sign * a for a in row), base + sign * b)
            lemmas.append(_lemma(snn, name, f"{name} = {'output' if last else 'affine'} unit {i} of layer {li}",
                                 ranges, known, target, None))
            if not last:
                g = gadget_name(li, i)
                if g not in neurons:
                    raise NotCompositional(f"no gadget neuron '{g}' for unit {i} of layer {li}")
                tg = sim.times[g]
                if not is_finite(tg):
                    raise NotCompositional(f"gadget '{g}' is silent at the box centre")
                gbase = tg - max(pre_mid[li - 1][i], Fraction(0))  # type: ignore[operator]
                zlo, zhi = intervals[li - 1][i]
                lemmas.append(_lemma(snn, g, f"{g} = relu of unit {i} of layer {li}", [(zlo, zhi)],
                                     {name: (0, base, -1)}, None, ((Fraction(1),), Fraction(0), gbase)))
                nxt[g] = (i, gbase, 1)
        if not last:
            known = nxt
            ranges = [(max(lo, Fraction(0)), max(hi, Fraction(0))) for lo, hi in intervals[li - 1]]
    return lemmas


def _lemma(snn: Network, v: str, label: str, ranges: Sequence[tuple[Fraction, Fraction]],
           known: Mapping[str, tuple[int, Fraction, int]],
           target: tuple[tuple[Fraction, ...], Fraction] | None,
           relu_target: tuple[tuple[Fraction, ...], Fraction, Fraction] | None) -> Lemma:
    n = len(ranges)
    arrivals, weights, kernels = [], [], []
    refs = snn.reference_times
    for s in snn.incoming[v]:
        if s.source in refs:
            arrivals.append(((Fraction(0),) * n, refs[s.source] + s.delay))
        elif s.source in known:
            j, base, sign = known[s.source]
            coef = [Fraction(0)] * n
            coef[j] = Fraction(sign)
            arrivals.append((tuple(coef), base + s.delay))
        else:
            raise NotCompositional(f"neuron '{v}' has a source '{s.source}' outside the previous layer")
        weights.append(s.weight)
        kernels.append(snn.kernel_of(s))
    return Lemma(v, label, tuple(ranges), tuple(arrivals), tuple(weights), tuple(kernels), snn.thresholds[v],
                 target, relu_target)


def check_compositional(snn: Network, relu: ReluNetwork, box: Box, options: SolverOptions | None = None,
                        progress: Progress | None = None) -> Result:
    """Prove ``snn == relu`` on ``box`` lemma by lemma (see the module docstring); never refutes."""
    _check_shapes(snn, relu, box)
    options = options or SolverOptions()
    start = _time.perf_counter()
    try:
        lemmas = compositional_lemmas(snn, relu, box)
    except NotCompositional as exc:
        return Result("equiv", Verdict.UNKNOWN, _time.perf_counter() - start,  # timing
                      reason=f"compositional strategy not applicable: {exc}", details={"strategy": "compositional"})
    for k, lemma in enumerate(lemmas):
        if progress is not None:
            progress(k, len(lemmas), lemma.label)
        status, reason = check_lemma(lemma, options)
        if status != "unsat":
            why = reason if status == "sat" else f"lemma {lemma.label}: {reason}"
            return Result("equiv", Verdict.UNKNOWN, _time.perf_counter() - start, reason=why,  # timing
                          details={"strategy": "compositional", "lemmas_proved": k, "lemmas": len(lemmas)})
    if progress is not None:
        progress(len(lemmas), len(lemmas), "done")
    return Result("equiv", Verdict.PROVED, _time.perf_counter() - start,  # timing
                  reason=f"{len(lemmas)} neuron lemmas proved ({options.solver}), composed over "
                         f"{len(relu.layers)} layers",
                  details={"strategy": "compositional", "lemmas": len(lemmas)})


# --- the public entry point -------------------------------------------------------------------------


def check_equivalence(a: Side, b: Side, box: Box, strategy: str = "auto", options: SolverOptions | None = None,
                      progress: Progress | None = None) -> Result:
    """Exact equivalence of ``a`` and ``b`` on ``box``: proved, refuted (replayed counterexample) or unknown.

    ``auto``: compositional when one side is a coded SNN with the emulation's structure and the
    other a ReLU network, falling back to monolithic when that is not proved; else monolithic.
    """
    if strategy not in STRATEGIES:
        raise InvalidInput(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    _check_shapes(a, b, box)
    pair = _snn_relu(a, b)
    if strategy == "compositional":
        if pair is None:
            raise InvalidInput("the compositional strategy needs one coded spiking network and one ReLU network")
        return check_compositional(pair[0], pair[1], box, options, progress)
    if strategy == "auto" and pair is not None:
        result = check_compositional(pair[0], pair[1], box, options, progress)
        if result.verdict is Verdict.PROVED:
            return result
        first = result.reason
        result = check_monolithic(a, b, box, options)
        details = dict(result.details)
        details["compositional"] = first
        return Result(result.subject, result.verdict, result.seconds, result.counterexample, result.reason,
                      result.size, result.mode, details)
    return check_monolithic(a, b, box, options)


def _snn_relu(a: Side, b: Side) -> tuple[Network, ReluNetwork] | None:
    if isinstance(a, Network) and isinstance(b, ReluNetwork):
        return a, b
    if isinstance(b, Network) and isinstance(a, ReluNetwork):
        return b, a
    return None


# --- finite kernels: the largest causal gap --------------------------------------------------------


def max_causal_gap(em: Emulation, timeout: float = 30.0) -> Fraction | None:
    """The exact sup over the box of the longest causal gap ``t_v - t_u`` in ``em`` (None if z3 gives up).

    Firing times are written through the ReLU network's exact encoding (``t`` of an affine neuron
    is ``C_l - z``, of a gadget ``C_l + relu(z)``), which is what the emulation realizes on the box
    (checked separately by :func:`check_equivalence`).
    """
    relu, box, net = em.relu, em.box, em.network
    xs = [z3.Real(f"x[{j}]") for j in range(relu.dimension)]
    enc = encode_relu(relu, xs, "gap", box)
    L = len(relu.layers)
    pre: list[list[z3.ArithRef]] = []
    cur: list[z3.ArithRef] = list(xs)
    for li, layer in enumerate(relu.layers):
        pre.append([_affine_term(row, b, cur) for row, b in zip(layer.weights, layer.bias)])
        cur = enc.units[li]
    times: dict[str, z3.ArithRef] = {f"x{j}": x for j, x in enumerate(xs)}
    for r in net.references:
        times[r.name] = q(r.time)
    for li in range(1, L + 1):
        for i in range(len(relu.layers[li - 1].weights)):
            times[affine_name(li, i)] = q(em.bases[li - 1]) - pre[li - 1][i]
            if li < L:
                times[gadget_name(li, i)] = q(em.bases[li - 1]) + enc.units[li - 1][i]
    best = Fraction(0)
    for s in net.synapses:
        gap = times[s.target] - times[s.source] - q(s.delay)
        sup = optimize(enc.constraints + [gap > 0], gap, True, SolverOptions(timeout=timeout))
        if sup.status in ("unknown", "unbounded"):
            return None
        if sup.status == "optimal":
            best = max(best, sup.value)  # the supremum, attained or not
    return best


__all__ = [
    "INF",
    "STRATEGIES",
    "Lemma",
    "check_compositional",
    "check_equivalence",
    "check_monolithic",
    "compositional_lemmas",
    "evaluate",
    "max_causal_gap",
]
