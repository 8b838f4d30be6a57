"""ReLU network -> coded spiking network, exact on a box (claim C7, docs/emulation.md).

Construction (linear kernel, every number exact).  Write ``L`` for the number of affine layers of
the ReLU network ``Psi`` (``L - 1`` hidden ReLU layers), ``N`` for its ReLU units (hidden units),
``n`` for its outputs and ``d`` for its input dimension.  Values travel as spike times:

* **inputs** use the positive code with base 0: input ``x_j`` spikes at time ``x_j``;
* the hidden value ``y = relu(z)`` of unit ``i`` of layer ``l`` is a spike of the **ReLU gadget**
  ``g<l>_<i>`` at ``C_l + y`` (positive code, one base ``C_l`` per layer);
* its pre-activation ``z`` is a spike of the **affine neuron** ``a<l>_<i>`` at ``C_l - z``
  (negative code); the outputs are the affine neurons ``a<L>_<i>`` with negative output codes
  of base ``C_L``.

*Affine neuron* for ``z = sum_j a_j y_j + b`` with sources spiking at ``s_j = B + y_j``: synapse
weights ``-a_j`` from the sources, ``1 + sum_j a_j`` from one reference at time ``r``, so the
weights sum to 1.  Once every spike has arrived the potential is ``t - sum_k w_k s_k`` and the
neuron fires at ``theta + sum_k w_k s_k = C - z``.  It must not fire earlier: before the last
arrival ``H`` (the latest possible arrival over the box) the potential is at most
``sum_{w_k > 0} w_k (H - lo_k)`` (``lo_k`` the earliest arrival of source ``k``), so
``theta >= that bound`` suffices; this is where the box enters (interval bounds of the
pre-activations, exact interval arithmetic), and outside the box an inhibitory spike can arrive
too late and the neuron fires early.  The thresholds of a layer are shifted so that all its
neurons share one base ``C_l`` (the layer's widest neuron gets the tight threshold).

*ReLU gadget*: references at ``C - c`` and ``C`` (weight 1 each), the affine spike at
``C - z`` with weight -1, threshold ``c``: fires at ``C + max(0, z)`` for every real ``z``.

Size, exactly (tested in ``tests/test_emulate.py``):

* spiking neurons ``2N + n`` (an affine neuron per unit and output, a gadget per hidden unit),
* spiking layers (longest path of neurons) ``2L - 1`` (fewer only if zero weights cut every path),
* references ``2L - 1`` (one for the first affine layer at the box's latest input time; per hidden
  layer ``C_l - c`` and ``C_l``, the latter shared by the next affine layer),
* synapses ``nnz(W) + 3N + (number of affine neurons whose row sum is not -1)``, at most
  ``nnz(W) + 4N + n``.

**Finite kernels.**  On ``[0, delta)`` the built-in kernels equal the linear one, and a neuron's
potential up to its firing time ``t_v`` only reads its kernels at ``t_v - t_u - d``.  So the
construction stays exact with ``box(delta)`` if ``delta > G`` and with ``saturating(delta)`` /
``triangle(delta)`` if ``delta >= G``, where ``G`` is the largest causal gap ``t_v - t_u`` over
all synapses and all inputs of the box;   :func:`verisnn.analyses.emulation.gap.min_delta` computes ``G`` exactly (an
optimisation query) or as an interval upper bound.  ``G`` is the smallest delta for which the
construction's own argument holds (every causal spike still rising at the firing time); the
realized map can stay equal for a somewhat smaller delta (a spike that has saturated may no longer
matter), which :func:`verisnn.analyses.equivalence.check_equivalence` decides exactly for any given kernel.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from verisnn.analyses.emulation.gap import kernel_keeps_exact, min_delta
from verisnn.analyses.emulation.layout import Emulation, EmulationSize, affine_name, gadget_name
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.kernels import Kernel, linear
from verisnn.core.model import Code, Codes, Network, Neuron, Reference, ReluLayer, ReluNetwork, Synapse
from verisnn.core.numbers import fmt
from verisnn.semantics.relu import pre_activation_ranges


def emulate(relu: ReluNetwork, box: Box, kernel: Kernel | None = None, c: Fraction = Fraction(1)) -> Emulation:
    """The coded SNN ``Phi`` with ``R(Phi)(x) = Psi(x)`` for every ``x`` in ``box`` (see module doc).

    ``kernel`` defaults to ``linear``; a finite kernel is accepted only if it keeps the
    construction exact on the box (its first piece is ``s`` and lasts long enough, see
    :func:`min_delta`), else :class:`InvalidInput` names the smallest delta that would do.
    """
    c = Fraction(c)
    if c <= 0:
        raise InvalidInput(f"gadget constant c must be > 0, got {fmt(c)}")
    intervals = pre_activation_ranges(relu, box)
    L = len(relu.layers)
    neurons: list[Neuron] = []
    synapses: list[Synapse] = []
    refs: list[Reference] = []
    # sources of the current affine layer: (name, base, earliest arrival, latest arrival)
    sources = [(f"x{j}", Fraction(0), box.lo[j], box.hi[j]) for j in range(relu.dimension)]
    ref_name, ref_time = "r0", max(box.hi)
    refs.append(Reference(ref_name, ref_time))
    bases: list[Fraction] = []
    gaps: list[Fraction] = []
    for li, layer in enumerate(relu.layers, start=1):
        # per affine neuron: its reference weight, threshold need and shift, where it fires at
        # theta + sum_k w_k s_k = theta + shift - z  (s_j = B_j + y_j, w_j = -a_j; see module doc)
        plans = []
        for row, b in zip(layer.weights, layer.bias):
            w_ref = 1 + sum(row)
            arrivals = [(-a, lo, hi) for a, (_, _, lo, hi) in zip(row, sources) if a != 0]
            if w_ref != 0:
                arrivals.append((w_ref, ref_time, ref_time))
            latest = max(hi for _, _, hi in arrivals)
            bound = sum((w * (latest - lo) for w, lo, _ in arrivals if w > 0), Fraction(0))
            need = bound if bound > 0 else Fraction(1)
            shift = b - sum((a * s[1] for a, s in zip(row, sources)), Fraction(0)) + w_ref * ref_time
            plans.append((row, w_ref, need, shift))
        base = max(need + shift for _, _, need, shift in plans)
        bases.append(base)
        new_sources = []
        for i, (row, w_ref, _, shift) in enumerate(plans):
            theta = base - shift
            name = affine_name(li, i)
            neurons.append(Neuron(name, theta))
            for a, (src, _, _, _) in zip(row, sources):
                if a != 0:
                    synapses.append(Synapse(src, name, -a))
            if w_ref != 0:
                synapses.append(Synapse(ref_name, name, w_ref))
            zlo, zhi = intervals[li - 1][i]
            # causal gap bound: firing at most base - zlo, arrivals at least their earliest time
            t_hi = base - zlo
            gaps.extend(t_hi - lo for a, (_, _, lo, _) in zip(row, sources) if a != 0)
            if w_ref != 0:
                gaps.append(t_hi - ref_time)
            if li < L:
                g = gadget_name(li, i)
                neurons.append(Neuron(g, c))
                synapses.append(Synapse(f"c{li}a", g, Fraction(1)))
                synapses.append(Synapse(f"c{li}b", g, Fraction(1)))
                synapses.append(Synapse(name, g, Fraction(-1)))
                ylo, yhi = max(zlo, Fraction(0)), max(zhi, Fraction(0))
                # gadget fires at base + y <= base + yhi; ref a at base - c, ref b at base, data at >= base - zhi
                gaps.extend([c + yhi, yhi, yhi + zhi if zhi > 0 else Fraction(0)])
                new_sources.append((g, base, base + ylo, base + yhi))
        if li < L:
            refs.append(Reference(f"c{li}a", base - c))
            refs.append(Reference(f"c{li}b", base))
            ref_name, ref_time = f"c{li}b", base
            sources = new_sources
    outputs = tuple(affine_name(L, i) for i in range(relu.n_outputs))
    codes = Codes(
        tuple(Code(f"x{j}", "positive", Fraction(0)) for j in range(relu.dimension)),
        tuple(Code(o, "negative", bases[-1]) for o in outputs),
    )
    used_refs = {s.source for s in synapses}
    refs = [r for r in refs if r.name in used_refs]
    kern = kernel if kernel is not None else linear()
    gap = max(gaps) if gaps else Fraction(0)
    net = Network(tuple(f"x{j}" for j in range(relu.dimension)), tuple(neurons), tuple(synapses), outputs,
                  tuple(refs), linear(), codes)
    size = EmulationSize(relu.hidden_units, L, relu.dimension, relu.n_outputs, len(neurons), 2 * L - 1,
                         len(refs), len(synapses))
    em = Emulation(net, relu, box, tuple(bases), tuple(tuple(x) for x in intervals), size, gap)
    if kern.is_linear:
        return em
    if not kernel_keeps_exact(kern, gap):  # the interval bound is not enough: try the exact sup
        sup, is_exact = min_delta(em)
        if not is_exact or not kernel_keeps_exact(kern, sup):
            _too_short(kern, sup)
    return Emulation(_with_kernel(net, kern), relu, box, em.bases, em.intervals, size, gap)


def _with_kernel(net: Network, kernel: Kernel) -> Network:
    return Network(net.inputs, net.neurons, net.synapses, net.outputs, net.references, kernel, net.codes)


def _with_kernel(net: Network, kernel: Kernel) -> Network:
    return Network(net.inputs, net.neurons, net.synapses, net.outputs, net.references, kernel, net.codes)


def _too_short(kernel: Kernel, gap: Fraction) -> None:
    raise InvalidInput(
        f"kernel {kernel} is too short for this box: the construction needs the kernel to equal s on "
        f"[0, {fmt(gap)}] (delta >= {fmt(gap)}, strictly more for box kernels)"
    )


def size_formula(relu: ReluNetwork) -> dict[str, int]:
    """The documented size as a function of ``N``, ``L``, ``n`` (and the weights for synapses)."""
    N, L, n = relu.hidden_units, len(relu.layers), relu.n_outputs
    nnz = sum(1 for layer in relu.layers for row in layer.weights for a in row if a != 0)
    with_ref = sum(1 for layer in relu.layers for row in layer.weights if 1 + sum(row) != 0)
    return {"neurons": 2 * N + n, "layers": 2 * L - 1, "references": 2 * L - 1,
            "synapses": nnz + 3 * N + with_ref}


def random_relu(d: int, widths: Sequence[int], outputs: int, seed: int = 0, scale: int = 4,
                span: int = 8) -> ReluNetwork:
    """A seeded random ReLU network ``d-[widths]-outputs`` with weights and biases in ``k/scale``, ``|k| <= span``.

    Hidden layers are scaled by ``1/sqrt(fan-in)`` (rounded to a rational) so deep networks keep
    their values, and unstable units, in a moderate range.
    """
    import math
    import random

    rng = random.Random(seed)
    layers = []
    prev = d
    for width in [*widths, outputs]:
        norm = max(1, round(math.sqrt(prev)))
        rows = tuple(tuple(Fraction(rng.randint(-span, span), scale * norm) for _ in range(prev)) for _ in range(width))
        bias = tuple(Fraction(rng.randint(-span, span), scale * norm) for _ in range(width))
        layers.append(ReluLayer(rows, bias))
        prev = width
    return ReluNetwork(tuple(layers))
