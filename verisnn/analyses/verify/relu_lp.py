"""Branch and bound over unstable ReLUs with linear programs whose answers are checked exactly.

The network over the box is relaxed to linear constraints on the inputs ``x`` and the hidden
post-activations ``a``: a stable unit is its pre-activation ``z`` (or 0), an unstable one lies in its
triangle ``a >= 0, a >= z, a <= s (z - l)``, and a unit fixed by branching is ``a = z, z >= 0`` or
``a = 0, z <= 0``.  Every variable has exact bounds (the box, and ``[max(0, l), max(0, u)]`` from
:class:`~verisnn.analyses.verify.relu_bounds.ReluBounds`).

A float LP (HiGHS) only guides:

* ``min t > 0`` (every row relaxed by a slack ``t``): its dual multipliers ``lam >= 0`` are read back as exact rationals and the
  Lagrangian ``phi(v) = sum lam_r (g_r(v) - h_r)`` (``phi <= 0`` at every feasible point) is
  minimised exactly over the variable bounds; ``min phi > 0`` proves that no input satisfies the
  conjunction (weak duality, exact).  If the check fails the node is branched instead.
* ``feasible``: the LP's inputs ``x`` are rounded to rationals in the box and evaluated exactly; if
  they satisfy the property, that is the counterexample.  Otherwise the unstable unit whose
  relaxation is most violated at the LP point is branched.

A leaf where every unit is fixed and neither check settles the question is left to the exact
solver (the caller), so the answer is always exact or ``unknown``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from verisnn.analyses.verify.relu_bounds import ReluBounds
from verisnn.io.vnnlib import Atom

Lin = dict[int, Fraction]  # variable index -> coefficient
Unit = tuple[int, int]  # (hidden layer, unit)


@dataclass
class Outcome:
    status: str  # "unsat", "sat", "open"
    x: tuple[Fraction, ...] | None = None
    leaves: int = 0
    lps: int = 0
    open_splits: tuple[dict[Unit, bool], ...] = ()


class ReluLP:
    """The exact linear relaxation of a ReLU network over a box (see the module docstring)."""

    def __init__(self, bounds: ReluBounds) -> None:
        relu = bounds.relu
        self.bounds = bounds
        n = relu.dimension
        self.lo: list[Fraction] = list(bounds.lo)
        self.hi: list[Fraction] = list(bounds.hi)
        self.pre: dict[Unit, tuple[Lin, Fraction]] = {}
        self.var: dict[Unit, int] = {}
        self.unstable: list[Unit] = []
        prev: list[int | None] = list(range(n))
        for li, layer in enumerate(relu.layers):
            cur: list[int | None] = []
            for i, (row, b) in enumerate(zip(layer.weights, layer.bias)):
                expr: Lin = {}
                for w, v in zip(row, prev):
                    if w != 0 and v is not None:
                        expr[v] = expr.get(v, Fraction(0)) + w
                if li == len(relu.layers) - 1:
                    self.pre[(li, i)] = (expr, b)
                    continue
                rel = bounds.layers[li]
                self.pre[(li, i)] = (expr, b)
                if rel.hi[i] <= 0:
                    cur.append(None)
                    continue
                idx = len(self.lo)
                self.var[(li, i)] = idx
                self.lo.append(max(rel.lo[i], Fraction(0)))
                self.hi.append(rel.hi[i])
                cur.append(idx)
                if rel.lo[i] < 0:
                    self.unstable.append((li, i))
            prev = cur
        self.n_inputs = n
        self._unit_cache: dict[tuple[Unit, bool | None], list[tuple[Lin, Fraction]]] = {}
        self._float_cache: dict[int, tuple[list[int], list[float], float]] = {}
        self._keep: list[tuple[Lin, Fraction]] = []
        self.float_bounds = [(float(lo), float(hi)) for lo, hi in zip(self.lo, self.hi)] + [(None, None)]  # guide
        self.out_layer = len(relu.layers) - 1

    def output(self, j: int) -> tuple[Lin, Fraction]:
        return self.pre[(self.out_layer, j)]

    def atom_row(self, a: Atom) -> tuple[Lin, Fraction]:
        """``expr + const`` of the atom's left side over the LP variables."""
        expr: Lin = {}
        const = a.expr.const
        for v, c in a.expr.coeffs:
            idx = int(v[2:])
            if v[0] == "X":
                expr[idx] = expr.get(idx, Fraction(0)) + c
            else:
                oe, ob = self.output(idx)
                for k, w in oe.items():
                    expr[k] = expr.get(k, Fraction(0)) + c * w
                const += c * ob
        return expr, const

    def _implied(self, a: Atom) -> bool:
        """A bound on one input that the box already enforces (as a closed bound, which is what the LP reads)."""
        if len(a.expr.coeffs) != 1 or a.expr.coeffs[0][0][0] != "X" or a.op == "=":
            return False
        v, c = a.expr.coeffs[0]
        i = int(v[2:])
        bound = -a.expr.const / c
        upper = a.op in ("<=", "<") if c > 0 else a.op in (">=", ">")
        return self.hi[i] <= bound if upper else self.lo[i] >= bound

    def _unit_rows(self, unit: Unit, phase: bool | None) -> list[tuple[Lin, Fraction]]:
        """The rows of one unit: active (``a = z``, and ``z >= 0`` if it was split), inactive, or its triangle."""
        key = (unit, phase)
        got = self._unit_cache.get(key)
        if got is not None:
            return got
        idx = self.var[unit]
        z, b = self.pre[unit]
        rel = self.bounds.layers[unit[0]]
        minus_z = {k: -w for k, w in z.items()}
        a_minus_z = dict(minus_z)
        a_minus_z[idx] = a_minus_z.get(idx, Fraction(0)) + 1
        z_minus_a = {k: -w for k, w in a_minus_z.items()}
        out: list[tuple[Lin, Fraction]] = []
        if rel.lo[unit[1]] >= 0 or phase is True:
            out.append((a_minus_z, -b))  # a - z <= 0
            out.append((z_minus_a, b))  # z - a <= 0
            if rel.lo[unit[1]] < 0:
                out.append((minus_z, -b))  # -z <= 0
        elif phase is False:
            out.append(({idx: Fraction(1)}, Fraction(0)))  # a <= 0
            out.append((dict(z), b))  # z <= 0
        else:
            s, low = rel.upper_slope[unit[1]], rel.lo[unit[1]]
            out.append((z_minus_a, b))  # z - a <= 0
            row = {k: -s * w for k, w in z.items()}
            row[idx] = row.get(idx, Fraction(0)) + 1
            out.append((row, -s * b + s * low))  # a - s (z - l) <= 0
        self._unit_cache[key] = out
        return out

    def float_row(self, row: tuple[Lin, Fraction]) -> tuple[list[int], list[float], float]:
        """Indices, coefficients and right-hand side of a row in floats (cached; a guide for the LP only)."""
        got = self._float_cache.get(id(row))
        if got is None:
            e, c = row
            got = (list(e), [float(w) for w in e.values()], -float(c))  # guide only: LP answers are checked exactly
            self._float_cache[id(row)] = got
            self._keep.append(row)  # keeps id(row) unique while cached
        return got

    def rows(self, atoms: Sequence[Atom], split: dict[Unit, bool]) -> tuple[list[tuple[Lin, Fraction]], int]:
        """Rows ``expr + const <= 0``: the atoms first (their count is returned), then the network."""
        out: list[tuple[Lin, Fraction]] = []
        for a in atoms:
            if self._implied(a):
                continue
            e, c = self.atom_row(a)
            if a.op in ("<=", "<", "="):
                out.append((e, c))
            if a.op in (">=", ">", "="):
                out.append(({k: -w for k, w in e.items()}, -c))
        n_atoms = len(out)
        for unit in self.var:
            out += self._unit_rows(unit, split.get(unit))
        return out, n_atoms

    def certify(self, rows: Sequence[tuple[Lin, Fraction]], lam: Sequence[Fraction]) -> bool:
        """True if ``sum lam_r (row_r)`` is > 0 on the whole variable box (exact): the rows are infeasible."""
        phi: Lin = {}
        const = Fraction(0)
        for (e, c), m in zip(rows, lam):
            if m <= 0:
                continue
            const += m * c
            for k, w in e.items():
                phi[k] = phi.get(k, Fraction(0)) + m * w
        low = const + sum((w * (self.lo[k] if w > 0 else self.hi[k]) for k, w in phi.items()), Fraction(0))
        return low > 0


