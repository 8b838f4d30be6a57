"""Benchmark: proving that an emulating SNN equals its ReLU network, three ways side by side.

For random ReLU networks 2-[8]-1, 2-[16]-1, 2-[16,16]-1, 4-[32,32]-2 and the ACAS-Xu-shaped 5-[50]x6-5
(300 ReLU units), on the box [-1, 1]^d, the coded SNN of :mod:`verisnn.analyses.emulation` is built and its
equivalence with the ReLU network is decided by

* **naive**: one z3 query written the obvious way (kept here as the baseline): every firing time
  a variable with ``P(t_v) = theta`` and ``a_k < t_v -> P(a_k) < theta`` for every arrival, the
  potentials as sums of ``If(t >= a, w (t - a), 0)``, the ReLU units as ``If(z > 0, z, 0)``, no
  bounds (every neuron of these networks fires: total incoming weight 1 > 0);
* **verisnn monolithic**: :func:`verisnn.analyses.equivalence.check_monolithic` (one query with bounds);
* **verisnn compositional**: :func:`verisnn.analyses.emulation.emulate` + :func:`verisnn.analyses.equivalence.check_compositional`
  (one solver lemma per neuron), timed together.

Run ``python benchmarks/equivalence.py [--timeout SECONDS] [--only NAME]``; a run that does not
finish within the timeout prints ``>T``.  Times are wall-clock seconds on this machine; the last two
columns are the speed-ups over the naive baseline (``>kx`` when the baseline did not finish).
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

import z3

from verisnn.analyses.emulation import emulate, random_relu
from verisnn.analyses.equivalence import check_compositional, check_monolithic
from verisnn.core.domain import Box
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.results import Verdict
from verisnn.solvers import SolverOptions

SHAPES = [
    ("2-[8]-1", 2, [8], 1),
    ("2-[16]-1", 2, [16], 1),  # 16 hidden units in one layer, next to 16 per layer below
    ("2-[16,16]-1", 2, [16, 16], 1),
    ("4-[32,32]-2", 4, [32, 32], 2),
    ("5-[50]x6-5", 5, [50] * 6, 5),
]


def _q(v: Fraction) -> z3.RatNumRef:
    return z3.RealVal(f"{v.numerator}/{v.denominator}")


def naive(snn: Network, relu: ReluNetwork, box: Box, timeout: float) -> str:
    """The baseline query; returns "proved", "refuted" or ">T"."""
    xs = [z3.Real(f"x{j}") for j in range(box.dimension)]
    cons = [z3.And(_q(lo) <= x, x <= _q(hi)) for x, lo, hi in zip(xs, box.lo, box.hi)]
    codes = {c.node: c for c in snn.codes.inputs}
    t: dict[str, z3.ArithRef] = {n: codes[n].encode(0) + x if codes[n].code == "positive" else codes[n].base - x
                                 for n, x in zip(snn.inputs, xs)}
    for r in snn.references:
        t[r.name] = _q(r.time)
    for v in snn.order:
        t[v] = z3.Real(f"t_{v}")

    def pot(v: str, at: z3.ArithRef) -> z3.ArithRef:
        return z3.Sum(*[z3.If(at >= t[s.source], _q(s.weight) * (at - t[s.source]), _q(Fraction(0)))
                        for s in snn.incoming[v]])

    for v in snn.order:
        theta = _q(snn.thresholds[v])
        cons.append(pot(v, t[v]) == theta)
        for s in snn.incoming[v]:
            cons.append(z3.Implies(t[s.source] < t[v], pot(v, t[s.source]) < theta))
    cur: list[z3.ArithRef] = list(xs)
    for li, layer in enumerate(relu.layers):
        nxt = []
        for row, b in zip(layer.weights, layer.bias):
            z = z3.Sum(*[_q(w) * a for w, a in zip(row, cur)]) + _q(b)
            nxt.append(z3.If(z > 0, z, _q(Fraction(0))) if li < len(relu.layers) - 1 else z)
        cur = nxt
    out_codes = {c.node: c for c in snn.codes.outputs}
    differ = [(_q(out_codes[o].base) - t[o]) != y for o, y in zip(snn.outputs, cur)]
    cons.append(z3.Or(*differ))
    s = z3.Solver()
    s.set("timeout", int(timeout * 1000))  # timing
    s.add(*cons)
    r = s.check()
    return "proved" if r == z3.unsat else "refuted" if r == z3.sat else ">T"


def timed(fn) -> tuple[str, float]:
    start = time.perf_counter()  # timing
    verdict = fn()
    return verdict, time.perf_counter() - start  # timing


def cell(verdict: str, seconds: float) -> str:
    return ">T" if verdict in (">T", "unknown") else f"{seconds:7.2f}s {verdict}"


def ratio(base: tuple[str, float], ours: tuple[str, float], timeout: float) -> str:
    """How many times faster than the baseline (``>k x`` when the baseline timed out at T)."""
    if ours[0] in (">T", "unknown"):
        return "-"
    if base[0] in (">T", "unknown"):
        return f">{timeout / ours[1]:.0f}x"
    return f"{base[1] / ours[1]:.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per query (T)")
    parser.add_argument("--only", action="append", help="run only these shapes (e.g. 2-[8]-1)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"timeout T = {args.timeout:g}s per query; box [-1, 1]^d; seed {args.seed}")
    print(f"{'network':<13} {'units':>5} {'SNN neurons':>11} | {'naive z3':>16} | {'verisnn monolithic':>18} | "
          f"{'verisnn compositional':>21} | {'speed-up mono':>13} {'compo':>7}")
    for name, d, widths, n in SHAPES:
        if not args.only or name in args.only:
            print(row(name, random_relu(d, widths, n, seed=args.seed), Box.uniform(-1, 1, d), args.timeout),
                  flush=True)


def row(name: str, relu: ReluNetwork, box: Box, timeout: float) -> str:
    """One line of the table: the three ways on one network."""
    em = emulate(relu, box)
    opts = SolverOptions(timeout=timeout)
    base = timed(lambda: naive(em.network, relu, box, timeout))
    mono = timed(lambda: str(check_monolithic(em.network, relu, box, opts).verdict))

    def comp() -> str:
        e = emulate(relu, box)
        r = check_compositional(e.network, relu, box, opts)
        return str(r.verdict) if r.verdict is not Verdict.UNKNOWN else "unknown"

    compo = timed(comp)
    return (f"{name:<13} {relu.hidden_units:>5} {em.size.neurons:>11} | {cell(*base):>16} | {cell(*mono):>18} | "
            f"{cell(*compo):>21} | {ratio(base, mono, timeout):>13} {ratio(base, compo, timeout):>7}")

if __name__ == "__main__":
    main()
