"""A spiking network over a box with some neurons' causal sets fixed: those are affine equalities.

``encode_fixed(net, box, bounds, causal)`` is :func:`verisnn.smt.snn.encode` except that a neuron
``v`` in ``causal`` (neuron -> the incoming synapse indices that are causal for every input of the box,
as :func:`verisnn.analyses.verify.snn_fixed.fixed_neurons` proves) surely fires, at
``t_v = (theta + sum_C w_k (t_k + d_k)) / sum_C w_k``: one linear equality instead of a case split
per synapse.  The other neurons are encoded as :func:`~verisnn.smt.snn.encode` encodes them, with
the given sound ``bounds``.
"""

from __future__ import annotations

from collections.abc import Mapping

import z3

from verisnn.core.domain import Box
from verisnn.core.model import Network
from verisnn.core.numbers import is_finite
from verisnn.semantics.bounds import Interval
from verisnn.smt.snn import NetworkEncoding, _encode_compact, _encode_general, _is_compact, _start
from verisnn.smt.terms import and_, implies, name, q, total


def encode_fixed(net: Network, box: Box, bounds: Mapping[str, Interval],
                 causal: Mapping[str, tuple[int, ...]]) -> NetworkEncoding:
    """Encode ``net`` on ``box`` with the neurons of ``causal`` affine (see the module docstring)."""
    enc = _start(net, "", box, None, bounds)
    time, fires, constraints = enc.time, enc.fires, enc.constraints
    compact = set()
    for v in net.order:
        time[v] = z3.Real(name("t", v, ""))
        bv = bounds[v]
        members = causal.get(v)
        if members is not None:
            syn = net.incoming[v]
            weight = sum((syn[k].weight for k in members), start=0)
            fires[v] = z3.BoolVal(True)
            constraints.append(q(weight) * time[v] == total(
                [q(net.thresholds[v])] + [q(syn[k].weight) * enc.arrival(v, k) for k in members]))
        elif _is_compact(net, v):
            compact.add(v)
            _encode_compact(enc, v, bv)
        else:
            _encode_general(enc, v, bv)
        if bv.may_fire:
            window = []
            if is_finite(bv.lo):
                window.append(time[v] >= q(bv.lo))  # type: ignore[arg-type]
            if is_finite(bv.hi):
                window.append(time[v] <= q(bv.hi))  # type: ignore[arg-type]
            if window:
                constraints.append(implies(fires[v], and_(*window)))
        for k, s in enumerate(net.incoming[v]):
            enc.causal[(v, k)] = and_(fires[s.source], fires[v], enc.arrival(v, k) < time[v])
    enc.compact = frozenset(compact)
    return enc
