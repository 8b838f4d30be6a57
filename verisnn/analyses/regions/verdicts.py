"""Count claims: exact counts whose certificates the independent checker verifies, judged against a bound.

Shared by the region claims (C9, C10, C11): :func:`exact_count` gives a region map or raises
:class:`Undecided`; :func:`judge` checks every count's certificate, then decides the claim's
predicate; :func:`guard` turns :class:`Undecided` into an UNKNOWN result (a count is never a guess).
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from verisnn.analyses.regions.certificate import certify
from verisnn.analyses.regions.enumerate import count_regions
from verisnn.analyses.regions.maps import RegionMap
from verisnn.core.domain import Box
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.io import network_to_json
from verisnn.semantics.simulate import realize


class Undecided(Exception):
    """A count came back UNKNOWN; the claim's result is UNKNOWN with the same reason."""


def exact_count(net: Network | ReluNetwork, domain: Box | None, *, timeout: float, seed: int, lp: str) -> RegionMap:
    """The region map of ``net`` on ``domain`` (None = ``Q^d``); raises :class:`Undecided` unless PROVED."""
    res = count_regions(net, domain, timeout=timeout, seed=seed, lp=lp)
    if res.verdict is not Verdict.PROVED:
        raise Undecided(res.reason)
    return res.details["regions"]


def _witness(rm: RegionMap, relation: str) -> Counterexample:
    """One interior point per pattern, with its outputs: the regions that break the relation."""
    xs, ys, seen = [], [], set()
    for r in rm.regions:
        if r.pattern not in seen:
            seen.add(r.pattern)
            xs.append(r.x)
            ys.append(realize(rm.network, r.x) if isinstance(rm.network, Network) else rm.network(r.x))
    doc = network_to_json(rm.network) if isinstance(rm.network, Network) else None
    return Counterexample(tuple(xs), tuple(ys), relation, doc)


def judge(subject: str, size: Any, runs: Sequence[tuple[str, RegionMap, bool, str]], t0: float,
          folder: str | None = None, extra: dict | None = None) -> Result:
    """Check every count's certificate with the independent checker (UNKNOWN if one fails), then
    PROVED if every run's predicate holds, else REFUTED with the first failing run's regions."""
    details: dict = {"instances": [{"network": name, "count": rm.count, "pieces": rm.pieces,
                                    "seconds": round(rm.seconds, 3)} for name, rm, _, _ in runs]}
    details.update(extra or {})
    for k, (name, rm, _, _) in enumerate(runs):
        slug = re.sub(r"[^A-Za-z0-9]+", "-", "_".join(f"{a}{b}" for a, b in sorted(size.items()))).strip("-")
        path = Path(folder) / f"{subject}_{slug or 'default'}_{k}.json" if folder else None
        checked = certify(rm, path=path)
        if checked.verdict is not Verdict.PROVED:
            return Result(subject, Verdict.UNKNOWN, time.perf_counter() - t0, reason=f"{name}: {checked.reason}",
                          size=size, details=details)
    for name, rm, ok, relation in runs:
        if not ok:
            return Result(subject, Verdict.REFUTED, time.perf_counter() - t0, _witness(rm, f"{name}: {relation}"),
                          size=size, details=details)
    counts = ", ".join(f"{name}: {rm.count}" for name, rm, _, _ in runs)
    return Result(subject, Verdict.PROVED, time.perf_counter() - t0,
                  reason=f"exact counts ({counts}); every count's certificate checked by the independent checker",
                  size=size, details=details)


def guard(fn: Callable[[Mapping[str, Any], Any], Result]) -> Callable[[Mapping[str, Any], Any], Result]:
    """A claim function whose :class:`Undecided` count becomes an UNKNOWN result with the reason."""

    @functools.wraps(fn)  # the claim keeps its module and name: the runner finds claims by module
    def run(size: Mapping[str, Any], ctx: Any) -> Result:
        t0 = time.perf_counter()
        try:
            return fn(size, ctx)
        except Undecided as exc:
            return Result(fn.__name__, Verdict.UNKNOWN, time.perf_counter() - t0, reason=str(exc), size=size)

    return run
