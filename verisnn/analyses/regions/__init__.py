"""Causal regions: exact enumeration, counting, solver proofs and certificates (docs/regions.md).

**What is counted.**  For a spiking network the causal pattern of an input is
:attr:`verisnn.semantics.simulate.Simulation.pattern`; for a ReLU network it is the activation
pattern (unit ``active`` iff its pre-activation is ``> 0``).  The *count* is the number of
patterns ``p`` such that ``{x in D : pattern(x) = p}`` has nonempty interior (relative to the
domain ``D``: a box whose degenerate intervals ``lo:lo`` fix some inputs, or all of ``Q^d``).
Patterns realized only on lower-dimensional sets (boundaries, ties) are not counted; see
:func:`patterns_by_dimension` for those.

**Modules.**  :mod:`.space` (the domain as free variables), :mod:`.sweep` (one neuron's symbolic
step), :mod:`.enumerate` (the split tree, :func:`count_regions`), :mod:`.maps` (pieces and their
replay), :mod:`.strata` (lower-dimensional pieces), :mod:`.pieces` (solver proofs of pieces and
cover), :mod:`.certificate` (the ``verisnn.regions-cert/1`` proof file), :mod:`.families` (the
networks and bounds of the claims), :mod:`.sampling` (float estimates, never claims).

**Exactness.**  Every number is a Fraction; LP questions are answered exactly (an exact interior
point, or "empty"); an undecided question makes :func:`count_regions` return UNKNOWN.  The leaves
of the split tree cover the domain by construction, and every piece's interior point is replayed
in the exact simulator (pattern and every output's affine map).
"""

from verisnn.analyses.regions.certificate import (
    PART_PIECES,
    PWL_FORMAT,
    REGIONS_FORMAT,
    certificate,
    certify,
    parts_folder,
    write_certificate,
)
from verisnn.analyses.regions.enumerate import count_regions, enumerate_regions
from verisnn.analyses.regions.families import (
    one_layer,
    one_layer_bounds,
    relu_layer_bound,
    search_max_regions,
    shared_layer,
)
from verisnn.analyses.regions.lp import LP_BACKENDS
from verisnn.analyses.regions.maps import Region, RegionMap, pattern_label
from verisnn.analyses.regions.pieces import covers, prove_cover, prove_pieces
from verisnn.analyses.regions.sampling import sample_patterns
from verisnn.analyses.regions.space import Space
from verisnn.analyses.regions.strata import patterns_by_dimension, strata

__all__ = [
    "LP_BACKENDS",
    "PART_PIECES",
    "PWL_FORMAT",
    "REGIONS_FORMAT",
    "Region",
    "RegionMap",
    "Space",
    "certificate",
    "certify",
    "count_regions",
    "covers",
    "enumerate_regions",
    "one_layer",
    "one_layer_bounds",
    "parts_folder",
    "pattern_label",
    "patterns_by_dimension",
    "prove_cover",
    "prove_pieces",
    "relu_layer_bound",
    "sample_patterns",
    "search_max_regions",
    "shared_layer",
    "strata",
    "write_certificate",
]
