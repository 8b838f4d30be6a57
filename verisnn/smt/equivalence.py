"""Both sides of a monolithic equivalence query as solver terms over shared input values.

A ReLU network is written as canonical terms (:func:`verisnn.smt.canonical.relu_lins`).  A spiking
network whose neurons all surely fire (sound firing-time bounds,
:func:`verisnn.semantics.bounds.firing_bounds`, on the box of its input spike times) is written
neuron by neuron over its sources' time terms: a *settled* neuron (linear kernels, positive total
weight ``W``, every source surely arriving before the neuron's earliest firing time) as the affine
term ``(theta + sum_k w_k a_k) / W``; a neuron with one non-reference source by its exact PWL
summary when the caller's ``summarize`` proves one; any other neuron through
:func:`verisnn.smt.snn.encode` of the one-neuron network on its sources' time terms.  Otherwise the
whole network goes through ``encode`` with :func:`bound_facts`.  :func:`monolithic_query` is
satisfiable iff the two sides give different outputs somewhere on the box.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from verisnn.core.domain import Box
from verisnn.core.model import Network, Neuron, ReluNetwork
from verisnn.core.numbers import is_finite
from verisnn.semantics.bounds import Interval, firing_bounds
from verisnn.smt.canonical import Algebra, Lin, pwl_lin, relu_lins
from verisnn.smt.lemmas import Pieces
from verisnn.smt.snn import encode, spike_times
from verisnn.smt.terms import Term, q, total

# (network, neuron, lo, hi of its only non-reference source) -> proved pieces of its firing time, or None
Summarize = Callable[[Network, str, Fraction, Fraction], Pieces | None]


@dataclass
class SideTerms:
    """One side of the query: decoded outputs, whether each fires, and the constraints that define them."""

    values: tuple[Term, ...]  # decoded outputs
    fires: tuple[z3.BoolRef, ...]
    silent_sign: tuple[int, ...]  # value of a silent output: -1 (-inf) or +1 (+inf)
    constraints: list[z3.BoolRef]
    replay: Callable[[Any], None]  # raises InternalError if the model's times are not the simulator's
    lins: tuple[Lin, ...] | None = None  # decoded outputs as canonical terms, when every output fires


def _settled(net: Network, v: str, bounds: Mapping[str, Interval]) -> bool:
    syn = [s for s in net.incoming[v] if s.weight != 0]
    return sum((s.weight for s in syn), Fraction(0)) > 0 and all(
        bounds[s.source].settled and net.kernel_of(s).is_linear and bounds[s.source].hi + s.delay <= bounds[v].lo
        for s in syn)  # type: ignore[operator]


def bound_facts(net: Network, bounds: Mapping[str, Interval], time: Mapping[str, Term],
                fires: Mapping[str, z3.BoolRef]) -> list[z3.BoolRef]:
    """Facts implied by the firing-time ``bounds`` that let the solver skip case splits (sound, redundant).

    Besides the bounds themselves: a settled neuron (see the module docstring) fires at
    ``(theta + sum_k w_k a_k) / W`` (its potential is ``W t - sum w_k a_k`` from then on).
    """
    facts: list[z3.BoolRef] = []
    for v in net.order:
        bv = bounds[v]
        if not bv.may_fire:
            facts.append(z3.Not(fires[v]))
            continue
        if bv.must_fire:
            facts.append(fires[v])
        window = [time[v] >= q(bv.lo)]  # type: ignore[arg-type]
        if is_finite(bv.hi):
            window.append(time[v] <= q(bv.hi))  # type: ignore[arg-type]
        facts.append(z3.Implies(fires[v], z3.And(*window)))
        if _settled(net, v, bounds):
            syn = [s for s in net.incoming[v] if s.weight != 0]
            weight = sum((s.weight for s in syn), Fraction(0))
            arrivals = total([q(s.weight) * (time[s.source] + q(s.delay)) for s in syn])
            facts.append(time[v] == (q(net.thresholds[v]) + arrivals) / q(weight))
    return facts


def side_terms(side: Network | ReluNetwork, alg: Algebra, xs: Sequence[Lin], tag: str, time_box: Box | None,
               summarize: Summarize) -> SideTerms:
    """One side on the input values ``xs`` (``time_box``: the box of an SNN's input spike times)."""
    if isinstance(side, ReluNetwork):
        lins = relu_lins(side, alg, xs)
        n = side.n_outputs
        return SideTerms(tuple(alg.term(v) for v in lins), (z3.BoolVal(True),) * n, (0,) * n, [], lambda m: None,
                         lins)
    assert time_box is not None
    codes = {c.node: c for c in side.codes.outputs} if side.codes is not None else {}
    signs = tuple(codes[o].sign if o in codes else 1 for o in side.outputs)
    bounds = firing_bounds(side, time_box)
    if all(bounds[v].settled for v in side.order):
        return _neuronwise(side, alg, xs, tag, bounds, signs, summarize)
    senc = encode(side, tag, time_box, spike_times(side, [alg.term(x) for x in xs]))
    facts = bound_facts(side, bounds, senc.time, senc.fires)
    return SideTerms(senc.decoded, senc.output_fires, signs, list(senc.constraints) + facts, senc.replay)


def _neuronwise(net: Network, alg: Algebra, xs: Sequence[Lin], tag: str, bounds: Mapping[str, Interval],
                signs: tuple[int, ...], summarize: Summarize) -> SideTerms:
    """A network whose neurons all surely fire, neuron by neuron (see the module docstring).

    All three neuron forms describe the exact firing time because every source surely fires within
    its bounds.  Times are :class:`Lin` terms of ``alg``.
    """
    in_codes = {c.node: c for c in net.codes.inputs} if net.codes is not None else {}
    time: dict[str, Lin] = {}
    for node, x in zip(net.inputs, xs):
        c = in_codes.get(node)
        time[node] = x if c is None else x.scale(Fraction(c.sign)).shift(c.base)
    for r in net.references:
        time[r.name] = Lin(r.time)
    refs = {r.name: r for r in net.references}
    cons: list[z3.BoolRef] = []
    for v in net.order:
        syn = [s for s in net.incoming[v] if s.weight != 0]
        bv = bounds[v]
        if _settled(net, v, bounds):
            acc = Lin(net.thresholds[v])
            for s in syn:
                acc = acc + time[s.source].shift(s.delay).scale(s.weight)
            time[v] = acc.scale(1 / sum((s.weight for s in syn), Fraction(0)))
            continue
        sources = list(dict.fromkeys(s.source for s in syn if s.source not in refs))
        if len(sources) == 1:
            src = bounds[sources[0]]
            pieces = summarize(net, v, src.lo, src.hi)  # type: ignore[arg-type]
            if pieces is not None:
                time[v] = pwl_lin(alg, pieces, time[sources[0]], bv.lo, bv.hi)
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
        decoded.append(t if c is None else t.shift(-c.base).scale(Fraction(c.sign)))
    n = len(net.outputs)
    return SideTerms(tuple(alg.term(d) for d in decoded), (z3.BoolVal(True),) * n, signs, cons, lambda m: None,
                     tuple(decoded))


def monolithic_query(a: Network | ReluNetwork, b: Network | ReluNetwork, box: Box,
                     time_boxes: tuple[Box | None, Box | None],
                     summarize: Summarize) -> tuple[list[z3.BoolRef], tuple[Term, ...], list[SideTerms]]:
    """Constraints satisfiable iff ``a`` and ``b`` differ somewhere on the value box ``box``; the input terms; both sides."""
    xs = tuple(z3.Real(f"x[{j}]") for j in range(box.dimension))
    alg = Algebra()
    lins = [alg.var(x, lo, hi) for x, lo, hi in zip(xs, box.lo, box.hi)]
    ea = side_terms(a, alg, lins, "A", time_boxes[0], summarize)
    eb = side_terms(b, alg, lins, "B", time_boxes[1], summarize)
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
