"""C2: every spiking network realizes a piecewise-linear map on a box, with a checkable certificate.

Singh, Fono, Kutyniok (arXiv 2308.08218): for any signs, delays and (piecewise-linear) response
kernels, on the set of inputs sharing a causal pattern every firing time is affine in the inputs,
and finitely many patterns occur, so ``R`` is PWL.  verisnn produces the certificate: a finite
list of (pattern, open polyhedron, affine output map) such that

* the closed polyhedra cover the box, and on each open polyhedron the network has that pattern
  and those outputs: the PWL certificate (``verisnn.pwl-cert/1``, docs/regions.md: the split tree
  with Farkas certificates of its empty parts, every piece's interior point and causal-condition
  multipliers) is re-checked by the independent checker, and written to ``verisnn prove
  --certificates DIR``;
* independently, the solver proves each piece with the shared network encoding;
* for d <= 2 (size key ``strata``), the same for the lower-dimensional pieces on every boundary
  hyperplane, face of the box and vertex, where a discontinuous network may take yet another
  pattern, so the certificate determines R at every point of the closed box.

A pattern whose region is not convex (signed weights, finite kernels) appears in several pieces;
the piece count and the pattern count are both reported.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from verisnn.analyses.regions import (
    LP_BACKENDS,
    PWL_FORMAT,
    RegionMap,
    certify,
    enumerate_regions,
    prove_pieces,
    strata,
)
from verisnn.claims.generators import positive_linear, signed
from verisnn.claims.registry import RunContext, claim
from verisnn.core import affine as af
from verisnn.core.domain import Box
from verisnn.core.model import Network
from verisnn.core.numbers import fmt
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.io import network_to_json
from verisnn.semantics.simulate import realize
from verisnn.solvers.lp import LPUndecided

SOURCE = "arXiv 2308.08218, piecewise linearity of spiking networks"

KERNELS: dict[str, Any] = {
    "linear": "linear",
    "box": {"name": "box", "delta": "2"},
    "saturating": {"name": "saturating", "delta": "1"},
    "triangle": {"name": "triangle", "delta": "1"},
}


class _Undecided(Exception):
    """A step of the certificate was not decided; the claim's result is UNKNOWN with the reason."""


def _network(size: Mapping[str, Any]) -> tuple[Network, Box]:
    widths = list(size.get("widths", [2, 3, 1]))
    kernel = KERNELS[str(size.get("kernel", "box"))]
    seed = int(size.get("seed", 1))
    if size.get("family", "signed") == "signed":
        net = signed(widths, seed, kernel)
    else:
        net = positive_linear(widths, seed, kernel)
    hi = Fraction(str(size.get("hi", 3)))
    return net, Box.uniform(0, hi, widths[0])


def _certificate(size: Mapping[str, Any], ctx: RunContext, subject: str = "C2"
                 ) -> tuple[Network, Box, RegionMap, list[RegionMap]]:
    """Full-dimensional pieces (their PWL certificate checked by the independent checker), and with
    ``strata`` the lower-dimensional ones too; every piece of every stratum proved with the network encoding."""
    net, box = _network(size)
    rm = enumerate_regions(net, box, timeout=ctx.timeout, seed=ctx.seed, lp=getattr(ctx, "lp", LP_BACKENDS[0]))
    folder = getattr(ctx, "certificates", None)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", "_".join(f"{k}{v}" for k, v in sorted(size.items()))).strip("-") or "default"
    checked = certify(rm, PWL_FORMAT, Path(folder) / f"{subject}_{slug}.json" if folder else None)
    if checked.verdict is not Verdict.PROVED:
        raise _Undecided(checked.reason)
    lower: list[RegionMap] = []
    if size.get("strata", box.dimension <= 2):
        lower = [s for s in strata(net, box, timeout=ctx.timeout) if s.space.dimension < rm.space.dimension]
    for part in [rm, *lower]:
        proof = prove_pieces(part, ctx)
        if proof.verdict is not Verdict.PROVED:
            raise _Undecided(proof.reason)
    return net, box, rm, lower


def _summary(rm: RegionMap) -> list[dict[str, Any]]:
    return [{"pattern": rm.label(r.pattern), "point": [fmt(v) for v in r.x], "outputs": rm.output_text(r)}
            for r in rm.regions]


SIZES = [
    {"widths": [2, 3, 1], "kernel": "box"},
    {"widths": [2, 2, 2, 1], "kernel": "triangle"},
    {"widths": [2, 3, 1], "kernel": "saturating"},
    {"widths": [3, 2, 1], "kernel": "linear"},
    {"widths": [2, 2, 1], "kernel": "box", "family": "positive"},
]


@claim("C2", expected="proved", sizes=SIZES, source=SOURCE)
def pwl_certificate(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """R(Phi) is PWL on the box: (pattern, polyhedron, affine map) pieces that cover it and match the network."""
    t0 = time.perf_counter()
    try:
        _, box, rm, lower = _certificate(size, ctx)
    except (LPUndecided, _Undecided) as exc:
        return Result("C2", Verdict.UNKNOWN, time.perf_counter() - t0, reason=str(exc), size=size)
    solver = "z3 and cvc5" if ctx.solver == "both" else ctx.solver
    low = sum(s.pieces for s in lower)
    strata_text = (f"; {low} lower-dimensional pieces on {len(lower)} hyperplanes, faces and points, so every "
                   "point of the closed box is in a certified piece") if lower else ""
    return Result(
        "C2", Verdict.PROVED, time.perf_counter() - t0,
        reason=f"{rm.pieces} pieces ({rm.count} causal patterns) cover {box} (PWL certificate checked)"
               f"{strata_text}; every piece proved with the encoding ({solver})",
        size=size, details={"pieces": rm.pieces, "count": rm.count, "lower_dimensional_pieces": low,
                            "certificate": _summary(rm)},
    )


@claim("C2-one-piece", expected="refuted", broken_of="C2",
       sizes=[{"widths": [2, 3, 1], "kernel": "box", "strata": False}],
       source=f"broken variant of C2 (strengthens PWL to one affine map on the box); C2: {SOURCE}")
def one_piece(size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Broken: the network is affine on the whole box (one piece); two pieces with different maps refute it."""
    t0 = time.perf_counter()
    try:
        net, _, rm, _ = _certificate(size, ctx, "C2-one-piece")
    except (LPUndecided, _Undecided) as exc:
        return Result("C2-one-piece", Verdict.UNKNOWN, time.perf_counter() - t0, reason=str(exc), size=size)
    first = rm.regions[0]
    for other in rm.regions[1:]:
        if other.outputs != first.outputs:
            names = rm.space.names
            a = rm.output_text(first)
            b = rm.output_text(other)
            relation = (f"near x the outputs are {a}, near y they are {b} (in {', '.join(names)}); two different "
                        "affine maps on open sets, so R is not one affine map")
            cex = Counterexample((first.x, other.x), (realize(net, first.x), realize(net, other.x)), relation,
                                 network_to_json(net))
            return Result("C2-one-piece", Verdict.REFUTED, time.perf_counter() - t0, cex, size=size,
                          details={"pieces": rm.pieces})
    text = af.to_text(first.outputs[0], rm.space.names) if first.outputs and first.outputs[0] else "silent"
    return Result("C2-one-piece", Verdict.PROVED, time.perf_counter() - t0,
                  reason=f"all {rm.pieces} pieces share one affine map ({text})", size=size)
