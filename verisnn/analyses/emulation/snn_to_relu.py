"""One-layer positive SNN -> ReLU network computing the same map (claim C8, docs/emulation.md).

A neuron ``v`` with positive weights, the linear kernel and arrivals ``a_k = t_{u_k} + d_k`` (one
per incoming synapse; a reference's arrival is a constant) fires at

    ``t_v = min over nonempty S of (theta + sum_{k in S} w_k a_k) / W_S``      (docs/model.md)

a minimum of ``K = 2^m - 1`` affine functions of the inputs (``m`` incoming synapses).  A minimum
of two affine values is one ReLU layer: ``min(p, q) = relu(p) - relu(-p) - relu(p - q)``, and an
unpaired value passes as ``relu(p) - relu(-p)``; the output combination of one such layer is
affine, so it folds into the next layer's pre-activations.  A balanced tree of pairwise minima
therefore gives, per spiking neuron with ``m`` synapses (``K = 2^m - 1``):

* depth (affine layers) ``ceil(log2 K) + 1``; for ``m = d`` inputs this is claim C8's
  ``ceil(log2(2^d - 1)) + 1``;
* ReLU units ``U(K) = sum over tree levels of 3 * floor(n/2) + 2 * (n mod 2)`` (``n`` values at
  that level), so ``U(K) <= 3 (K - 1) + 2 ceil(log2 K) < 3 * 2^m + 2m``: ``O(2^d)`` per neuron.

Neurons of one layer with fewer synapses are padded with pass-through units (2 per level) to the
common depth.  Codes are composed in: with input codes ``t = base -/+ x`` and output codes, the
ReLU network maps decoded inputs to decoded outputs, so it is equivalent to the coded SNN in the
sense of :mod:`verisnn.analyses.equivalence`; without codes it maps raw input times to raw output times.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations

from verisnn.core.errors import InvalidNetwork
from verisnn.core.model import Network, ReluLayer, ReluNetwork

# an affine function of the (decoded) inputs: (coefficients, constant)
Affine = tuple[tuple[Fraction, ...], Fraction]


def _check_one_layer(net: Network) -> None:
    if not net.positive_linear:
        bad = next((s for s in net.synapses if s.weight <= 0 or not net.kernel_of(s).is_linear), None)
        raise InvalidNetwork(
            f"C8 needs positive weights and the linear kernel; synapse {bad} has weight "
            f"{bad.weight if bad else '?'} and kernel {net.kernel_of(bad) if bad else '?'}"
        )
    neurons = set(net.incoming)
    for s in net.synapses:
        if s.source in neurons:
            raise InvalidNetwork(f"C8 needs a one-layer network; synapse {s} connects two neurons")
    for o in net.outputs:
        if o not in neurons:
            raise InvalidNetwork(f"output '{o}' is not a spiking neuron of the layer")
        if not net.incoming[o]:
            raise InvalidNetwork(f"output neuron '{o}' has no incoming synapse (it never fires)")


def affine_pieces(net: Network, v: str) -> list[Affine]:
    """The ``2^m - 1`` affine functions of the decoded inputs whose minimum is ``t_v``."""
    d = net.dimension
    index = {name: j for j, name in enumerate(net.inputs)}
    codes = {c.node: c for c in net.codes.inputs} if net.codes is not None else {}
    terms: list[tuple[Fraction, tuple[Fraction, ...], Fraction]] = []  # weight, arrival as affine
    for s in net.incoming[v]:
        coef = [Fraction(0)] * d
        if s.source in index:
            code = codes.get(s.source)
            sign = Fraction(code.sign if code is not None else 1)
            coef[index[s.source]] = sign
            const = (code.base if code is not None else Fraction(0)) + s.delay
        else:
            const = net.reference_times[s.source] + s.delay
        terms.append((s.weight, tuple(coef), const))
    theta = net.thresholds[v]
    pieces: list[Affine] = []
    for size in range(1, len(terms) + 1):
        for subset in combinations(terms, size):
            W = sum(w for w, _, _ in subset)
            coef = tuple(sum(w * c[j] for w, c, _ in subset) / W for j in range(d))
            const = (theta + sum(w * k for w, _, k in subset)) / W
            pieces.append((coef, const))
    return pieces


def _decode(net: Network, v: str, f: Affine) -> Affine:
    """Compose an output's code (``x = base - t`` or ``t - base``) with ``t = f`` (f over any units)."""
    if net.codes is None:
        return f
    code = next((c for c in net.codes.outputs if c.node == v), None)
    if code is None:
        return f
    coef, const = f
    return tuple(code.sign * a for a in coef), code.sign * (const - code.base)


def units_for(k: int) -> int:
    """ReLU units of the pairwise-min tree over ``k`` affine values (see module docstring)."""
    total, n = 0, k
    while n > 1:
        total += 3 * (n // 2) + 2 * (n % 2)
        n = (n + 1) // 2
    return total


def depth_for(k: int) -> int:
    """Affine layers of the min tree over ``k`` values: ``ceil(log2 k) + 1``."""
    return math.ceil(math.log2(k)) + 1 if k > 1 else 1


def relu_of_snn(net: Network) -> ReluNetwork:
    """A ReLU network equal to the one-layer positive SNN ``net`` on all (finite) inputs."""
    _check_one_layer(net)
    # current values, one list per output: each value is an affine map of the previous layer's units
    # represented as (row over previous units, bias); start: previous "units" are the d inputs.
    groups: list[list[tuple[list[Fraction], Fraction]]] = []
    for v in net.outputs:
        groups.append([(list(c), k) for c, k in affine_pieces(net, v)])
    levels = max(math.ceil(math.log2(len(g))) if len(g) > 1 else 0 for g in groups)
    layers: list[ReluLayer] = []
    for _ in range(levels):
        rows: list[list[Fraction]] = []
        bias: list[Fraction] = []
        next_groups = []
        for g in groups:
            nxt = []
            for k in range(0, len(g), 2):
                p_row, p_b = g[k]
                base = len(rows)
                rows.append(list(p_row))
                bias.append(p_b)
                rows.append([-a for a in p_row])
                bias.append(-p_b)
                if k + 1 < len(g):
                    q_row, q_b = g[k + 1]
                    rows.append([a - b for a, b in zip(p_row, q_row)])
                    bias.append(p_b - q_b)
                    nxt.append((base, (1, -1, -1)))
                else:
                    nxt.append((base, (1, -1)))
            next_groups.append(nxt)
        width = len(rows)
        layers.append(ReluLayer(tuple(tuple(r) for r in rows), tuple(bias)))
        groups = []
        for nxt in next_groups:
            vals = []
            for base, signs in nxt:
                row = [Fraction(0)] * width
                for off, sgn in enumerate(signs):
                    row[base + off] = Fraction(sgn)
                vals.append((row, Fraction(0)))
            groups.append(vals)
    out_rows = []
    out_bias = []
    for v, g in zip(net.outputs, groups):
        (row, b), = g  # the tree has reduced every group to its minimum
        row_d, b_d = _decode(net, v, (tuple(row), b))  # the output code applies to the minimum
        out_rows.append(row_d)
        out_bias.append(b_d)
    layers.append(ReluLayer(tuple(out_rows), tuple(out_bias)))
    return ReluNetwork(tuple(layers))


def c8_bound(m: int) -> dict[str, int]:
    """Documented depth and units per spiking neuron with ``m`` incoming synapses."""
    k = 2**m - 1
    return {"pieces": k, "depth": depth_for(k), "units": units_for(k),
            "units_bound": 3 * (k - 1) + 2 * math.ceil(math.log2(k)) if k > 1 else 0}
