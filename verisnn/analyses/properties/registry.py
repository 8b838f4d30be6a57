"""The property registry: every checkable property by name, and :func:`check_property`.

Adding a property is one :class:`~verisnn.analyses.properties.base.Property` (its name, optional
parameter parser, decision procedure and monolithic query, with the replay check of its
counterexamples) in a module of this package, listed once in ``REGISTRY`` below; the CLI's
``--property`` help and the docs read the names from :data:`PROPERTIES`.
"""

from __future__ import annotations

from typing import Any

from verisnn.analyses.properties.base import Property
from verisnn.analyses.properties.extrema import BOUNDS
from verisnn.analyses.properties.lipschitz import CONTINUOUS, LIPSCHITZ, TRANSLATION
from verisnn.analyses.properties.order import CONCAVE, MONOTONE
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.results import Result
from verisnn.solvers import SolverOptions

REGISTRY: dict[str, Property] = {p.name: p for p in (MONOTONE, CONCAVE, LIPSCHITZ, TRANSLATION, BOUNDS, CONTINUOUS)}
PROPERTIES: tuple[str, ...] = tuple(REGISTRY)


def parse_property(text: str) -> tuple[str, Any]:
    """``"lipschitz=3/2"`` -> ``("lipschitz", 3/2)``; a property without a parameter carries None."""
    name, sep, arg = text.strip().lower().partition("=")
    spec = REGISTRY.get(name)
    if spec is None:
        usage = ", ".join(p.usage for p in REGISTRY.values() if p.parameter)
        raise InvalidInput(f"unknown property {text!r}; choose from {', '.join(PROPERTIES)} ({usage})")
    if sep and spec.parse is None:
        raise InvalidInput(f"property {name!r} takes no parameter, got {text!r}")
    return name, spec.parse(arg) if sep and spec.parse is not None else None


def check_property(net: Network | ReluNetwork, prop: str, box: Box, options: Any = None) -> Result:
    """Decide ``prop`` for ``net`` on ``box``; see docs/properties.md for each property's exact meaning.

    ``net`` may be a ReLU network for the properties that accept one (``lipschitz``).  Proved
    means the solver showed the negated property unsatisfiable on the whole box; every
    counterexample is replayed exactly before it is reported.
    """
    name, arg = parse_property(prop)
    spec = REGISTRY[name]
    if isinstance(net, ReluNetwork) and not spec.relu:
        accepted = ", ".join(p.name for p in REGISTRY.values() if p.relu)
        raise InvalidInput(f"property {name!r} is for spiking networks; a ReLU network accepts {accepted}")
    if box.dimension != net.dimension:
        raise InvalidInput(f"domain has {box.dimension} intervals but the network has {net.dimension} inputs")
    return spec.decide(net, box, arg, SolverOptions.of(options))
