"""The data of a ReLU -> SNN emulation: its neuron names, exact size and what it was built from.

Unit ``i`` of affine layer ``l`` of the ReLU network is the affine neuron ``a<l>_<i>`` and, for a
hidden unit, the ReLU gadget ``g<l>_<i>`` (docs/emulation.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from verisnn.core.domain import Box
from verisnn.core.model import Network, ReluNetwork
from verisnn.semantics.relu import Range


@dataclass(frozen=True)
class EmulationSize:
    """Exact size of an emulating network and of the ReLU network it came from."""

    relu_units: int  # N
    depth: int  # L, affine layers
    input_dim: int  # d
    outputs: int  # n
    neurons: int
    layers: int
    references: int
    synapses: int

    def to_json(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Emulation:
    """The coded SNN of C7 with what it was built from: bases, intervals, size."""

    network: Network
    relu: ReluNetwork
    box: Box
    bases: tuple[Fraction, ...]  # C_1 .. C_L
    intervals: tuple[tuple[Range, ...], ...]
    size: EmulationSize
    gap: Fraction  # interval upper bound of the largest causal gap (see min_delta)
    notes: dict = field(default_factory=dict)


def affine_name(layer: int, unit: int) -> str:
    return f"a{layer}_{unit}"


def gadget_name(layer: int, unit: int) -> str:
    return f"g{layer}_{unit}"
