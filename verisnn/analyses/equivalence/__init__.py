"""Exact equivalence of two networks on a box: (coded SNN, ReLU), (SNN, SNN), (ReLU, ReLU).

Both sides are read as maps from input *values* in the box to output values
(:mod:`~verisnn.analyses.equivalence.sides`); equivalence means equal outputs for every value in
the box, exactly.  Two strategies (docs/emulation.md): *monolithic*
(:mod:`~verisnn.analyses.equivalence.monolithic`, any pair, one query, proves or refutes with a
replayed counterexample) and *compositional* (:mod:`~verisnn.analyses.equivalence.compositional`,
an emulation and its ReLU network, one lemma per neuron, proves or says unknown).
"""

from __future__ import annotations

from verisnn.analyses.equivalence.compositional import (
    LemmaCheck,
    Progress,
    check_compositional,
    check_lemma,
    compositional_lemmas,
)
from verisnn.analyses.equivalence.monolithic import check_monolithic
from verisnn.analyses.equivalence.sides import Side, check_shapes, evaluate, input_times, time_box
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.results import Result, Verdict
from verisnn.solvers import SolverOptions

STRATEGIES = ("auto", "monolithic", "compositional")


def check_equivalence(a: Side, b: Side, box: Box, strategy: str = "auto", options: SolverOptions | None = None,
                      progress: Progress | None = None, check: LemmaCheck | None = None) -> Result:
    """Exact equivalence of ``a`` and ``b`` on ``box``: proved, refuted (replayed counterexample) or unknown.

    ``auto``: compositional when one side is a coded SNN with the emulation's structure and the
    other a ReLU network, falling back to monolithic when that is not proved; else monolithic.
    ``check`` checks the compositional lemmas elsewhere (see :func:`check_compositional`).
    """
    if strategy not in STRATEGIES:
        raise InvalidInput(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    check_shapes(a, b, box)
    pair = _snn_relu(a, b)
    if strategy == "compositional":
        if pair is None:
            raise InvalidInput("the compositional strategy needs one coded spiking network and one ReLU network")
        return check_compositional(pair[0], pair[1], box, options, progress, check)
    if strategy == "auto" and pair is not None:
        result = check_compositional(pair[0], pair[1], box, options, progress, check)
        if result.verdict is Verdict.PROVED:
            return result
        first = result.reason
        result = check_monolithic(a, b, box, options)
        details = dict(result.details)
        details["compositional"] = first
        return Result(result.subject, result.verdict, result.seconds, result.counterexample, result.reason,
                      result.size, result.mode, details)
    return check_monolithic(a, b, box, options)


def _snn_relu(a: Side, b: Side) -> tuple[Network, ReluNetwork] | None:
    if isinstance(a, Network) and isinstance(b, ReluNetwork):
        return a, b
    if isinstance(b, Network) and isinstance(a, ReluNetwork):
        return b, a
    return None


__all__ = [
    "STRATEGIES",
    "Side",
    "check_compositional",
    "check_equivalence",
    "check_lemma",
    "check_monolithic",
    "compositional_lemmas",
    "evaluate",
    "input_times",
    "time_box",
]
