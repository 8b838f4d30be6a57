"""The exact simulator: firing times, causal sets and causal patterns (docs/model.md), in rationals.

A neuron's potential ``P(t) = sum w * eps(t - t_u - d)`` is right-continuous and piecewise
linear, so its first threshold crossing is found by sweeping its breakpoints in time order:
between breakpoints ``P`` is linear, at a breakpoint it may jump.  This module is the reference
semantics that every encoding and every counterexample is checked against.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

from verisnn.core.errors import InvalidInput
from verisnn.core.kernels import Kernel
from verisnn.core.model import Network
from verisnn.core.numbers import INF, Time, fmt, is_finite


@dataclass(frozen=True)
class Firing:
    """Where a neuron first reaches its threshold, and how."""

    time: Fraction
    jump: bool  # True if the potential jumped up across the threshold at ``time``


@dataclass(frozen=True)
class Activation:
    """A firing neuron's part of the causal pattern.

    ``causal`` lists indices (into ``net.incoming[v]``) of synapses whose spike arrives strictly
    before the firing time; ``pieces`` the kernel piece each of them is in at that time;
    ``jump`` whether the neuron fired at an upward jump of its potential.
    """

    causal: tuple[int, ...]
    pieces: tuple[int, ...]
    jump: bool = False

    def __str__(self) -> str:
        body = ",".join(f"{i}" if p == 0 else f"{i}.{p}" for i, p in zip(self.causal, self.pieces))
        return "{" + body + "}" + ("^" if self.jump else "")


Pattern = tuple  # tuple over net.order of Activation | None (None = silent)


def first_firing(arrivals: Iterable[tuple[Fraction, Fraction, Kernel]], theta: Fraction) -> Firing | None:
    """``min { t : sum w * eps(t - a) >= theta }`` for spikes arriving at times ``a``, or None.

    ``arrivals`` holds ``(a, w, eps)`` triples with finite ``a``; ``theta > 0``.
    """
    arrivals = list(arrivals)
    if theta > 0 and arrivals and all(w > 0 and eps.is_linear for _, w, eps in arrivals):
        return Firing(closed_form([a for a, _, _ in arrivals], [w for _, w, _ in arrivals], theta)[0], False)
    return sweep_firing(arrivals, theta)


def sweep_firing(arrivals: Iterable[tuple[Fraction, Fraction, Kernel]], theta: Fraction) -> Firing | None:
    """:func:`first_firing` by the general breakpoint sweep (any kernels, any signs)."""
    events: list[tuple[Fraction, Fraction, Fraction]] = []
    for a, w, eps in arrivals:
        if w == 0:
            continue
        for e in eps.events():
            events.append((a + e.offset, w * e.jump, w * e.slope_change))
    events.sort(key=lambda e: e[0])
    value = Fraction(0)  # P at the current breakpoint (right-continuous value)
    slope = Fraction(0)
    here: Fraction | None = None
    k = 0
    while k < len(events):
        b = events[k][0]
        if here is not None:
            if slope > 0 and value < theta:
                t = here + (theta - value) / slope
                if t < b:
                    return Firing(t, False)
            value += slope * (b - here)
        left = value
        while k < len(events) and events[k][0] == b:
            value += events[k][1]
            slope += events[k][2]
            k += 1
        here = b
        if value >= theta:
            return Firing(b, value > left)
    if here is not None and slope > 0 and value < theta:
        return Firing(here + (theta - value) / slope, False)
    return None


def closed_form(times: Sequence[Fraction], weights: Sequence[Fraction], theta: Fraction
                ) -> tuple[Fraction, tuple[int, ...]]:
    """The firing time and the causal arrivals (positions, ascending) of a neuron whose weights are all
    positive and whose kernels are all linear: spikes arrive at ``times`` with ``weights`` (``theta > 0``,
    at least one arrival).

    With arrivals sorted, the potential is ``sum_{i <= k} w_i (t - a_i)`` after the ``k``-th
    arrival, so the neuron fires at ``t_k = (theta + sum w_i a_i) / sum w_i`` for the first ``k``
    with ``t_k <= a_{k+1}`` (the last ``k`` if none; equal arrivals need no grouping, since
    ``t_k > a_k`` always), and the causal arrivals are the first ``k``: exactly those with
    ``a < t_k``.  Times and weights are put over common denominators ``D`` and ``E`` (``a = A/D``,
    ``w = W/E``, ``theta = T/F``), so that ``t_k = (T E D + F sum W_i A_i) / (F D sum W_i)`` and
    every comparison is one of integers.
    """
    ds = [a.denominator for a in times]
    es = [w.denominator for w in weights]
    d, e = lcm(*ds), lcm(*es)
    items = sorted([(a.numerator * (d // q), w.numerator * (e // r), j)
                    for j, (a, q, w, r) in enumerate(zip(times, ds, weights, es))])
    f = theta.denominator
    base = theta.numerator * e * d
    sw = swa = 0
    last = len(items) - 1
    for k, (a, w, _) in enumerate(items):
        sw += w
        swa += w * a
        num = base + f * swa
        if k == last or num <= f * sw * items[k + 1][0]:
            return Fraction(num, f * d * sw), tuple(sorted([j for _, _, j in items[:k + 1]]))
    raise AssertionError("unreachable: the last arrival always ends the sweep")


@dataclass(frozen=True)
class Simulation:
    """Exact firing times of every node, and the causal pattern."""

    network: Network
    times: Mapping[str, Time]
    activations: Mapping[str, Activation | None]

    @property
    def outputs(self) -> tuple[Time, ...]:
        return tuple(self.times[o] for o in self.network.outputs)

    @property
    def pattern(self) -> Pattern:
        return tuple(self.activations[v] for v in self.network.order)

    def causal_sources(self, v: str) -> list[str] | None:
        """Names of the nodes whose spikes are causal for ``v`` (None if ``v`` is silent)."""
        act = self.activations[v]
        if act is None:
            return None
        incoming = self.network.incoming[v]
        return [incoming[i].source for i in act.causal]

    def decoded_outputs(self) -> tuple[Time, ...]:
        """Outputs through the network's output codes (raw times if it has none)."""
        codes = self.network.codes
        if codes is None or not codes.outputs:
            return self.outputs
        by_node = {c.node: c for c in codes.outputs}
        return tuple(by_node[o].decode(self.times[o]) if o in by_node else self.times[o] for o in self.network.outputs)

    def to_json(self) -> dict:
        net = self.network
        return {
            "outputs": [fmt(t) for t in self.outputs],
            "times": {name: fmt(t) for name, t in self.times.items()},
            "causal": {v: self.causal_sources(v) for v in net.order},
            "pattern": [None if a is None else str(a) for a in self.pattern],
        }