@dataclass
class _LPAnswer:
    ok: bool  # an optimum was found
    fun: float = 0.0
    x: Sequence[float] = ()
    lam: Sequence[float] = ()  # >= 0, one per row


def _lp(model: ReluLP, rows: Sequence[tuple[Lin, Fraction]]) -> _LPAnswer:
    """min t s.t. every row <= t within the variable bounds, by HiGHS in floats (a guide only)."""
    import highspy
    import numpy as np

    nv = len(model.lo)
    starts, index, value, upper = [0], [], [], []
    for row in rows:
        idx, vals, rhs = model.float_row(row)
        index += idx
        value += vals
        index.append(nv)
        value.append(-1.0)  # every row gets the slack: the LP is always feasible and its duals certify
        starts.append(len(index))
        upper.append(rhs)
    h = highspy._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = nv + 1, len(rows)
    cost = np.zeros(nv + 1)
    cost[nv] = 1.0
    lp.col_cost_ = cost
    lp.col_lower_ = np.array([b[0] for b in model.float_bounds[:-1]] + [-highspy.kHighsInf])
    lp.col_upper_ = np.array([b[1] for b in model.float_bounds[:-1]] + [highspy.kHighsInf])
    lp.row_lower_ = np.full(len(rows), -highspy.kHighsInf)
    lp.row_upper_ = np.array(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts)
    lp.a_matrix_.index_ = np.array(index)
    lp.a_matrix_.value_ = np.array(value)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return _LPAnswer(False)
    sol = h.getSolution()
    return _LPAnswer(True, h.getInfo().objective_function_value, list(sol.col_value), [-d for d in sol.row_dual])


