"""Neurons whose causal set is fixed on a box: their firing time is an affine function of their sources'.

Take a neuron ``v`` whose incoming kernels are all linear, whose sources either surely fire, each in a
window ``[lo_k, hi_k]`` (arriving ``d_k`` later), or are surely silent.  For a candidate set ``C`` of
sources with ``W = sum_C w_k > 0`` let ``T_C = (theta + sum_C w_k (t_k + d_k)) / W`` and ``A`` the
latest arrival of ``C`` over the box.  If over the whole box

1. every source of ``C`` arrives no later than ``min T_C``,
2. every other firing source arrives no earlier than ``max T_C``, and
3. ``sum_{k in C, w_k > 0} w_k (A - lo_k - d_k)^+ <= theta``,

then ``v`` fires at ``T_C`` for every input of the box: before ``A`` the potential is at most the
excitatory part ``g(t) = sum_{C, w > 0} w (t - a_k)^+``, which is either 0 or strictly below
``g(A) <= theta``; from ``A`` on only ``C`` has arrived until ``T_C`` and the potential
``W t - sum_C w_k a_k`` rises to ``theta`` exactly at ``T_C``.  Candidates are the prefixes of the
sources ordered by their latest arrival.

:func:`fixed_neurons` finds these neurons, and composes their affine maps into *forms*: a firing
time as an exact affine function of the input times and of the times of the neurons that are not
affine (each with its window), the symbolic bounds used to prove properties without a solver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from verisnn.core.model import Network
from verisnn.core.numbers import is_finite
from verisnn.semantics.bounds import Interval

Form = tuple[dict[str, Fraction], Fraction]  # atomic node -> coefficient, constant


@dataclass(frozen=True)
class Fixed:
    """The affine neurons (neuron -> causal synapse indices), forms and windows of every node."""

    causal: Mapping[str, tuple[int, ...]]
    forms: Mapping[str, Form]
    windows: Mapping[str, tuple[Fraction, Fraction]]  # atomic nodes (inputs, non-affine settled neurons)


def _range(form: Form, windows: Mapping[str, tuple[Fraction, Fraction]]) -> tuple[Fraction, Fraction]:
    coeffs, const = form
    lo = hi = const
    for u, c in coeffs.items():
        a, b = windows[u]
        lo += c * (a if c > 0 else b)
        hi += c * (b if c > 0 else a)
    return lo, hi


def fixed_neurons(net: Network, bounds: Mapping[str, Interval]) -> Fixed:
    """Find the neurons with a fixed causal set on the box of ``bounds`` (see the module docstring)."""
    forms: dict[str, Form] = {}
    windows: dict[str, tuple[Fraction, Fraction]] = {}
    win: dict[str, tuple[Fraction, Fraction] | None] = {}  # every node: a settled window, or None
    for x in net.inputs:
        b = bounds[x]
        windows[x] = (b.lo, b.hi)  # type: ignore[assignment]
        forms[x] = ({x: Fraction(1)}, Fraction(0))
        win[x] = windows[x]
    for r in net.references:
        forms[r.name] = ({}, r.time)
        win[r.name] = (r.time, r.time)
    causal: dict[str, tuple[int, ...]] = {}
    silent = {u for u, b in bounds.items() if not b.may_fire}
    for v in net.order:
        b = bounds[v]
        found = _candidate(net, v, win, silent)
        if found is not None:
            members, weight = found
            coeffs: dict[str, Fraction] = {}
            const = net.thresholds[v]
            for k in members:
                s = net.incoming[v][k]
                sc, sk = forms[s.source]
                for u, c in sc.items():
                    coeffs[u] = coeffs.get(u, Fraction(0)) + s.weight * c
                const += s.weight * (sk + s.delay)
            form = ({u: c / weight for u, c in coeffs.items() if c != 0}, const / weight)
            forms[v] = form
            causal[v] = members
            lo, hi = _range(form, windows)
            if b.settled:
                lo, hi = max(lo, b.lo), min(hi, b.hi)  # type: ignore[type-var]
            win[v] = (lo, hi)
        elif b.settled:
            windows[v] = (b.lo, b.hi)  # type: ignore[assignment]
            forms[v] = ({v: Fraction(1)}, Fraction(0))
            win[v] = windows[v]
        else:
            win[v] = None
    return Fixed(causal, forms, windows)


def _candidate(net: Network, v: str, win: Mapping[str, tuple[Fraction, Fraction] | None], silent: set[str]
               ) -> tuple[tuple[int, ...], Fraction] | None:
    incoming = net.incoming[v]
    arrivals: list[tuple[Fraction, Fraction, int]] = []  # (earliest, latest, synapse index) of firing sources
    for k, s in enumerate(incoming):
        if s.weight == 0 or s.source in silent:
            continue
        if not net.kernel_of(s).is_linear:
            return None
        w = win.get(s.source)
        if w is None:
            return None  # may be silent or has no finite window: not handled
        arrivals.append((w[0] + s.delay, w[1] + s.delay, k))
    if not arrivals:
        return None
    arrivals.sort(key=lambda a: a[1])
    theta = net.thresholds[v]
    for cut in range(1, len(arrivals) + 1):
        if cut < len(arrivals) and arrivals[cut][1] == arrivals[cut - 1][1]:
            continue  # a prefix ends between equal latest arrivals only at the last of them
        members = arrivals[:cut]
        weight = sum((incoming[k].weight for _, _, k in members), Fraction(0))
        if weight <= 0:
            continue
        t_lo = theta
        t_hi = theta
        for lo, hi, k in members:
            w = incoming[k].weight
            t_lo += w * (lo if w > 0 else hi)
            t_hi += w * (hi if w > 0 else lo)
        t_lo, t_hi = t_lo / weight, t_hi / weight
        latest = members[-1][1]
        if latest > t_lo:
            continue
        if any(lo < t_hi for lo, _, _ in arrivals[cut:]):
            continue
        excit = sum((incoming[k].weight * max(Fraction(0), latest - lo) for lo, _, k in members
                     if incoming[k].weight > 0), Fraction(0))
        if excit <= theta and is_finite(t_hi):
            return tuple(sorted(k for _, _, k in members)), weight
    return None