def simulate(net: Network, inputs: Sequence[Time]) -> Simulation:
    """Exact firing times for input spike times ``inputs`` (INF = that input does not spike)."""
    if len(inputs) != len(net.inputs):
        raise InvalidInput(f"network has {len(net.inputs)} inputs, got {len(inputs)} input times")
    times: dict[str, Time] = {}
    for name, t in zip(net.inputs, inputs):
        if isinstance(t, float):
            if t != INF:
                raise InvalidInput(f"input time of '{name}' must be exact, got float {t!r}")
        else:
            t = Fraction(t)
        times[name] = t
    times.update(net.reference_times)
    activations: dict[str, Activation | None] = {}
    for v in net.order:
        incoming = net.incoming[v]
        if net.closed_form[v]:  # positive weights, linear kernels: the closed form; causal pieces are all 0
            where, at, weights = [], [], []
            for i, s in enumerate(incoming):
                tu = times[s.source]
                if is_finite(tu):
                    where.append(i)
                    at.append(tu + s.delay if s.delay else tu)
                    weights.append(s.weight)
            if at:
                t, causal = closed_form(at, weights, net.thresholds[v])
                times[v] = t
                activations[v] = Activation(tuple(where[j] for j in causal), (0,) * len(causal), False)
            else:
                times[v] = INF
                activations[v] = None
            continue
        arrivals = []  # (synapse index, arrival time, weight, kernel)
        for i, s in enumerate(incoming):
            tu = times[s.source]
            if is_finite(tu):
                arrivals.append((i, tu + s.delay if s.delay else tu, s.weight, net.kernel_of(s)))
        firing = first_firing([(a, w, eps) for _, a, w, eps in arrivals], net.thresholds[v])
        if firing is None:
            times[v] = INF
            activations[v] = None
            continue
        t = times[v] = firing.time
        causal = [(i, 0 if len(eps.pieces) == 1 else eps.piece_index(t - a)) for i, a, _, eps in arrivals if a < t]
        activations[v] = Activation(tuple(i for i, _ in causal), tuple(k for _, k in causal), firing.jump)
    return Simulation(net, times, activations)


def realize(net: Network, inputs: Sequence[Time]) -> tuple[Time, ...]:
    """``R(net)(inputs)``: the output firing times."""
    return simulate(net, inputs).outputs


def potential(net: Network, times: Mapping[str, Time], v: str, t: Fraction) -> Fraction:
    """``P_v(t)`` given the firing times of ``v``'s sources."""
    total = Fraction(0)
    for s in net.incoming[v]:
        tu = times[s.source]
        if is_finite(tu):
            total += s.weight * net.kernel_of(s)(t - tu - s.delay)  # type: ignore[operator]
    return total
