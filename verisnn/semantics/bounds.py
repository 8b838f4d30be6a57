"""Sound interval bounds on every firing time over a box of inputs: the one bounds engine.

For each node ``u`` and every input ``x`` in the box, :func:`firing_bounds` gives an
:class:`Interval` with

* ``may_fire`` False  => ``u`` is silent for every ``x`` in the box;
* ``must_fire`` True  => ``u`` fires for every ``x`` in the box;
* whenever ``u`` fires, ``lo <= t_u <= hi`` (``hi = INF`` when no finite upper bound is known).

Neuron by neuron in topological order, with every source ``k`` firing (if at all) in
``[lo_k, hi_k]`` and arriving ``d_k`` later:

* **nondecreasing kernels** (continuous, every slope ``>= 0``: ``linear``, ``saturating``; any
  weight signs).  Then ``eps >= 0``, an excitatory contribution ``w eps(t - a)`` only grows when
  ``a`` is earlier and an inhibitory one only shrinks, and a silent source contributes 0.  So the
  potential lies pointwise between

  ``P_low(t) = sum_{w>0, must fire} w eps(t - hi_k - d_k) + sum_{w<0, may fire} w eps(t - lo_k - d_k)``
  and
  ``P_up(t) = sum_{w>0, may fire} w eps(t - lo_k - d_k) + sum_{w<0, must fire} w eps(t - hi_k - d_k)``

  (sources without a finite ``hi`` are left out where ``hi`` is needed).  ``t_v`` is at least the
  first crossing of ``P_up`` (no crossing: ``v`` is silent), and at most the first crossing of
  ``P_low`` (a crossing: ``v`` surely fires).  For a monotone neuron (every weight ``> 0``,
  :func:`is_monotone_neuron`) these are the firing times with every source at its lower bound and
  with only the surely-firing sources at their upper bounds; for a network of positive weights and
  the linear kernel they compose to *exact* bounds, attained at the box's lowest and highest
  corner (the realization is nondecreasing in every input, docs/model.md).
* **other kernels**: the potential is 0 before the first arrival, so ``t_v >= min (lo_k + d_k)``
  over possibly-firing sources; no finite upper bound is claimed and the neuron may be silent
  (unless no source can fire, then it surely is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import Network, Synapse
from verisnn.core.numbers import INF, Time, fmt, is_finite
from verisnn.semantics.simulate import first_firing


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

    @property
    def settled(self) -> bool:
        """Surely fires, at a time with a finite upper bound."""
        return self.must_fire and is_finite(self.hi)

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
    """Sound bounds on the firing time of every node (inputs, references, neurons) over ``box``.

    ``box`` holds input spike times (for a coded network, map values to times first).
    """
    if box.dimension != net.dimension:
        raise InvalidInput(f"domain has {box.dimension} intervals but the network has {net.dimension} inputs")
    out: dict[str, Interval] = {}
    for name, lo, hi in zip(net.inputs, box.lo, box.hi):
        out[name] = Interval(lo, hi, True, True)
    for name, t in net.reference_times.items():
        out[name] = Interval(t, t, True, True)
    for v in net.order:
        out[v] = _neuron_bounds(net, v, out)
    return out


def _neuron_bounds(net: Network, v: str, out: Mapping[str, Interval]) -> Interval:
    syn = [s for s in net.incoming[v] if out[s.source].may_fire and s.weight != 0]
    if not syn:
        return NEVER
    if not all(net.kernel_of(s).is_nondecreasing for s in syn):
        earliest: Fraction = min(out[s.source].lo + s.delay for s in syn)  # type: ignore[assignment,operator]
        return Interval(earliest, INF, True, False)

    def at_lo(s: Synapse) -> tuple[Fraction, Fraction, object]:
        return out[s.source].lo + s.delay, s.weight, net.kernel_of(s)  # type: ignore[return-value,operator]

    def at_hi(s: Synapse) -> tuple[Fraction, Fraction, object]:
        return out[s.source].hi + s.delay, s.weight, net.kernel_of(s)  # type: ignore[return-value,operator]

    up = [at_lo(s) for s in syn if s.weight > 0] + [at_hi(s) for s in syn if s.weight < 0 and out[s.source].settled]
    first = first_firing(up, net.thresholds[v])  # type: ignore[arg-type]
    if first is None:
        return NEVER
    low = [at_hi(s) for s in syn if s.weight > 0 and out[s.source].settled] + [at_lo(s) for s in syn if s.weight < 0]
    last = first_firing(low, net.thresholds[v])  # type: ignore[arg-type]
    return Interval(first.time, INF if last is None else last.time, True, last is not None)


def output_bounds(net: Network, box: Box) -> tuple[Interval, ...]:
    """The bounds of :func:`firing_bounds` for the network's outputs, in order."""
    b = firing_bounds(net, box)
    return tuple(b[o] for o in net.outputs)
