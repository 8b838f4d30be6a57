"""Finite kernels: the largest causal gap of an emulation, and which kernels keep it exact.

On ``[0, delta)`` the built-in kernels equal the linear one, and a neuron's potential up to its
firing time ``t_v`` only reads its kernels at ``t_v - t_u - d``.  So an emulation stays exact with
``box(delta)`` if ``delta > G`` and with ``saturating(delta)`` / ``triangle(delta)`` if
``delta >= G``, where ``G`` is the largest causal gap ``t_v - t_u - d`` over all synapses and all
inputs of the box (docs/emulation.md).  :func:`max_causal_gap` finds ``G`` exactly by one
maximisation per synapse over the ReLU network's exact encoding (through :mod:`verisnn.solvers`),
each optimum confirmed by an unsat query that nothing in the box exceeds it.
"""

from __future__ import annotations

from fractions import Fraction

from verisnn.analyses.emulation.layout import Emulation, affine_name, gadget_name
from verisnn.core.kernels import Kernel
from verisnn.smt.relu import encode_relu
from verisnn.smt.terms import Term, affine, q, variables
from verisnn.solvers import OptStatus, SolverOptions, Status, decide, optimize


def linear_reach(kernel: Kernel) -> Fraction | None:
    """How far the kernel equals ``s`` (None: forever); 0 if its first piece is not ``s``."""
    first = kernel.pieces[0]
    if first.slope != 1:
        return Fraction(0)
    if len(kernel.pieces) == 1:
        return None
    return kernel.pieces[1].start


def kernel_keeps_exact(kernel: Kernel, gap: Fraction) -> bool:
    """True if ``kernel`` agrees with the linear one on every causal gap up to ``gap``."""
    reach = linear_reach(kernel)
    if reach is None:
        return True
    nxt = kernel.pieces[1]
    continuous = nxt.value == reach  # the second piece starts where s would be
    return gap < reach or (continuous and gap <= reach)


def max_causal_gap(em: Emulation, timeout: float = 30.0) -> Fraction | None:
    """The exact sup over the box of the longest causal gap ``t_v - t_u - d`` in ``em`` (None if the solver gives up).

    Firing times are written through the ReLU network's exact encoding (``t`` of an affine neuron
    is ``C_l - z``, of a gadget ``C_l + relu(z)``), which is what the emulation realizes on the box
    (checked separately by :func:`verisnn.analyses.equivalence.check_equivalence`).
    """
    relu, box, net = em.relu, em.box, em.network
    xs = variables("x", relu.dimension)
    enc = encode_relu(relu, xs, "gap", box)
    L = len(relu.layers)
    times: dict[str, Term] = {f"x{j}": x for j, x in enumerate(xs)}
    for r in net.references:
        times[r.name] = q(r.time)
    minus, plus = (Fraction(-1),), (Fraction(1),)
    for li in range(1, L + 1):
        for i in range(len(relu.layers[li - 1].weights)):
            times[affine_name(li, i)] = affine(minus, em.bases[li - 1], [enc.pre[li - 1][i]])
            if li < L:
                times[gadget_name(li, i)] = affine(plus, em.bases[li - 1], [enc.units[li - 1][i]])
    best = Fraction(0)
    for s in net.synapses:
        gap = affine((Fraction(1), Fraction(-1)), -s.delay, [times[s.target], times[s.source]])
        options = SolverOptions(timeout=timeout)
        sup = optimize(enc.constraints + [gap > q(0)], gap, True, options)
        if sup.status in (OptStatus.UNKNOWN, OptStatus.UNBOUNDED):
            return None
        if sup.status is OptStatus.OPTIMAL:
            # the optimiser's value is a candidate: it is the sup only if no point of the box exceeds it
            if decide(enc.constraints + [gap > q(sup.value)], options).status is not Status.UNSAT:
                return None
            best = max(best, sup.value)  # the supremum, attained or not
    return best


def min_delta(em: Emulation, exact: bool = True, timeout: float = 30.0,
              max_synapses: int = 400) -> tuple[Fraction, bool]:
    """The largest causal gap ``G`` of the emulation over its box, and whether it is exact.

    With ``exact`` the sup of ``t_v - t_u`` over causal synapses is found by optimising over the
    ReLU network's exact encoding (a maximisation per synapse); if the solver gives up, the sound
    interval upper bound ``em.gap`` is returned with ``False`` (also, to bound the time, for networks
    of more than ``max_synapses`` synapses).  The construction is exact with
    ``saturating/triangle(delta)`` for ``delta >= G`` and with ``box(delta)`` for ``delta > G``.
    """
    if not exact or len(em.network.synapses) > max_synapses:
        return em.gap, False
    value = max_causal_gap(em, timeout)
    if value is None:
        return em.gap, False
    return value, True
