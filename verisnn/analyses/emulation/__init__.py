"""Emulation both ways, exactly (docs/emulation.md).

* :mod:`~verisnn.analyses.emulation.relu_to_snn`: a ReLU network -> a coded SNN equal to it on a
  box (claim C7), of size linear in the ReLU network's;
* :mod:`~verisnn.analyses.emulation.snn_to_relu`: a one-layer positive SNN -> a ReLU network equal
  to it everywhere (claim C8);
* :mod:`~verisnn.analyses.emulation.gap`: the largest causal gap, i.e. which finite kernels keep an
  emulation exact;
* :mod:`~verisnn.analyses.emulation.layout`: an emulation's neuron names and size.
"""

from __future__ import annotations

from verisnn.analyses.emulation.gap import kernel_keeps_exact, max_causal_gap, min_delta
from verisnn.analyses.emulation.layout import Emulation, EmulationSize, affine_name, gadget_name
from verisnn.analyses.emulation.relu_to_snn import emulate, random_relu, size_formula
from verisnn.analyses.emulation.snn_to_relu import c8_bound, relu_of_snn

__all__ = ["Emulation", "EmulationSize", "affine_name", "c8_bound", "emulate", "gadget_name", "kernel_keeps_exact",
           "max_causal_gap", "min_delta", "random_relu", "relu_of_snn", "size_formula"]
