"""One neuron (or ReLU unit) at a time: its outcome at an exact point and the open polyhedron of its path.

:func:`snn_step` runs a neuron's potential sweep symbolically at a point ``p`` of a cell on which
the arrival times are affine: it returns the neuron's activation, its affine firing time and the
strict constraints (``g > 0``) under which the sweep takes the same path (the event order up to
the firing, the threshold comparisons).  For a neuron whose arriving synapses all have positive
weights and the linear kernel, the constraints are the order-free causal conditions
``max_{i in C} a_i < t_C <= min_{j not in C} a_j``.  A point on a boundary raises :class:`Tie`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

from verisnn.core import affine as af
from verisnn.core.affine import Affine
from verisnn.core.errors import InternalError
from verisnn.core.model import Network, ReluNetwork
from verisnn.semantics.simulate import Activation, closed_form


class Tie(Exception):
    """The interior point lies on a boundary of the next split: perturb it."""


def _require(g: Affine, p: Sequence[Fraction], out: list[Affine], allow_zero: bool = False) -> None:
    """Record ``g > 0`` (true at ``p``); constants are decided here; a tie at ``p`` raises Tie."""
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


class StepMemo:
    """What :func:`snn_step` remembers across the calls of one walk; its answers are the same without it.

    ``paths``: a positive linear neuron's firing time and constraints per arrival objects and causal
    set (see :func:`_positive_path`), so that equal paths give the same constraint objects (which
    the walk and the LP session then convert once).  ``value``: an affine's value at a point, per
    pair of objects (a cell's point is handed to its first child, and the same arrival times are
    evaluated there again).  Entries keep their objects alive, so ids are not reused while remembered.
    """

    __slots__ = ("_values", "paths")

    def __init__(self) -> None:
        self.paths: dict = {}
        self._values: dict = {}

    def value(self, a: Affine, p: Sequence[Fraction]) -> Fraction:
        key = (id(a), id(p))
        hit = self._values.get(key)
        if hit is not None and hit[0] is a and hit[1] is p:
            return hit[2]
        if len(self._values) > _REMEMBERED:
            self._values.clear()
        val = af.evaluate(a, p)
        self._values[key] = (a, p, val)
        return val


_REMEMBERED = 100_000  # entries per StepMemo table (memory)


def snn_step(net: Network, v: str, aff: Mapping[str, Affine | None], p: Sequence[Fraction], n: int,
             memo: StepMemo | None = None) -> tuple[Activation | None, Affine | None, list[Affine]]:
    """Neuron ``v``'s outcome at ``p``: activation, affine firing time, open polyhedron of its path.

    ``memo``, when given, remembers paths and values between calls (:class:`StepMemo`).
    """
    theta = net.thresholds[v]
    arr = []
    for i, s in enumerate(net.incoming[v]):
        src = aff[s.source]
        if src is None:
            continue
        val = af.evaluate(src, p) if memo is None else memo.value(src, p)
        if s.delay:
            arr.append((i, s, af.shift(src, s.delay), val + s.delay, src))
        else:
            arr.append((i, s, src, val, src))
    if not arr:
        return None, None, []
    if net.closed_form[v] or all(s.weight > 0 and net.kernel_of(s).is_linear for _, s, _, _, _ in arr):
        t, where = closed_form([item[3] for item in arr], [item[1].weight for item in arr], theta)
        causal = tuple(arr[j][0] for j in where)
        tv, conds = _positive_path(v, theta, arr, causal, None if memo is None else memo.paths, p, t)
        cons: list[Affine] = []
        for (_, _, _, val, _), g in zip(arr, conds):
            # g(p) is t - a(p) > 0 (causal) or a(p) - t >= 0: zero only at a tie, allowed for a constant
            if g is not None:
                if val == t:
                    raise Tie
                cons.append(g)
        return Activation(causal, (0,) * len(causal), False), tv, cons
    cons = []
    arr = [item[:4] for item in arr]

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


def _positive_path(v: str, theta: Fraction, arr: list[tuple], causal: tuple[int, ...], paths: dict | None,
                   p: Sequence[Fraction], t: Fraction) -> tuple[Affine, list[Affine | None]]:
    """The affine firing time ``t_C = (theta + sum_C w a) / sum_C w`` of a positive linear neuron with causal set
    ``C``, and per arrival its causal condition normalised (``t_C - a_i`` for ``i`` in ``C``, ``a_j - t_C``
    otherwise; None for a constant).

    Remembered in ``paths`` by the neuron, the causal set and the identity of the arrivals' source
    values (an entry keeps those alive, so their ids are not reused while it is remembered).  A new
    path's firing time is checked against the simulator's ``t`` at ``p``: ``t_C`` is the same
    formula at every point with this causal set, so a remembered one needs no check.
    """
    key = (v, causal, *map(id, (item[4] for item in arr)))
    if paths is not None:
        hit = paths.get(key)
        if hit is not None and all(x is item[4] for x, item in zip(hit[0], arr)):
            return hit[1], hit[2]
    tv, conds = _closed_path(theta, arr, causal)
    if af.evaluate(tv, p) != t:
        raise InternalError(f"affine firing time of {v} disagrees with the simulator")
    if paths is not None:
        if len(paths) > _REMEMBERED:
            paths.clear()
        paths[key] = (tuple(item[4] for item in arr), tv, conds)
    return tv, conds


def _closed_path(theta: Fraction, arr: list[tuple], causal: tuple[int, ...]) -> tuple[Affine, list[Affine | None]]:
    """:func:`_positive_path`'s firing time and conditions, in integers over common denominators.

    With every arrival ``a_j = A_j / D`` (integer rows), causal weights ``w_i = V_i / E`` and
    ``theta = T / F``: ``t_C = N / M`` with ``N = F sum V_i A_i + (T E D, 0, ..., 0)`` and
    ``M = F D sum V_i``; ``t_C - a_j = (N - F sum V_i A_j) / M``, which normalised (divided by its
    first nonzero linear coefficient's magnitude) is ``G_j / |G_j[first]|`` for the integer row
    ``G_j = N - F sum V_i A_j``.  One Fraction per coefficient, the values exactly those of the
    affine formulas (a test compares them).
    """
    d = math.lcm(*(c.denominator for item in arr for c in item[2]))
    rows = [[c.numerator * (d // c.denominator) for c in item[2]] for item in arr]
    inside = [(j, item[1].weight) for j, item in enumerate(arr) if item[0] in causal]
    e = math.lcm(*(w.denominator for _, w in inside))
    weights = [(j, w.numerator * (e // w.denominator)) for j, w in inside]
    f = theta.denominator
    sv = sum(w for _, w in weights)
    num = [f * sum(w * rows[j][k] for j, w in weights) for k in range(len(rows[0]))]
    num[0] += theta.numerator * e * d
    fs = f * sv
    tv = tuple(Fraction(x, f * d * sv) for x in num)
    conds: list[Affine | None] = []
    for item, row in zip(arr, rows):
        g = [x - fs * y for x, y in zip(num, row)]
        if item[0] not in causal:
            g = [-x for x in g]
        lead = next((abs(x) for x in g[1:] if x), 0)
        conds.append(tuple(Fraction(x, lead) for x in g) if lead else None)
    return tv, conds


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
