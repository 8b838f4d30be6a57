"""Sound interval bounds on every firing time over a box of inputs (bound tightening).

For each node ``u`` and every input ``x`` in the box, :func:`firing_bounds` gives an
:class:`Interval` with

* ``may_fire`` False  => ``u`` is silent for every ``x`` in the box;
* ``must_fire`` True  => ``u`` fires for every ``x`` in the box;
* whenever ``u`` fires, ``lo <= t_u <= hi`` (``hi = INF`` when no finite upper bound is known).

Two rules, applied neuron by neuron in topological order:

* **monotone neurons** (every incoming weight > 0, every incoming kernel continuous and
  nondecreasing, e.g. ``linear`` and ``saturating``): the potential ``P(t)`` only grows when a
  source spikes earlier or an extra source spikes, so ``t_v`` is a nondecreasing function of its
  sources' times (silence = time ``+inf``).  The lower bound is the exact firing time with every
  possibly-firing source at its lower bound, the upper bound the one with only the surely-firing
  sources, each at its upper bound.  For a network of positive weights and the linear kernel this
  composes to *exact* bounds: they are the firing times at the box's lowest and highest corner
  (SPEC C4: the realization is nondecreasing in every input), and they are attained there.
* **other neurons**: the potential is 0 before the first arrival, so
  ``t_v >= min (lo_u + d)`` over possibly-firing sources; no finite upper bound is claimed and
  the neuron may be silent (unless no source can fire, then it surely is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from .domain import Box
from .errors import InvalidInput
from .model import Network
from .numbers import INF, Time, fmt, is_finite
from .simulate import first_firing


@dataclass(frozen=True)
class Interval:
    """Bounds on one node's firing time over a box (see the module docstring)."""

    lo: Time
    hi: Time
    may_fire: bool
    must_fire: bool

    def contains(self, t: Time) -> bool:
        """True if ``t`` (a firing time, or INF for silence) is allowed by these bounds."""
        if not is_finite(t):
            return not self.must_fire
        return self.may_fire and self.lo <= t and (not is_finite(self.hi) or t <= self.hi)  # type: ignore[operator]

    def __str__(self) -> str:
        if not self.may_fire:
            return "silent"
        span = f"[{fmt(self.lo)}, {fmt(self.hi)}]"
        return span if self.must_fire else span + " or silent"


NEVER = Interval(INF, INF, False, False)


def is_monotone_neuron(net: Network, v: str) -> bool:
    """Positive incoming weights and continuous nondecreasing kernels: ``t_v`` is monotone in its sources."""
    return all(s.weight > 0 and net.kernel_of(s).is_nondecreasing for s in net.incoming[v])


def firing_bounds(net: Network, box: Box) -> Mapping[str, Interval]:
    """Sound bounds on the firing time of every node (inputs, references, neurons) over ``box``."""
    if box.dimension != net.dimension:
        raise InvalidInput(f"domain has {box.dimension} intervals but the network has {net.dimension} inputs")
    out: dict[str, Interval] = {}
    for name, lo, hi in zip(net.inputs, box.lo, box.hi):
        out[name] = Interval(lo, hi, True, True)
    for name, t in net.reference_times.items():
        out[name] = Interval(t, t, True, True)
    for v in net.order:
        incoming = [s for s in net.incoming[v] if out[s.source].may_fire and s.weight != 0]
        if not incoming:
            out[v] = NEVER
            continue
        if is_monotone_neuron(net, v):
            early = first_firing(
                [(out[s.source].lo + s.delay, s.weight, net.kernel_of(s)) for s in incoming],  # type: ignore[operator]
                net.thresholds[v],
            )
            if early is None:
                out[v] = NEVER
                continue
            late = first_firing(
                [
                    (out[s.source].hi + s.delay, s.weight, net.kernel_of(s))  # type: ignore[operator]
                    for s in incoming
                    if out[s.source].must_fire and is_finite(out[s.source].hi)
                ],
                net.thresholds[v],
            )
            if late is None:
                out[v] = Interval(early.time, INF, True, False)
            else:
                out[v] = Interval(early.time, late.time, True, True)
        else:
            lo: Fraction = min(out[s.source].lo + s.delay for s in incoming)  # type: ignore[assignment,operator]
            out[v] = Interval(lo, INF, True, False)
    return out


def output_bounds(net: Network, box: Box) -> tuple[Interval, ...]:
    """The bounds of :func:`firing_bounds` for the network's outputs, in order."""
    b = firing_bounds(net, box)
    return tuple(b[o] for o in net.outputs)


def neuron_gain(net: Network, v: str, exhaustive_limit: int = 4096) -> Fraction:
    """An upper bound on ``||grad t_v||_1`` w.r.t. ``v``'s arrival times, over every affine piece.

    Where ``v`` fires inside a linear piece of its potential, ``t_v`` is affine in the causal
    arrivals with ``dt_v/da_k = w_k sl_k / S`` (``sl_k`` the slope of synapse k's kernel piece,
    ``S = sum_C w_k sl_k > 0``); where it fires at a jump, ``t_v = a_k + offset`` (gain 1).  So
    the gain is ``max(1, max sum|w_k sl_k| / S)`` over causal sets and piece choices with
    ``S > 0``: computed exhaustively when there are at most ``exhaustive_limit`` choices, else
    bounded by ``A * D`` (``A`` the largest possible numerator, ``1/D`` a lower bound on a positive
    ``S``: every ``S`` is a multiple of ``1/D``, ``D`` the lcm of the denominators of the ``w_k sl``).
    """
    import math
    from itertools import product

    options = []
    for s in net.incoming[v]:
        values = {Fraction(0)} | {s.weight * sl for sl in net.kernel_of(s).slopes}
        options.append(sorted(values))
    if all(c >= 0 for o in options for c in o):
        return Fraction(1)  # every ratio sum|c| / sum c is 1
    count = 1
    for o in options:
        count *= len(o)
    best = Fraction(1)
    if count <= exhaustive_limit:
        for choice in product(*options):
            total = sum(choice, Fraction(0))
            if total > 0:
                best = max(best, sum((abs(c) for c in choice), Fraction(0)) / total)
        return best
    numerator = sum((max(abs(c) for c in o) for o in options), Fraction(0))
    denominator = 1
    for o in options:
        for c in o:
            denominator = denominator * c.denominator // math.gcd(denominator, c.denominator)
    return max(best, numerator * denominator)


def slope_bound(net: Network) -> Fraction:
    """An upper bound ``L`` on the l_inf -> l_inf slope of every affine piece of ``R`` (any box).

    ``L_x = 1`` for inputs, ``0`` for references, ``L_v = gain(v) * max L_u`` over ``v``'s sources
    (:func:`neuron_gain`); ``L`` is the largest ``L_v`` over outputs.  A PWL map on a box is
    continuous iff it is ``L``-Lipschitz for such an ``L`` (SPEC §4).
    """
    lip: dict[str, Fraction] = {x: Fraction(1) for x in net.inputs}
    lip.update({r: Fraction(0) for r in net.reference_times})
    for v in net.order:
        srcs = [lip[s.source] for s in net.incoming[v]]
        lip[v] = neuron_gain(net, v) * max(srcs, default=Fraction(0))
    return max((lip[o] for o in net.outputs), default=Fraction(0))
