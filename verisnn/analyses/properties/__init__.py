"""Properties of a network's realization on a box, decided exactly (``verisnn check``, docs/properties.md).

``check_property(net, prop, box, options) -> Result`` for ``prop`` in :data:`PROPERTIES`:
``monotone``, ``concave`` (:mod:`.order`), ``lipschitz[=L]``, ``translation``, ``continuous``
(:mod:`.lipschitz`), ``bounds`` (:mod:`.extrema`); the registry is :mod:`.registry`.  Silent
outputs are ``+inf``.  Every counterexample is replayed in the exact simulator and the violated
relation re-checked on its outputs before it is reported; a mismatch raises InternalError.
"""

from verisnn.analyses.properties.registry import PROPERTIES, REGISTRY, check_property, parse_property

__all__ = ["PROPERTIES", "REGISTRY", "check_property", "parse_property"]
