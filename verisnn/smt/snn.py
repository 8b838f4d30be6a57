"""SMT encoding of spiking networks over firing times (the model as z3 constraints).

Public API
----------
``encode(net, tag="", box=None, inputs=None) -> NetworkEncoding``
    One copy of ``net``.  Its inputs are fresh z3 Reals ``t[x0]@tag`` (or the given terms, e.g.
    ``(x + y) / 2`` for a midpoint copy); every neuron ``v`` gets a Real ``t[v]@tag`` and, unless
    its firing is decided by the bounds, a Bool ``f[v]@tag`` ("v fires").  For every valuation of
    the inputs, ``constraints`` have exactly one solution on the firing flags and on the times of
    firing neurons, and it is the exact simulator's (:func:`verisnn.semantics.simulate.simulate`).  The
    time variable of a silent neuron is unconstrained and means nothing.  With a ``box`` the
    constraints also say that the inputs lie in it, and sound bounds
    (:func:`verisnn.semantics.bounds.firing_bounds`) are added and used to drop case splits.
    Inputs are always finite spike times (an input that never spikes is not encodable).
``NetworkEncoding``
    ``net, tag, inputs, time`` (node -> Real term, references are constants), ``fires`` (node ->
    Bool term, ``True`` for inputs and references), ``causal`` ((neuron, synapse index into
    ``net.incoming[v]``) -> Bool: that synapse's source fires and its spike arrives strictly before
    ``t_v``, and ``v`` fires), ``constraints``, ``outputs`` / ``output_fires`` (terms for
    ``net.outputs``), ``decoded`` (coded networks: ``base - t`` / ``t - base`` per output, meaningful
    where the output fires), ``bounds``; ``potential(v, T)``, ``in_piece(v, k, p)``, and
    ``read(model)`` / ``read_inputs`` / ``read_outputs`` / ``read_decoded`` which turn a model
    (anything with z3's ``eval(term, model_completion=True)``) into exact Fractions (INF = silent).
``encode_relu(relu, inputs, tag="", box=None) -> ReluEncoding``
    A ReLU network on the given input terms; a unit whose pre-activation sign is fixed by interval
    bounds over ``box`` gets no ``If``.
``encode_below(net, tag="", box=None, inputs=None) -> NetworkEncoding``
    Only for positive-weight linear-kernel networks: an If-free (linear program) encoding whose
    times ``T[v]@tag`` satisfy ``T_v <= t_v``, and whose projection on (inputs, outputs) is exactly
    the hypograph ``{(x, T) : T <= R(x)}`` (see :func:`encode_below`).  Queries that only need
    lower bounds on some copy's outputs (the larger side of ``<=``) use it for that copy.
``spike_times(net, values)``
    Input spike times of a coded network for the given value terms (``base - x`` / ``base + x``).
``exact(model, term)``
    A model's value of a term as a Fraction (or bool); anything else is an InternalError.

Two neuron encodings
--------------------
*Compact* (every incoming weight > 0 and every incoming kernel linear): the potential
``P(t) = sum_k w_k max(0, t - a_k)`` over firing sources is continuous, 0 up to the first arrival
and strictly increasing after it, so ``P(t_v) = theta`` pins ``t_v``; the neuron fires iff some
source fires.  A synapse that surely arrives before ``t_v`` (``hi(a_k) <= lo(t_v)``) contributes
``w_k (t_v - a_k)`` without an ``If``; one that surely arrives after (``lo(a_k) >= hi(t_v)``)
contributes nothing.

*General* (any weights, any kernel): with ``P(T) = sum_k [source fires] w_k eps_k(T - a_k)`` and
its left limit ``P(T^-)``, ``v`` fires at ``t_v`` iff ``P(t_v) >= theta``, ``P(t_v^-) <= theta``, and
at every breakpoint ``b`` (arrival plus a kernel breakpoint) ``b < t_v -> P(b) < theta`` and
``b <= t_v -> P(b^-) <= theta`` (between breakpoints ``P`` is linear, so these say ``P < theta``
on ``(-inf, t_v)``).  ``v`` is silent iff ``P(b) < theta`` and ``P(b^-) <= theta`` at every
breakpoint and the final slope is ``<= 0``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import z3

from verisnn.core.domain import Box
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.kernels import Kernel
from verisnn.core.model import Network
from verisnn.core.numbers import INF, Time, is_finite
from verisnn.semantics.bounds import Interval, firing_bounds
from verisnn.smt.terms import Term, and_, exact, implies, kernel_summands, name, q, total


@dataclass
class NetworkEncoding:
    """One copy of a network as solver terms; see the module docstring."""

    net: Network
    tag: str
    inputs: tuple[Term, ...]
    time: dict[str, Term]
    fires: dict[str, z3.BoolRef]
    causal: dict[tuple[str, int], z3.BoolRef]
    constraints: list[z3.BoolRef]
    bounds: Mapping[str, Interval] | None = None
    box: Box | None = None
    compact: frozenset[str] = field(default_factory=frozenset)

    # --- derived terms ------------------------------------------------------------------------
    @property
    def outputs(self) -> tuple[Term, ...]:
        return tuple(self.time[o] for o in self.net.outputs)

    @property
    def output_fires(self) -> tuple[z3.BoolRef, ...]:
        return tuple(self.fires[o] for o in self.net.outputs)

    @property
    def decoded(self) -> tuple[Term, ...]:
        """Output values through the output codes (raw times for uncoded outputs)."""
        codes = self.net.codes
        by_node = {c.node: c for c in codes.outputs} if codes is not None else {}
        out = []
        for o in self.net.outputs:
            t = self.time[o]
            c = by_node.get(o)
            out.append(t if c is None else c.sign * (t - q(c.base)))
        return tuple(out)

    def arrival(self, v: str, k: int) -> Term:
        s = self.net.incoming[v][k]
        return self.time[s.source] + q(s.delay) if s.delay != 0 else self.time[s.source]

    def potential(self, v: str, at: Term, left: bool = False) -> Term:
        """``P_v(at)`` (or its left limit ``P_v(at^-)``) as a term."""
        return _potential(self, v, at, left)

    def in_piece(self, v: str, k: int, p: int) -> z3.BoolRef:
        """Synapse ``k`` of ``v`` is causal and in kernel piece ``p`` at ``t_v`` (activation pattern)."""
        s = self.net.incoming[v][k]
        pieces = self.net.kernel_of(s).pieces
        elapsed = self.time[v] - self.arrival(v, k)
        cond = [self.causal[(v, k)], elapsed >= q(pieces[p].start)]
        if p + 1 < len(pieces):
            cond.append(elapsed < q(pieces[p + 1].start))
        return z3.And(*cond)

    # --- reading models back ------------------------------------------------------------------
    def read(self, model: Any) -> dict[str, Time]:
        """Exact firing time of every node in ``model`` (INF for a silent neuron)."""
        out: dict[str, Time] = {}
        for node, t in self.time.items():
            fires = exact(model, self.fires[node])
            out[node] = exact(model, t) if fires else INF  # type: ignore[assignment]
        return out

    def read_inputs(self, model: Any) -> tuple[Fraction, ...]:
        return tuple(exact(model, t) for t in self.inputs)  # type: ignore[misc]

    def read_outputs(self, model: Any) -> tuple[Time, ...]:
        return tuple(
            exact(model, t) if exact(model, f) else INF for t, f in zip(self.outputs, self.output_fires)
        )  # type: ignore[misc]

    def read_decoded(self, model: Any) -> tuple[Time, ...]:
        """Decoded outputs; a silent output decodes like :meth:`verisnn.core.model.Code.decode`."""
        codes = self.net.codes
        by_node = {c.node: c for c in codes.outputs} if codes is not None else {}
        out: list[Time] = []
        for o, t in zip(self.net.outputs, self.read_outputs(model)):
            c = by_node.get(o)
            out.append(c.decode(t) if c is not None else t)
        return tuple(out)

    def replay(self, model: Any) -> Any:
        """Simulate the model's inputs exactly; raise InternalError if the model's times differ."""
        from verisnn.semantics.simulate import simulate

        x = self.read_inputs(model)
        sim = simulate(self.net, x)
        mine = self.read(model)
        for v in self.net.order:
            if mine[v] != sim.times[v]:
                raise InternalError(
                    f"encoding disagrees with the simulator at inputs {[str(a) for a in x]}: "
                    f"neuron '{v}' solver {mine[v]} vs simulator {sim.times[v]}"
                )
        return sim


def _potential(enc: NetworkEncoding, v: str, at: Term, left: bool, skip: int | None = None) -> Term:
    terms = []
    for k, s in enumerate(enc.net.incoming[v]):
        if k == skip or s.weight == 0:
            continue
        active = enc.fires[s.source]
        if z3.is_false(active):
            continue
        elapsed = at - enc.arrival(v, k)
        for guard, body in kernel_summands(enc.net.kernel_of(s), elapsed, left):
            terms.append(z3.If(and_(active, guard), q(s.weight) * body, q(0)))
    return total(terms)


def _own_value(kernel: Kernel, offset: Fraction, left: bool) -> Fraction:
    return kernel.left_limit(offset) if left else kernel(offset)


def _is_compact(net: Network, v: str) -> bool:
    return bool(net.incoming[v]) and all(s.weight > 0 and net.kernel_of(s).is_linear for s in net.incoming[v])


def _start(net: Network, tag: str, box: Box | None, inputs: Sequence[Term] | None,
           bounds: Mapping[str, Interval] | None) -> NetworkEncoding:
    """An encoding holding only the inputs (in the box, if any) and the references."""
    if inputs is None:
        input_terms = tuple(z3.Real(name("t", x, tag)) for x in net.inputs)
    else:
        if len(inputs) != net.dimension:
            raise InvalidInput(f"network has {net.dimension} inputs, got {len(inputs)} input terms")
        input_terms = tuple(inputs)
    constraints: list[z3.BoolRef] = []
    if box is not None:
        for t, lo, hi in zip(input_terms, box.lo, box.hi):
            constraints.append(t == q(lo) if lo == hi else z3.And(q(lo) <= t, t <= q(hi)))
    time: dict[str, Term] = dict(zip(net.inputs, input_terms))
    fires: dict[str, z3.BoolRef] = {x: z3.BoolVal(True) for x in net.inputs}
    for r in net.references:
        time[r.name] = q(r.time)
        fires[r.name] = z3.BoolVal(True)
    return NetworkEncoding(net, tag, input_terms, time, fires, {}, constraints, bounds, box)


def encode(
    net: Network,
    tag: str = "",
    box: Box | None = None,
    inputs: Sequence[Term] | None = None,
    bounds: Mapping[str, Interval] | None = None,
    fixed: Mapping[str, tuple[int, ...]] | None = None,
) -> NetworkEncoding:
    """Encode one copy of ``net`` (see the module docstring).

    ``bounds`` replaces the box's :func:`~verisnn.semantics.bounds.firing_bounds` by other sound
    bounds.  ``fixed`` maps neurons to incoming synapse indices proved causal for every input of the
    box: such a neuron surely fires at ``t_v = (theta + sum_C w_k a_k) / sum_C w_k``, one linear
    equality instead of a case split per synapse.
    """
    if bounds is None and box is not None:
        bounds = firing_bounds(net, box)
    enc = _start(net, tag, box, inputs, bounds)
    time, fires, constraints = enc.time, enc.fires, enc.constraints
    compact = set()
    for v in net.order:
        time[v] = z3.Real(name("t", v, tag))
        bv = bounds[v] if bounds is not None else None
        members = fixed.get(v) if fixed is not None else None
        if members is not None:
            syn = net.incoming[v]
            weight = sum((syn[k].weight for k in members), Fraction(0))
            fires[v] = z3.BoolVal(True)
            constraints.append(q(weight) * time[v] == total(
                [q(net.thresholds[v])] + [q(syn[k].weight) * enc.arrival(v, k) for k in members]))
        elif _is_compact(net, v):
            compact.add(v)
            _encode_compact(enc, v, bv)
        else:
            _encode_general(enc, v, bv)
        if bv is not None and bv.may_fire:
            window = []
            if is_finite(bv.lo):
                window.append(time[v] >= q(bv.lo))  # type: ignore[arg-type]
            if is_finite(bv.hi):
                window.append(time[v] <= q(bv.hi))  # type: ignore[arg-type]
            if window:
                constraints.append(implies(fires[v], and_(*window)))
        for k, s in enumerate(net.incoming[v]):
            enc.causal[(v, k)] = and_(fires[s.source], fires[v], enc.arrival(v, k) < time[v])
    enc.compact = frozenset(compact)
    return enc


def _sure(bv: Interval | None, src: Interval | None, delay: Fraction) -> tuple[bool, bool]:
    """(surely arrives no later than t_v, surely arrives no earlier than t_v) from bounds."""
    if bv is None or src is None or not bv.may_fire:
        return False, False
    before = is_finite(src.hi) and is_finite(bv.lo) and src.hi + delay <= bv.lo  # type: ignore[operator]
    after = is_finite(bv.hi) and src.lo + delay >= bv.hi  # type: ignore[operator]
    return bool(before), bool(after)


def _encode_compact(enc: NetworkEncoding, v: str, bv: Interval | None) -> None:
    net, t_v = enc.net, enc.time[v]
    bounds = enc.bounds
    actives = [enc.fires[s.source] for s in net.incoming[v]]
    if any(z3.is_true(a) for a in actives):
        fires: z3.BoolRef = z3.BoolVal(True)
    elif all(z3.is_false(a) for a in actives):
        fires = z3.BoolVal(False)
    else:
        fires = z3.Or(*[a for a in actives if not z3.is_false(a)])
    enc.fires[v] = fires
    terms = []
    for k, s in enumerate(net.incoming[v]):
        active = actives[k]
        if z3.is_false(active):
            continue
        src = bounds[s.source] if bounds is not None else None
        before, after = _sure(bv, src, s.delay)
        if after:
            continue
        a = enc.arrival(v, k)
        if before:
            body = q(s.weight) * (t_v - a)
            terms.append(body if z3.is_true(active) else z3.If(active, body, q(0)))
        else:
            terms.append(z3.If(and_(active, t_v > a), q(s.weight) * (t_v - a), q(0)))
    if not z3.is_false(fires):
        enc.constraints.append(implies(fires, total(terms) == q(net.thresholds[v])))


def _encode_general(enc: NetworkEncoding, v: str, bv: Interval | None) -> None:
    net, t_v = enc.net, enc.time[v]
    theta = q(net.thresholds[v])
    if bv is not None and not bv.may_fire:
        enc.fires[v] = z3.BoolVal(False)
        return
    if bv is not None and bv.must_fire:
        fires: z3.BoolRef = z3.BoolVal(True)
    else:
        fires = z3.Bool(name("f", v, tag=enc.tag))
    enc.fires[v] = fires
    firing = [_potential(enc, v, t_v, False) >= theta, _potential(enc, v, t_v, True) <= theta]
    silent = []
    final_slope = []
    for k, s in enumerate(net.incoming[v]):
        active = enc.fires[s.source]
        if z3.is_false(active) or s.weight == 0:
            continue
        kernel = net.kernel_of(s)
        final_slope.append(z3.If(active, q(s.weight * kernel.pieces[-1].slope), q(0)))
        a = enc.arrival(v, k)
        for e in kernel.events():
            b = a + q(e.offset) if e.offset != 0 else a
            # P at this breakpoint: synapse k's own contribution is a constant there.
            own_r = s.weight * _own_value(kernel, e.offset, False)
            own_l = s.weight * _own_value(kernel, e.offset, True)
            p_r = _potential(enc, v, b, False, skip=k) + q(own_r)
            p_l = _potential(enc, v, b, True, skip=k) + q(own_l)
            firing.append(implies(active, and_(implies(b < t_v, p_r < theta), implies(b <= t_v, p_l <= theta))))
            silent.append(implies(active, and_(p_r < theta, p_l <= theta)))
    silent.append(total(final_slope) <= q(0))
    enc.constraints.append(implies(fires, and_(*firing)))
    if not z3.is_true(fires):
        enc.constraints.append(implies(z3.Not(fires), and_(*silent)))


def encode_below(
    net: Network,
    tag: str = "",
    box: Box | None = None,
    inputs: Sequence[Term] | None = None,
) -> NetworkEncoding:
    """The hypograph of a positive-weight linear-kernel network as linear constraints (no ``If``).

    For each neuron ``T_v`` and slacks ``s_vk >= 0``, ``s_vk >= T_v - T_u - d`` with
    ``sum_k w_k s_vk <= theta_v`` over firing sources.  Since ``P_v(t) = sum w max(0, t - a)`` is
    nondecreasing in ``t``, nonincreasing in every arrival and ``P_v(t) <= theta`` iff ``t <= t_v``,
    induction along the topological order gives ``T_v <= t_v`` for every solution; conversely
    ``T = t`` (and any smaller value of a single output) is a solution.  So every solution has
    ``T <= R(x)`` and ``T = R(x)`` is always one (for one output the projection is exactly the
    hypograph; when outputs feed each other it can be smaller), and a violation found with ``T``
    in place of ``R(x)`` on the larger side of an inequality is a real violation.  Silence is structural in
    such networks (a neuron fires iff some source fires), so ``fires`` are constants.
    """
    if not net.positive_linear:
        raise InvalidInput("encode_below needs positive weights and the linear kernel")
    enc = _start(net, tag, box, inputs, None)
    time, fires, constraints = enc.time, enc.fires, enc.constraints
    for v in net.order:
        time[v] = z3.Real(name("T", v, tag))
        live = [(k, s) for k, s in enumerate(net.incoming[v]) if z3.is_true(fires[s.source])]
        fires[v] = z3.BoolVal(bool(live))
        terms = []
        for k, s in live:
            slack = z3.Real(f"s[{v},{k}]@{tag}" if tag else f"s[{v},{k}]")
            constraints.append(slack >= q(0))
            constraints.append(slack >= time[v] - enc.arrival(v, k))
            terms.append(q(s.weight) * slack)
        if live:
            constraints.append(total(terms) <= q(net.thresholds[v]))
        for k, s in enumerate(net.incoming[v]):
            enc.causal[(v, k)] = and_(fires[s.source], fires[v], enc.arrival(v, k) < time[v])
    return enc


def spike_times(net: Network, values: Sequence[Term]) -> tuple[Term, ...]:
    """Input spike times of a coded network for value terms (uncoded inputs: the value is the time)."""
    if len(values) != net.dimension:
        raise InvalidInput(f"network has {net.dimension} inputs, got {len(values)} values")
    codes = {c.node: c for c in net.codes.inputs} if net.codes is not None else {}
    out = []
    for node, x in zip(net.inputs, values):
        c = codes.get(node)
        out.append(x if c is None else q(c.base) + c.sign * x)
    return tuple(out)


