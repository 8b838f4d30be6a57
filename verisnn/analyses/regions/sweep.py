"""One neuron (or ReLU unit) at a time: its outcome at an exact point and the open polyhedron of its path.

:func:`snn_step` runs a neuron's potential sweep symbolically at a point ``p`` of a cell on which
the arrival times are affine: it returns the neuron's activation, its affine firing time and the
strict constraints (``g > 0``) under which the sweep takes the same path (the event order up to
the firing, the threshold comparisons).  For a neuron whose arriving synapses all have positive
weights and the linear kernel, the constraints are the order-free causal conditions
``max_{i in C} a_i < t_C <= min_{j not in C} a_j``.  A point on a boundary raises :class:`Tie`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from verisnn.core import affine as af
from verisnn.core.affine import Affine
from verisnn.core.errors import InternalError
from verisnn.core.model import Network, ReluNetwork
from verisnn.semantics.simulate import Activation, first_firing


class Tie(Exception):
    """The interior point lies on a boundary of the next split: perturb it."""


def _require(g: Affine, p: Sequence[Fraction], out: list[Affine], allow_zero: bool = False,
             val: Fraction | None = None) -> None:
    """Record ``g > 0`` (true at ``p``); constants are decided here; a tie at ``p`` raises Tie.

    ``val`` is ``g(p)`` when the caller already knows it exactly.
    """
    if val is None:
        val = af.evaluate(g, p)
    if af.is_const(g):
        if val > 0 or (val == 0 and allow_zero):
            return
        raise InternalError("symbolic sweep recorded a false constant comparison")
    if val > 0:
        out.append(af.normalize(g))
    elif val == 0:
        raise Tie
    else:
        raise InternalError("symbolic sweep recorded a comparison that is false at its own point")


def snn_step(net: Network, v: str, aff: Mapping[str, Affine | None], p: Sequence[Fraction], n: int
              ) -> tuple[Activation | None, Affine | None, list[Affine]]:
    """Neuron ``v``'s outcome at ``p``: activation, affine firing time, open polyhedron of its path."""
    theta = net.thresholds[v]
    arr = []
    for i, s in enumerate(net.incoming[v]):
        src = aff[s.source]
        if src is None:
            continue
        a = af.shift(src, s.delay) if s.delay else src
        arr.append((i, s, a, af.evaluate(a, p)))
    if not arr:
        return None, None, []
    cons: list[Affine] = []
    if all(s.weight > 0 and net.kernel_of(s).is_linear for _, s, _, _ in arr):
        firing = first_firing([(val, s.weight, net.kernel_of(s)) for _, s, _, val in arr], theta)
        if firing is None:
            raise InternalError(f"positive neuron {v} silent with arriving spikes")
        causal = [item for item in arr if item[3] < firing.time]
        total = sum((s.weight for _, s, _, _ in causal), Fraction(0))
        tv = af.shift(af.combine([(s.weight / total, a) for _, s, a, _ in causal], n), theta / total)
        if af.evaluate(tv, p) != firing.time:
            raise InternalError(f"affine firing time of {v} disagrees with the simulator")
        t = firing.time
        for item in arr:  # g(p) is t - a(p) or a(p) - t, known exactly: no evaluation needed
            if item[3] < t:
                _require(af.sub(tv, item[2]), p, cons, val=t - item[3])
            else:
                _require(af.sub(item[2], tv), p, cons, allow_zero=True, val=item[3] - t)
        return Activation(tuple(i for i, *_ in causal), (0,) * len(causal), False), tv, cons

    events: list[tuple[Affine, Fraction, Fraction, Fraction]] = []
    for _, s, a, val in arr:
        if s.weight == 0:
            continue
        for e in net.kernel_of(s).events():
            events.append((af.shift(a, e.offset), val + e.offset, s.weight * e.jump, s.weight * e.slope_change))
    events.sort(key=lambda e: e[1])
    groups: list[list] = []
    for e in events:
        if groups and groups[-1][1] == e[1]:
            if groups[-1][0] != e[0]:
                raise Tie
            groups[-1][2] += e[2]
            groups[-1][3] += e[3]
        else:
            groups.append(list(e))
    zero = af.const(Fraction(0), n)
    value, slope = zero, Fraction(0)
    here: Affine | None = None
    fired: tuple[Affine, bool] | None = None
    for gi, (b, _, jump, dslope) in enumerate(groups):
        if here is not None:
            if slope > 0 and af.evaluate(value, p) < theta:
                tc = af.add(here, af.scale(af.sub(af.const(theta, n), value), 1 / slope))
                if af.evaluate(tc, p) < af.evaluate(b, p):
                    for later in groups[gi:]:
                        _require(af.sub(later[0], tc), p, cons)
                    fired = (tc, False)
                    break
                _require(af.sub(tc, b), p, cons, allow_zero=True)
            value = af.add(value, af.scale(af.sub(b, here), slope))
            _require(af.sub(b, here), p, cons)
        value = af.shift(value, jump)
        slope += dslope
        here = b
        if af.evaluate(value, p) >= theta:
            _require(af.shift(value, -theta), p, cons, allow_zero=True)
            for later in groups[gi + 1:]:
                _require(af.sub(later[0], b), p, cons)
            fired = (b, jump > 0)
            break
        _require(af.sub(af.const(theta, n), value), p, cons)
    if fired is None and here is not None and slope > 0 and af.evaluate(value, p) < theta:
        fired = (af.add(here, af.scale(af.sub(af.const(theta, n), value), 1 / slope)), False)
    if fired is None:
        return None, None, cons
    tv, jumped = fired
    t = af.evaluate(tv, p)
    causal, pieces = [], []
    for i, s, a, val in arr:
        kernel = net.kernel_of(s)
        if val < t:
            causal.append(i)
            pieces.append(kernel.piece_index(t - val))
        if s.weight == 0:  # its breakpoints are not events of the sweep: pin them against t_v
            for off in kernel.breakpoints:
                g = af.sub(af.shift(a, off), tv)
                gv = af.evaluate(g, p)
                if gv < 0:
                    g = af.neg(g)
                _require(g, p, cons, allow_zero=True)
    return Activation(tuple(causal), tuple(pieces), jumped), tv, cons


def relu_units(net: ReluNetwork) -> list[tuple[int, int]]:
    return [(li, i) for li, layer in enumerate(net.layers[:-1]) for i in range(len(layer.weights))]


def _relu_pre(net: ReluNetwork, li: int, i: int, aff: Mapping, n: int) -> Affine:
    layer = net.layers[li]
    prev = [aff[("x", j)] for j in range(net.dimension)] if li == 0 else \
        [aff[(li - 1, j)] for j in range(len(net.layers[li - 1].weights))]
    return af.shift(af.combine(zip(layer.weights[i], prev), n), layer.bias[i])


def relu_step(net: ReluNetwork, unit: tuple[int, int], aff: Mapping, p: Sequence[Fraction], n: int
               ) -> tuple[bool, Affine, list[Affine]]:
    z = _relu_pre(net, unit[0], unit[1], aff, n)
    val = af.evaluate(z, p)
    cons: list[Affine] = []
    if af.is_const(z):
        return val > 0, (z if val > 0 else af.const(Fraction(0), n)), cons
    if val == 0:
        raise Tie
    if val > 0:
        cons.append(af.normalize(z))
        return True, z, cons
    cons.append(af.normalize(af.neg(z)))
    return False, af.const(Fraction(0), n), cons
