"""Either side of an equivalence as an exact map from input values to output values.

A ReLU network is evaluated as it is (:func:`verisnn.semantics.relu.trace`); a spiking network
spikes at its input codes' times (``base - x`` / ``base + x``; an uncoded input spikes at ``x``)
and its outputs are decoded through the output codes (raw firing times when uncoded; a silent
output decodes to ``-inf`` / ``+inf``), see docs/emulation.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from verisnn.core.domain import Box
from verisnn.core.errors import InternalError, InvalidInput
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.numbers import Time, fmt
from verisnn.core.results import Counterexample
from verisnn.semantics.relu import trace
from verisnn.semantics.simulate import simulate

Side = Network | ReluNetwork


def input_times(net: Network, x: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """Spike times of ``net``'s inputs for the values ``x`` (through its input codes)."""
    codes = {c.node: c for c in net.codes.inputs} if net.codes is not None else {}
    return tuple(codes[n].encode(v) if n in codes else v for n, v in zip(net.inputs, x))


def evaluate(side: Side, x: Sequence[Fraction]) -> tuple[Time, ...]:
    """The exact output values of ``side`` at the values ``x`` (decoded SNN outputs, or ReLU outputs)."""
    if isinstance(side, ReluNetwork):
        return trace(side, x).outputs
    return simulate(side, input_times(side, x)).decoded_outputs()


def time_box(net: Network, box: Box) -> Box:
    """The box of input spike times that the value box maps to."""
    lo, hi = [], []
    codes = {c.node: c for c in net.codes.inputs} if net.codes is not None else {}
    for n, a, b in zip(net.inputs, box.lo, box.hi):
        c = codes.get(n)
        ends = (a, b) if c is None else (c.encode(a), c.encode(b))
        lo.append(min(ends))
        hi.append(max(ends))
    return Box(tuple(lo), tuple(hi))


def n_outputs(side: Side) -> int:
    return side.n_outputs if isinstance(side, ReluNetwork) else len(side.outputs)


def check_shapes(a: Side, b: Side, box: Box) -> None:
    """InvalidInput unless both sides take ``box``'s dimension and have as many outputs."""
    for name, side in (("first", a), ("second", b)):
        if side.dimension != box.dimension:
            raise InvalidInput(f"domain has {box.dimension} intervals but the {name} network has "
                               f"{side.dimension} inputs")
    na, nb = n_outputs(a), n_outputs(b)
    if na != nb:
        raise InvalidInput(f"the networks have different numbers of outputs: {na} and {nb}")


def counterexample(a: Side, b: Side, x: tuple[Fraction, ...], where: str) -> Counterexample:
    """Replay ``x`` in both exact evaluators; raise InternalError if they agree there."""
    ya, yb = evaluate(a, x), evaluate(b, x)
    if ya == yb:
        raise InternalError(f"{where}: solver model x={[fmt(v) for v in x]} does not separate the networks "
                            f"in the exact evaluators (both give {[fmt(v) for v in ya]})")
    k = next(i for i, (u, v) in enumerate(zip(ya, yb)) if u != v)
    relation = (f"output {k} differs at x=[{', '.join(fmt(v) for v in x)}]: first network gives {fmt(ya[k])}, "
                f"second gives {fmt(yb[k])}")
    return Counterexample((x,), (ya, yb), relation)