def _rational(m: float) -> Fraction:
    """A nonnegative multiplier on a 2^-30 grid (any nonnegative value is valid; short ones check fast)."""
    return Fraction(max(0, round(m * (1 << 30))), 1 << 30)


def branch_and_bound(model: ReluLP, atoms: Sequence[Atom], is_counterexample: Callable[[tuple], bool],
                     max_lps: int = 2000, deadline: float | None = None) -> Outcome:
    """Decide whether some input satisfies the conjunction ``atoms`` (see the module docstring).

    Past ``max_lps`` LPs or the ``deadline`` (a ``time.perf_counter()`` value) the nodes left are open.
    """
    out = Outcome("unsat")
    stack: list[dict[Unit, bool]] = [{}]
    open_leaves: list[dict[Unit, bool]] = []
    while stack:
        split = stack.pop()
        if out.lps >= max_lps or (deadline is not None and time.perf_counter() > deadline):  # timing
            open_leaves.append(split)
            continue
        rows, _ = model.rows(atoms, split)
        res = _lp(model, rows)
        out.lps += 1
        if not res.ok:
            open_leaves.append(split)
            continue
        if res.fun > 0:
            lam = [_rational(m) for m in res.lam]  # guide: certify checks them exactly
            if model.certify(rows, lam):
                out.leaves += 1
                continue
        x = tuple(min(max(Fraction(v).limit_denominator(1 << 20), lo), hi) for v, lo, hi in
                  zip(res.x[:model.n_inputs], model.lo, model.hi))  # guide: evaluated exactly
        if is_counterexample(x):
            return Outcome("sat", x, out.leaves, out.lps)
        unit = _worst(model, res.x, split)
        if unit is None:
            open_leaves.append(split)
            continue
        stack.append({**split, unit: False})
        stack.append({**split, unit: True})
    out.open_splits = tuple(open_leaves)
    if open_leaves:
        out.status = "open"
    return out


def _worst(model: ReluLP, v, split: dict[Unit, bool]) -> Unit | None:
    """The unsplit unstable unit whose triangle is most violated at the LP point (float guide)."""
    best, gap = None, -1.0
    for unit in model.unstable:
        if unit in split:
            continue
        z, b = model.pre[unit]
        zv = float(b) + sum(float(w) * v[k] for k, w in z.items())  # guide only
        g = abs(v[model.var[unit]] - max(zv, 0.0))
        if g > gap:
            best, gap = unit, g
    return best
