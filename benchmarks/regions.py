"""Region counts side by side: the default LP backend vs ``--lp z3``, certificates, and sampling estimates.

Run:  python benchmarks/regions.py [--quick] [--large] [--sampling]

Networks (as in issue 10): positive random layered networks, linear kernel, no delays, weights
``k/4`` (``k`` in 1..8), first-layer thresholds ``k/4``, second-layer thresholds 1..4, on
``[-4, 4]^d``.  For each network the exact count runs with every LP backend (the ratio is printed),
then the certificate is written and checked by the independent checker.  Each backend runs
``--repeat`` times (default 3), the backends taking turns, and the best wall-clock time of each is
printed with the ratio of those bests; the per-round ratios follow on the next line, so the spread
can be read off.  "per region" is the
enumeration's wall-clock time per region, printed next to the time of one float LP solve (HiGHS,
the same number of constraints and variables as a typical cell) so that their ratio can be read
off.  ``--sampling`` adds the old comparison with float sampling at the same time budget.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verisnn.analyses.regions import LP_BACKENDS, certificate, enumerate_regions, sample_patterns
from verisnn.analyses.regions import enumerate as enumerate_module
from verisnn.checker import check_certificate
from verisnn.core.domain import Box
from verisnn.core.model import Network, layered


def issue_network(widths: list[int], seed: int = 0) -> Network:
    """Positive linear network: weights k/4 (k in 1..8), thresholds k/4 in layer 1, 1..4 after."""
    rng = random.Random(seed)
    layers = []
    for li, (prev, width) in enumerate(itertools.pairwise(widths)):
        th = [Fraction(rng.randint(1, 8), 4) if li == 0 else Fraction(rng.randint(1, 4)) for _ in range(width)]
        layers.append({"weights": [[Fraction(rng.randint(1, 8), 4) for _ in range(prev)] for _ in range(width)],
                       "thresholds": th})
    return layered(widths[0], layers)


def float_lp_seconds(rows: int, cols: int, repeats: int = 200) -> float:
    """Mean seconds of one HiGHS solve of a random feasible strict system of this size (float only: timing)."""
    import highspy

    rng = np.random.default_rng(0)
    total = 0.0
    for _ in range(repeats):
        a = rng.normal(size=(rows, cols))
        centre = rng.normal(size=cols)
        b = -(a @ centre) + rng.uniform(0.1, 1.0, size=rows)  # centre is strictly inside a x + b > 0
        h = highspy._Highs()  # _Highs: no banner before output_flag is set
        h.setOptionValue("output_flag", False)
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_ = cols + 1
        lp.num_row_ = rows
        lp.col_cost_ = np.array([0.0] * cols + [-1.0])
        lp.col_lower_ = np.array([-inf] * cols + [0.0])
        lp.col_upper_ = np.array([inf] * cols + [1.0])
        mat = np.hstack([a, -np.ones((rows, 1))])  # a x + b - r >= 0, maximise r
        lp.row_lower_ = -b
        lp.row_upper_ = np.array([inf] * rows)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.arange(0, rows * (cols + 1) + 1, cols + 1)
        lp.a_matrix_.index_ = np.tile(np.arange(cols + 1), rows)
        lp.a_matrix_.value_ = mat.reshape(-1)
        h.passModel(lp)
        t0 = time.perf_counter()
        h.run()
        total += time.perf_counter() - t0  # timing
    return total / repeats


class TimedSession:
    """An LP session that adds up the wall-clock seconds of its calls (timing only)."""

    seconds = 0.0

    def __init__(self, session) -> None:
        self._session = session

    def __getattr__(self, name):
        attr = getattr(self._session, name)
        if not callable(attr):
            return attr

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                TimedSession.seconds += time.perf_counter() - t0  # timing

        return timed


def timed_enumeration(net: Network, box: Box, lp: str):
    """``enumerate_regions`` with the seconds spent in the LP session, returned as (map, total s, LP s)."""
    opener = enumerate_module.open_lp
    enumerate_module.open_lp = lambda *a, **k: TimedSession(opener(*a, **k))
    TimedSession.seconds = 0.0
    try:
        t0 = time.perf_counter()
        rm = enumerate_regions(net, box, lp=lp)
        return rm, time.perf_counter() - t0, TimedSession.seconds  # timing
    finally:
        enumerate_module.open_lp = opener


def sample_random(net: Network, box: Box, budget: float, rng: np.random.Generator) -> tuple[int, int]:
    lo = np.array([float(v) for v in box.lo])  # sampling
    hi = np.array([float(v) for v in box.hi])  # sampling
    seen: set[tuple] = set()
    n = 0
    start = time.perf_counter()
    batch = 2000
    while time.perf_counter() - start < budget or n == 0:
        pts = lo + (hi - lo) * rng.random((batch, box.dimension))
        seen |= sample_patterns(net, pts)
        n += batch
        batch = min(batch * 2, 200_000)
    return len(seen), n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 3-4-4 and 3-6-6")
    parser.add_argument("--large", action="store_true", help="also 4-12-12 (default backend only, one round)")
    parser.add_argument("--sampling", action="store_true", help="also sample patterns for the same time")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds per backend; the best is printed")
    parser.add_argument("--backends", default=",".join(LP_BACKENDS), help="LP backends to compare, default first")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    backends = args.backends.split(",")
    cases = [[3, 4, 4], [3, 6, 6]] + ([] if args.quick else [[3, 8, 8]])
    rng = np.random.default_rng(0)
    head = (f"{'network':<10}{'count':>7}{'pieces':>8}" + "".join(f"{b + ' s':>10}" for b in backends)
            + f"{'ratio':>8}{'LP calls':>10}{'per region':>12}{'LP/region':>11}{'LP/call':>10}{'float LP':>10}"
            + f"{'cert s':>8}{'check s':>9}")
    print(f"domain [-4, 4]^d; ratio = {backends[-1]} / {backends[0]}; per region (all work), LP/region and LP/call "
          f"(time inside the LP session) with {backends[0]}; float LP = one HiGHS solve of a cell's size")
    print(head)
    print("-" * len(head))
    runs = [(w, backends, args.repeat) for w in cases] + ([([4, 12, 12], backends[:1], 1)] if args.large else [])
    for widths, which, repeat in runs:
        net = issue_network(widths)
        box = Box.uniform(-4, 4, widths[0])
        rounds: dict[str, list[float]] = {lp: [] for lp in which}
        maps = {}
        lp_seconds = {}
        for _ in range(repeat):  # rounds interleave the backends, so a slow spell hits them all
            for lp in which:
                maps[lp], wall, lp_s = timed_enumeration(net, box, lp)
                if not rounds[lp] or wall < min(rounds[lp]):
                    lp_seconds[lp] = lp_s
                rounds[lp].append(wall)
        seconds = {lp: min(walls) for lp, walls in rounds.items()}  # best of the rounds, as timeit does
        rm = maps[which[0]]
        if any(m.count != rm.count or m.pieces != rm.pieces for m in maps.values()):
            raise SystemExit(f"backends disagree on {widths}: {[(m.count, m.pieces) for m in maps.values()]}")
        t0 = time.perf_counter()
        doc = json.loads(json.dumps(certificate(rm, lp=which[0])))
        cert_s = time.perf_counter() - t0  # timing
        t0 = time.perf_counter()
        got = check_certificate(doc)
        check_s = time.perf_counter() - t0  # timing
        assert got.count == rm.count
        rows = max(1, round(sum(len(r.constraints) for r in rm.regions) / rm.pieces)) + len(rm.space.bounds)
        flp = float_lp_seconds(rows, rm.space.dimension)
        per = seconds[which[0]] / rm.count
        lp_per = lp_seconds[which[0]] / rm.count
        lp_call = lp_seconds[which[0]] / max(rm.lp_checks, 1)
        ratio = seconds[which[-1]] / seconds[which[0]] if len(which) > 1 else float("nan")
        spread = sorted(b / a for a, b in zip(rounds[which[0]], rounds[which[-1]])) if len(which) > 1 else []
        name = "-".join(map(str, widths))
        print(f"{name:<10}{rm.count:>7}{rm.pieces:>8}" + "".join(f"{seconds[b]:>10.2f}" for b in which)
              + " " * (10 * (len(backends) - len(which)))
              + f"{ratio:>8.2f}{rm.lp_checks:>10}{per * 1000:>10.2f}ms{lp_per * 1000:>9.2f}ms{lp_call * 1000:>8.3f}ms"
              + f"{flp * 1000:>8.3f}ms{cert_s:>8.2f}{check_s:>9.2f}",
              flush=True)
        if len(spread) > 1:
            print(f"{'':<10}{len(spread)} rounds: {which[-1]}/{which[0]} per round "
                  + ", ".join(f"{r:.2f}" for r in spread) + f"; {which[0]} " + ", ".join(f"{w:.2f}" for w in rounds[which[0]])
                  + f" s; {which[-1]} " + ", ".join(f"{w:.2f}" for w in rounds[which[-1]]) + " s", flush=True)
        if args.sampling:
            count, points = sample_random(net, box, max(seconds[which[0]], 0.2), rng)
            print(f"{'':<10}sampling for the same time: {count} patterns from {points} random points", flush=True)


if __name__ == "__main__":
    main()
