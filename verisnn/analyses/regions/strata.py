"""Lower-dimensional pieces: the domain's hyperplanes, faces and points, stratum by stratum."""

from __future__ import annotations

from verisnn.analyses.regions.enumerate import enumerate_regions
from verisnn.analyses.regions.lp import LP_BACKENDS
from verisnn.analyses.regions.maps import AnyNetwork, RegionMap
from verisnn.analyses.regions.space import Space, domain_space
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput


def strata(net: AnyNetwork, domain: Box | Space | None = None, *, max_dimension: int = 3,
           timeout: float = 60.0, lp: str = LP_BACKENDS[0]) -> list[RegionMap]:
    """Pieces of every dimension: together their open pieces contain every point of the closed domain.

    The domain (dimension at most ``max_dimension``) is decomposed recursively: its full-dimensional
    pieces, then every constraint hyperplane of a piece and every face of the domain, restricted to
    the hyperplane (one free variable fewer), down to single points.  A point of the closed domain
    is either inside a full-dimensional piece or on one of those hyperplanes, so every point lies
    in an open piece of some stratum (strata overlap; each is exact on its own pieces).
    """
    space = domain_space(net, domain)
    if space.dimension > max_dimension:
        raise InvalidInput(f"lower-dimensional pieces are enumerated up to {max_dimension} free inputs, "
                           f"the domain has {space.dimension}")
    out: list[RegionMap] = []
    seen: set[tuple] = set()

    def collect(sp: Space) -> None:
        key = (sp.inputs, tuple(sorted(sp.bounds)))
        if key in seen:
            return
        seen.add(key)
        try:
            # without redundant constraints, the boundary of each piece lies on its constraints' hyperplanes
            rm = enumerate_regions(net, sp, timeout=timeout, lp=lp).minimized(timeout, lp)
        except InvalidInput:  # the hyperplane misses the open domain
            return
        out.append(rm)
        if sp.dimension == 0:
            return
        planes = list(dict.fromkeys([g for r in rm.regions for g in r.constraints] + list(sp.bounds)))
        for g in planes:
            sub = sp.restrict(g)
            if sub is not None:
                collect(sub)

    collect(space)
    return out


def patterns_by_dimension(net: AnyNetwork, domain: Box | Space | None = None, *, max_dimension: int = 3,
                          timeout: float = 60.0, lp: str = LP_BACKENDS[0]) -> dict[tuple, int]:
    """Every pattern realized anywhere on the closed domain, with the largest dimension where it occurs.

    Built from :func:`strata`.  Patterns with dimension below the domain's are the lower-dimensional
    ones that :attr:`RegionMap.count` leaves out.
    """
    found: dict[tuple, int] = {}
    for rm in strata(net, domain, max_dimension=max_dimension, timeout=timeout, lp=lp):
        for p in rm.patterns:
            found[p] = max(found.get(p, -1), rm.space.dimension)
    return found
