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

from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import Network
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

