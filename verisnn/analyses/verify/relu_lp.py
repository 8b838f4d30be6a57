"""Branch and bound over unstable ReLUs with linear programs whose answers are checked exactly.

The network over the box is relaxed to linear constraints on the inputs ``x`` and the hidden
post-activations ``a``: a stable unit is its pre-activation ``z`` (or 0), an unstable one lies in its
triangle ``a >= 0, a >= z, a <= s (z - l)``, and a unit fixed by branching is ``a = z, z >= 0`` or
``a = 0, z <= 0``.  Every variable has exact bounds (the box, and ``[max(0, l), max(0, u)]`` from
:class:`~verisnn.analyses.verify.relu_bounds.ReluBounds`).

A float LP (HiGHS through scipy) only guides:

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
        for unit, idx in self.var.items():
            z, b = self.pre[unit]
            rel = self.bounds.layers[unit[0]]
            minus_z = {k: -w for k, w in z.items()}
            a_minus_z = dict(minus_z)
            a_minus_z[idx] = a_minus_z.get(idx, Fraction(0)) + 1
            z_minus_a = {k: -w for k, w in a_minus_z.items()}
            if rel.lo[unit[1]] >= 0 or split.get(unit) is True:
                out.append((a_minus_z, -b))  # a - z <= 0
                out.append((z_minus_a, b))  # z - a <= 0
                if rel.lo[unit[1]] < 0:
                    out.append((minus_z, -b))  # -z <= 0
            elif split.get(unit) is False:
                out.append(({idx: Fraction(1)}, Fraction(0)))  # a <= 0
                out.append((dict(z), b))  # z <= 0
            else:
                s, low = rel.upper_slope[unit[1]], rel.lo[unit[1]]
                out.append((z_minus_a, b))  # z - a <= 0
                row = {k: -s * w for k, w in z.items()}
                row[idx] = row.get(idx, Fraction(0)) + 1
                out.append((row, -s * b + s * low))  # a - s (z - l) <= 0
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


def _lp(model: ReluLP, rows: Sequence[tuple[Lin, Fraction]], n_atoms: int):
    """min t s.t. every row <= t within the variable bounds (floats: a guide only)."""
    import numpy as np
    from scipy.optimize import linprog

    nv = len(model.lo)
    a = np.zeros((len(rows), nv + 1))
    b = np.zeros(len(rows))
    for r, (e, c) in enumerate(rows):
        for k, w in e.items():
            a[r, k] = float(w)  # guide only: the answer is checked exactly
        b[r] = -float(c)  # guide only
        a[r, nv] = -1.0  # every row gets the slack: the LP is always feasible and its duals certify
    cost = np.zeros(nv + 1)
    cost[nv] = 1.0
    bnds = [(float(lo), float(hi)) for lo, hi in zip(model.lo, model.hi)] + [(None, None)]  # guide only
    return linprog(cost, A_ub=a, b_ub=b, bounds=bnds, method="highs")


def branch_and_bound(model: ReluLP, atoms: Sequence[Atom], is_counterexample: Callable[[tuple], bool],
                     max_lps: int = 2000) -> Outcome:
    """Decide whether some input satisfies the conjunction ``atoms`` (see the module docstring)."""
    out = Outcome("unsat")
    stack: list[dict[Unit, bool]] = [{}]
    open_leaves: list[dict[Unit, bool]] = []
    while stack:
        split = stack.pop()
        if out.lps >= max_lps:
            open_leaves.append(split)
            continue
        rows, n_atoms = model.rows(atoms, split)
        res = _lp(model, rows, n_atoms)
        out.lps += 1
        if res.status != 0:
            open_leaves.append(split)
            continue
        if res.fun > 0:
            lam = [max(Fraction(0), Fraction(-m)) for m in res.ineqlin.marginals]  # guide: checked exactly
            if model.certify(rows, lam):
                out.leaves += 1
                continue
        x = tuple(min(max(Fraction(v), lo), hi) for v, lo, hi in
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
