"""One neuron's firing-time lemma as solver constraints (the compositional equivalence proof).

A :class:`Lemma` says: for every value of its variables ``y`` in ``ranges`` (a box), if the
neuron's incoming spikes arrive at the given affine functions of ``y``, the neuron fires exactly at
its target ``t*(y)`` (affine, ``base + max(0, z(y))``, or a one-variable PWL function).  It is
checked from the definition ``t_v = min {t : P_v(t) >= theta_v}``: :func:`lemma_constraints` is
satisfiable iff the lemma fails, i.e. iff some ``y`` and ``s`` have ``s < t*(y)`` and
``P(s) >= theta`` (an earlier crossing), or ``P(t*(y)) < theta`` (no crossing at ``t*``), with ``P``
the exact potential (kernels as guarded sums, :func:`verisnn.smt.terms.kernel_term`).  For
nondecreasing kernels the query also says ``s >= e`` for the first crossing ``e`` of the potential
with every excitatory spike at its earliest and every inhibitory one at its latest arrival
(:func:`earliest_crossing`; ``P <= P_up`` pointwise, so no crossing happens before ``e``), a sound
restriction that lets the solver settle the guards of a wide neuron by bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import z3

from verisnn.core.kernels import Kernel
from verisnn.semantics.relu import affine_range
from verisnn.semantics.simulate import first_firing
from verisnn.smt.terms import Term, affine, kernel_term, q, total

Affine = tuple[tuple[Fraction, ...], Fraction]  # (coefficients over the lemma's variables, constant)
Pieces = tuple[tuple[Fraction, Fraction, Fraction], ...]  # (from, slope, intercept), one variable


@dataclass(frozen=True)
class Lemma:
    """One neuron's lemma: for all values of the variables in ``ranges``, ``neuron`` fires at its target."""

    neuron: str
    label: str
    ranges: tuple[tuple[Fraction, Fraction], ...]
    arrivals: tuple[Affine, ...]  # arrival time of each incoming synapse
    weights: tuple[Fraction, ...]
    kernels: tuple[Kernel, ...]
    theta: Fraction
    target: Affine | None  # affine target, or None for a ReLU gadget / PWL target
    relu_target: tuple[tuple[Fraction, ...], Fraction, Fraction] | None = None  # (coef, const, base): base+max(0,.)
    # one variable: pieces (from, slope, intercept), each valid from ``from`` to the next piece's
    pwl_target: Pieces | None = None


def earliest_crossing(lemma: Lemma) -> Fraction | None | bool:
    """A time before which the lemma's neuron cannot reach its threshold, for any variable values.

    Returns the first crossing of ``P_up`` (see the module docstring), ``False`` if ``P_up`` never
    reaches ``theta`` (the neuron never fires), or ``None`` if a kernel is not nondecreasing (no
    such time is claimed).
    """
    if not all(k.is_nondecreasing for k in lemma.kernels):
        return None
    up = []
    for w, kern, (coef, const) in zip(lemma.weights, lemma.kernels, lemma.arrivals):
        lo, hi = affine_range(coef, const, lemma.ranges)
        if w > 0:
            up.append((lo, w, kern))
        elif w < 0:
            up.append((hi, w, kern))
    first = first_firing(up, lemma.theta)
    return False if first is None else first.time


def pwl_term(pieces: Pieces, u: Term) -> Term:
    """``slope * u + intercept`` of the last piece whose start is ``<= u``, as an If-chain."""
    term = q(pieces[-1][1]) * u + q(pieces[-1][2])
    for (_, slope, icpt), (start, _, _) in zip(reversed(pieces[:-1]), reversed(pieces[1:])):
        term = z3.If(u < q(start), q(slope) * u + q(icpt), term)
    return term


def lemma_constraints(lemma: Lemma) -> tuple[list[z3.BoolRef], list[Term]]:
    """Constraints satisfiable iff the lemma fails, and the variables ``y`` (see the module docstring)."""
    ys: list[Term] = [z3.Real(f"y[{k}]@{lemma.neuron}") for k in range(len(lemma.ranges))]
    cons: list[z3.BoolRef] = [z3.And(q(lo) <= y, y <= q(hi)) for y, (lo, hi) in zip(ys, lemma.ranges)]
    if lemma.target is not None:
        t_star = affine(lemma.target[0], lemma.target[1], ys)
    elif lemma.pwl_target is not None:
        t_star = pwl_term(lemma.pwl_target, ys[0])
    else:
        assert lemma.relu_target is not None
        coef, const, base = lemma.relu_target
        z = affine(coef, const, ys)
        t_star = q(base) + z3.If(z > 0, z, q(0))
    s = z3.Real(f"s@{lemma.neuron}")
    arrivals = [affine(c, k, ys) for c, k in lemma.arrivals]

    def potential(at: Term) -> Term:
        return total([q(w) * kernel_term(kern, at - a) for w, kern, a in zip(lemma.weights, lemma.kernels, arrivals)
                      if w != 0])

    theta = q(lemma.theta)
    earliest = earliest_crossing(lemma)
    if earliest is False:
        early = z3.BoolVal(False)
    else:
        early = z3.And(s < t_star, potential(s) >= theta, *([s >= q(earliest)] if earliest is not None else []))
    late = potential(t_star) < theta
    cons.append(z3.Or(early, late))
    return cons, ys
