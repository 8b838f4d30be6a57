"""Benchmark: verisnn's encoding vs a naive SMT baseline, on concavity and monotonicity.

Random positive-weight linear-kernel networks (weights k/20, thresholds c * sum of incoming
weights with c in [1/2, 2]) of sizes 4-8-8-1, 4-16-16-1 and 8-32-32-2, on the box [0, 1]^d.

* **baseline**: every copy of the network is encoded naively: the potential is a sum of
  ``If(t > a, w*(t - a), 0)`` terms, the firing time satisfies ``P(t_v) = theta`` and the
  first-crossing conditions ``a_k < t_v -> P(a_k) < theta`` at every arrival, no bounds.
* **verisnn**: :func:`verisnn.analyses.properties.check_property`: for these networks a neuron-by-neuron
  proof on the sources' bound boxes (compact neurons, interval bounds that drop settled ``If``
  terms, hypograph copies on the larger side of each relation), monolithic query as fallback.
* with ``--monolithic``, also the single monolithic verisnn query (same encoding, no composition).

Run: ``python benchmarks/encode.py [--timeout 120] [--sizes 4-8-8-1,4-16-16-1,8-32-32-2] [--seed 1]``.
Prints one row per (size, property): times in seconds (``>T`` when the solver did not finish
within the timeout), verdicts, and the ratio baseline / verisnn where both finished.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from fractions import Fraction

import z3

from verisnn.analyses.properties import check_property
from verisnn.core.domain import Box
from verisnn.core.model import Network, layered
from verisnn.smt.terms import q
from verisnn.solvers import Limits, SolverOptions, backend


def random_network(sizes: list[int], seed: int) -> Network:
    """A random positive linear layered network (exact rationals)."""
    rng = random.Random(seed)
    layers = []
    for a, b in itertools.pairwise(sizes):
        weights = [[Fraction(rng.randint(1, 20), 20) for _ in range(a)] for _ in range(b)]
        thresholds = [sum(row) * Fraction(rng.randint(4, 16), 8) for row in weights]
        layers.append({"weights": weights, "thresholds": thresholds})
    return layered(sizes[0], layers)


# --- the naive baseline ------------------------------------------------------------------------


def naive_copy(net: Network, tag: str, inputs: list[z3.ArithRef]) -> tuple[list[z3.ArithRef], list[z3.BoolRef]]:
    """Output times and constraints of one naive copy (sum of Ifs, first-crossing conditions)."""
    time_of: dict[str, z3.ArithRef] = dict(zip(net.inputs, inputs))
    cons: list[z3.BoolRef] = []
    for v in net.order:
        t = z3.Real(f"n[{v}]@{tag}")
        time_of[v] = t
        arrivals = [(time_of[s.source] + q(s.delay), q(s.weight)) for s in net.incoming[v]]

        def pot(at: z3.ArithRef, arrivals: list = arrivals) -> z3.ArithRef:
            return z3.Sum([z3.If(at > a, w * (at - a), q(0)) for a, w in arrivals])

        theta = q(net.thresholds[v])
        cons.append(pot(t) == theta)
        cons.extend(z3.Implies(a < t, pot(a) < theta) for a, _ in arrivals)
    return [time_of[o] for o in net.outputs], cons


def naive_query(net: Network, box: Box, prop: str) -> list[z3.BoolRef]:
    d = net.dimension
    xs = [z3.Real(f"x{i}@a") for i in range(d)]
    ys = [z3.Real(f"x{i}@b") for i in range(d)]
    cons = [z3.And(q(lo) <= v, v <= q(hi)) for vs in (xs, ys) for v, lo, hi in zip(vs, box.lo, box.hi)]
    ta, ca = naive_copy(net, "a", xs)
    tb, cb = naive_copy(net, "b", ys)
    cons += ca + cb
    if prop == "concave":
        tm, cm = naive_copy(net, "m", [(x + y) / 2 for x, y in zip(xs, ys)])
        cons += cm + [z3.Or(*[2 * m < a + b for a, b, m in zip(ta, tb, tm)])]
    else:
        cons += [x <= y for x, y in zip(xs, ys)] + [z3.Or(*[a > b for a, b in zip(ta, tb)])]
    return cons


# --- the run -------------------------------------------------------------------------------------


def run_row(sizes: list[int], prop: str, timeout: float, seed: int, monolithic: bool = False) -> dict:
    net = random_network(sizes, seed)
    box = Box.uniform(0, 1, sizes[0])
    start = time.perf_counter()
    base = backend("z3").check(naive_query(net, box, prop), Limits(timeout))
    base_s = time.perf_counter() - start  # timing
    start = time.perf_counter()
    mine = check_property(net, prop, box, SolverOptions("z3", timeout))
    mine_s = time.perf_counter() - start  # timing
    mono = None
    if monolithic:
        from verisnn.analyses.properties import REGISTRY
        from verisnn.solvers import solve

        start = time.perf_counter()
        res = solve(REGISTRY[prop].query(net, box, None), SolverOptions("z3", timeout))
        mono = (str(res.verdict), time.perf_counter() - start)  # timing
    return {"mono": mono,
        "size": "-".join(map(str, sizes)), "property": prop,
        "baseline": base.status, "baseline_s": base_s, "verisnn": str(mine.verdict), "verisnn_s": mine_s,
    }


def show(row: dict, timeout: float) -> str:
    def cell(status: str, secs: float) -> str:
        return f">{timeout:g}" if status in ("unknown",) else f"{secs:8.2f}"  # display

    base_done = row["baseline"] != "unknown"
    mine_done = row["verisnn"] != "unknown"
    ratio = f"{row['baseline_s'] / row['verisnn_s']:.1f}x" if base_done and mine_done else (
        f">{timeout / row['verisnn_s']:.1f}x" if mine_done else "-")  # display
    return (f"{row['size']:>10} {row['property']:>9} | {cell(row['baseline'], row['baseline_s']):>8} "
            f"{row['baseline']:>7} | {cell(row['verisnn'], row['verisnn_s']):>8} {row['verisnn']:>8} | {ratio}"
            + (f" | monolithic {cell(*row['mono']):>8} {row['mono'][0]}" if row["mono"] else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--sizes", default="4-8-8-1,4-16-16-1,8-32-32-2")
    ap.add_argument("--properties", default="concave,monotone")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--monolithic", action="store_true", help="also time the monolithic verisnn query")
    args = ap.parse_args()
    print(f"{'size':>10} {'property':>9} | {'baseline':>8} {'':>7} | {'verisnn':>8} {'':>8} | ratio")
    for text in args.sizes.split(","):
        sizes = [int(s) for s in text.split("-")]
        for prop in args.properties.split(","):
            print(show(run_row(sizes, prop, args.timeout, args.seed, args.monolithic), args.timeout), flush=True)


if __name__ == "__main__":
    main()
