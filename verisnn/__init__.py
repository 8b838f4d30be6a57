"""verisnn: formal verification and exact simulation of spiking neural networks (SRM)."""

__version__ = "0.1.0"
