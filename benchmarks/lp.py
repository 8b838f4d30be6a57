"""The exact LP backends side by side on region-enumeration-like questions: HiGHS + exact checks vs z3.

Run:  python benchmarks/lp.py [--dim 3] [--constraints 20 40] [--cells 40] [--seed 0] [--network 3-6-6 ...]

A question is what region enumeration asks of a cell: the cell is the open box ``(-4, 4)^dim`` cut by
``m`` random hyperplanes (coefficients ``k/4``, each through a random point of the box, oriented so
that one random point lies inside), and for a new random hyperplane ``h`` both ``cell and h > 0`` and
``cell and h < 0`` are asked (``witness``), so about half the answers are "empty".  Printed per
backend, per ``m``: milliseconds per question, including the exact check of the point and, for an
empty answer, the exact Farkas certificate (``infeasibility``); and the milliseconds of one raw float
HiGHS solve of the same LP (no exact work), as a fresh model and as the incremental
add-row / solve / delete-row step the session does.  The answers of both backends are compared.

With ``--network W`` (e.g. ``3-6-6``: the positive linear generator of the claims, seed 0, no
delays, on ``[-4, 4]^d``) the LP questions of a real region enumeration are recorded (push, pop,
witness, infeasibility, in order) and replayed on both backends, so the times are of LP work only.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from fractions import Fraction

import highspy
import numpy as np

from verisnn.core.affine import Affine, evaluate
from verisnn.core.polyhedra import check_farkas
from verisnn.solvers.lp import LPOptions, open_lp
from verisnn.solvers.lp_highs import _new_model, _rows


def box(n: int) -> list[Affine]:
    out = []
    for k in range(n):
        unit = tuple(Fraction(int(j == k)) for j in range(n))
        out += [(Fraction(4),) + unit, (Fraction(4),) + tuple(-x for x in unit)]
    return out


def hyperplane(rng: random.Random, n: int) -> Affine:
    """A random hyperplane ``a.s + c`` with ``a_i = k/4`` through a random point of the box."""
    a = [Fraction(rng.choice([k for k in range(-8, 9) if k]), 4) for _ in range(n)]
    p = [Fraction(rng.randint(-15, 15), 4) for _ in range(n)]
    return (-sum(x * y for x, y in zip(a, p)),) + tuple(a)


def cell(rng: random.Random, n: int, m: int) -> list[Affine]:
    """``m`` random hyperplanes oriented to contain a random point (a nonempty open cell)."""
    inside = [Fraction(rng.randint(-31, 31), 8) for _ in range(n)]
    out = []
    while len(out) < m:
        h = hyperplane(rng, n)
        v = evaluate(h, inside)
        if v:
            out.append(h if v > 0 else tuple(-x for x in h))
    return out


def questions(seed: int, n: int, m: int, cells: int) -> list[tuple[list[Affine], Affine]]:
    rng = random.Random(seed)
    return [(cell(rng, n, m), hyperplane(rng, n)) for _ in range(cells)]


def run_backend(name: str, n: int, qs, certificates: bool) -> tuple[float, list[bool], int, int]:
    """Seconds per question (with a Farkas certificate for each empty answer if asked), answers, count, fallbacks."""
    session = open_lp([f"s{k}" for k in range(n)], box(n), LPOptions(name))
    answers: list[bool] = []
    t0 = time.perf_counter()
    for constraints, h in qs:
        session.push(constraints)
        for g in (h, tuple(-x for x in h)):
            point = session.witness([g])
            if point is None and certificates:
                farkas = session.infeasibility([g])
                assert farkas is not None and check_farkas(session.asserted() + [g], (), farkas)
            answers.append(point is not None)
        session.pop()
    seconds = time.perf_counter() - t0
    return seconds / len(answers), answers, len(answers), session.fallbacks


def raw_highs(n: int, qs) -> tuple[float, float]:
    """Seconds of one float HiGHS solve of the same LP: a fresh model, and the incremental add/solve/delete."""
    fresh = incremental = 0.0
    count = 0
    base = box(n)
    for constraints, h in qs:
        rows = _rows(base + constraints, n)
        for g in (h, tuple(-x for x in h)):
            t0 = time.perf_counter()
            model = highspy._Highs()
            model.setOptionValue("output_flag", False)
            model.addCols(n + 1, np.append(np.zeros(n), 1.0), np.full(n + 1, -highspy.kHighsInf),
                          np.append(np.full(n, highspy.kHighsInf), 1.0), 0, np.zeros(0, dtype=np.int32),
                          np.zeros(0, dtype=np.int32), np.zeros(0))
            model.changeObjectiveSense(highspy.ObjSense.kMaximize)
            model.addRows(*rows)
            model.addRows(*_rows([g], n))
            model.run()
            fresh += time.perf_counter() - t0
            count += 1
        model = _new_model(n, None)
        model.addRows(*rows)
        model.run()
        for g in (h, tuple(-x for x in h)):
            t0 = time.perf_counter()
            model.addRows(*_rows([g], n))
            model.run()
            model.getSolution()
            total = model.getNumRow()
            model.deleteRows(1, np.array([total - 1], dtype=np.int32))
            incremental += time.perf_counter() - t0
    return fresh / count, incremental / count


class Recorder:
    """An LP session that records every call before passing it on (the questions of a real enumeration)."""

    def __init__(self, session, trace: list) -> None:
        self._session, self._trace = session, trace

    def __getattr__(self, name):
        return getattr(self._session, name)

    def push(self, constraints):
        constraints = list(constraints)
        self._trace.append(("push", constraints))
        self._session.push(constraints)

    def pop(self):
        self._trace.append(("pop", None))
        self._session.pop()

    def witness(self, extra=(), equal=()):
        extra, equal = list(extra), list(equal)
        self._trace.append(("witness", (extra, equal)))
        return self._session.witness(extra, equal)

    def infeasibility(self, extra=(), equal=()):
        extra, equal = list(extra), list(equal)
        self._trace.append(("infeasibility", (extra, equal)))
        return self._session.infeasibility(extra, equal)


def record(widths: tuple[int, ...]) -> tuple[list[str], list[Affine], list, int, float]:
    """The LP trace of ``enumerate_regions`` on the positive linear network ``widths`` (seed 0) on [-4, 4]^d."""
    from verisnn.analyses.regions import enumerate_regions
    from verisnn.analyses.regions import lp as regions_lp
    from verisnn.claims.generators import positive_linear
    from verisnn.core.domain import Box

    opened: list = []
    real = regions_lp.open_session

    def recording(names, base, options):
        trace: list = []
        opened.append((list(names), list(base), trace))
        return Recorder(real(names, base, options), trace)

    net = positive_linear(widths, 0, delays=False)
    regions_lp.open_session = recording
    try:
        t0 = time.perf_counter()
        rm = enumerate_regions(net, Box.uniform(-4, 4, widths[0]), lp="highs", verify=False)
        seconds = time.perf_counter() - t0
    finally:
        regions_lp.open_session = real
    names, base, trace = opened[0]
    return names, base, trace, len(rm.regions), seconds


def replay(name: str, names: list[str], base: list[Affine], trace: list) -> tuple[float, list, int]:
    """Seconds for the whole trace on backend ``name``, the answers (point found or not), fallbacks."""
    session = open_lp(names, base, LPOptions(name))
    answers = []
    t0 = time.perf_counter()
    for op, arg in trace:
        if op == "push":
            session.push(arg)
        elif op == "pop":
            session.pop()
        elif op == "witness":
            answers.append(session.witness(*arg) is not None)
        else:
            answers.append(session.infeasibility(*arg) is None)
    return time.perf_counter() - t0, answers, session.fallbacks


def raw_trace(names: list[str], base: list[Affine], trace: list) -> tuple[float, float]:
    """Seconds of one fresh float HiGHS solve per question of the trace (same rows, no exact work):
    with building the model, and of ``run`` alone."""
    n = len(names)
    stack: list[list[Affine]] = [base]
    total = run = 0.0
    for op, arg in trace:
        if op == "push":
            stack.append(arg)
        elif op == "pop":
            stack.pop()
        elif arg[0] or stack:
            gs = [g for group in stack for g in group] + arg[0]
            gs = [g for g in gs if any(g[1:])]
            t0 = time.perf_counter()
            model = _new_model(n, None)
            if gs:
                model.addRows(*_rows(gs, n))
            t1 = time.perf_counter()
            model.run()
            run += time.perf_counter() - t1
            model.getSolution()
            total += time.perf_counter() - t0
    return total, run


def networks(specs: list[str]) -> bool:
    print("\nLP questions of a real region enumeration (positive linear network, seed 0, [-4, 4]^d), replayed")
    print("(enum s: the recorded enumeration with highs; raw: one fresh float HiGHS model per question, built and")
    print(" solved, and 'run' the solve alone; ms/q: per question)")
    print(f"{'network':>8} {'regions':>8} {'questions':>10} {'enum s':>7} {'highs s':>8} {'z3 s':>7} {'z3/hi':>6} "
          f"{'raw s':>7} {'run s':>7} {'hi/run':>7} {'ms/q hi':>8} {'ms/q z3':>8} {'ms/q run':>9} {'fb':>4}")
    ok = True
    for spec in specs:
        widths = tuple(int(x) for x in spec.split("-"))
        names, base, trace, count, enum_seconds = record(widths)
        hi, hi_answers, fallbacks = replay("highs", names, base, trace)
        z3, z3_answers, _ = replay("z3", names, base, trace)
        raw, run = raw_trace(names, base, trace)
        ok &= hi_answers == z3_answers
        q = len(hi_answers)
        print(f"{spec:>8} {count:>8} {q:>10} {enum_seconds:>7.2f} {hi:>8.2f} {z3:>7.2f} {z3 / hi:>6.1f} {raw:>7.2f} "
              f"{run:>7.2f} {hi / run:>7.1f} {hi / q * 1e3:>8.3f} {z3 / q * 1e3:>8.3f} {run / q * 1e3:>9.3f} "
              f"{fallbacks:>4}")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dim", type=int, default=3)
    ap.add_argument("--constraints", type=int, nargs="+", default=[20, 40])
    ap.add_argument("--cells", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--network", nargs="*", default=[], help="widths like 3-6-6: replay a real enumeration's LP")
    args = ap.parse_args()
    print(f"dim {args.dim}, box (-4, 4)^{args.dim} + m random hyperplanes, {args.cells} cells x 2 questions")
    print("ms per question; '+cert' also asks the Farkas certificate of each empty answer; 'raw' is one float HiGHS")
    print("solve of the same LP (fresh model / incremental add-solve-delete), no exact work")
    print(f"{'m':>4} {'empty':>6} {'highs':>9} {'z3':>7} {'z3/hi':>6} {'highs+cert':>10} {'z3+cert':>9} {'z3/hi':>6} "
          f"{'raw fresh':>10} {'raw incr':>9} {'hi/raw':>9} {'hi+c/raw':>10} {'fb':>5}")
    ok = True
    for m in args.constraints:
        qs = questions(args.seed + m, args.dim, m, args.cells)
        hi, hi_answers, count, fallbacks = run_backend("highs", args.dim, qs, False)
        z3, z3_answers, _, _ = run_backend("z3", args.dim, qs, False)
        hic, _, _, fallbacks_c = run_backend("highs", args.dim, qs, True)
        z3c, _, _, _ = run_backend("z3", args.dim, qs, True)
        fresh, incr = raw_highs(args.dim, qs)
        ok &= hi_answers == z3_answers
        empty = count - sum(hi_answers)
        print(f"{m:>4} {empty:>6} {hi * 1e3:>9.3f} {z3 * 1e3:>7.3f} {z3 / hi:>6.1f} {hic * 1e3:>10.3f} "
              f"{z3c * 1e3:>9.3f} {z3c / hic:>6.1f} {fresh * 1e3:>10.3f} {incr * 1e3:>9.3f} {hi / incr:>9.1f} "
              f"{hic / incr:>10.1f} {fallbacks + fallbacks_c:>5}")
    if args.network:
        ok &= networks(args.network)
    print("answers agree" if ok else "ANSWERS DIFFER")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
