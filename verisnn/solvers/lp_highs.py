"""The "highs" LP session: HiGHS (floating point) as a guide, every answer checked in exact arithmetic.

For the open system ``g_i(s) > 0`` the float LP maximises a slack ``t <= 1`` with
``g_i(s) >= t * |g_i|`` (each row scaled to a largest linear coefficient of 1), a Chebyshev
centre.  When ``t > 0`` the centre is rounded to a point with a power-of-two denominator and
checked exactly against every constraint.  Otherwise the rows HiGHS's dual solution uses are the
support of a Farkas certificate whose multipliers are then computed exactly (an integer kernel
vector) and checked in integer arithmetic.  Before any LP, :mod:`verisnn.solvers.lp_memo` tries
the cheap exact proofs of emptiness.  Floats only choose a candidate; when no candidate passes its
exact check (ill-conditioned systems, HiGHS out of time) the question goes to z3's exact solver
(:func:`~verisnn.solvers.lp_z3.exact_witness`) and ``fallbacks`` counts it.  Equalities are
eliminated exactly before any float is involved.  See docs/lp.md.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

import highspy
import numpy as np

from verisnn.core.affine import Affine, ByIdentity, is_const
from verisnn.core.errors import InternalError
from verisnn.core.polyhedra import Farkas, Subspace, check_farkas, eliminate, satisfies
from verisnn.solvers.lp_base import check_widths
from verisnn.solvers.lp_memo import IntForm, Memo, int_form, tighten
from verisnn.solvers.lp_z3 import exact_farkas, exact_witness

_INF = highspy.kHighsInf
_ZERO = Fraction(0)
_BIG = 1e15  # float bounds beyond this are left to the exact fallback (HiGHS reads 1e20 as infinite)


def _new_model(n: int, timeout: float | None) -> highspy._Highs:
    # the bare core class: the Python wrapper prints a banner on stdout and installs per-instance callbacks
    h = highspy._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    if timeout is not None:
        h.setOptionValue("time_limit", float(timeout))  # timing
    # columns s_0..s_{n-1} free, then the slack t <= 1, maximised
    h.addCols(n + 1, np.append(np.zeros(n), 1.0), np.full(n + 1, -_INF), np.append(np.full(n, _INF), 1.0),
              0, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    return h


def _ratio(a: Fraction, b: Fraction) -> float:
    """``a / b`` as the nearest float (exact integer division), clipped to +-_BIG: a float guide only."""
    try:
        x = (a.numerator * b.denominator) / (a.denominator * b.numerator)
    except OverflowError:
        x = _BIG if (a > 0) == (b > 0) else -_BIG
    return max(-_BIG, min(_BIG, x))


_RowFloats = tuple[float, tuple[int, ...], tuple[float, ...]]


def _row(g: Affine, n: int) -> _RowFloats:
    """The float row ``g_lin . s - |g_lin| t >= -g_0`` of ``g`` scaled to a largest linear coefficient of 1."""
    index = tuple(k for k in range(n) if g[k + 1])
    try:  # a float guide only: the exact checks decide
        floats = [c.numerator / c.denominator for c in g]
        big = max(abs(floats[k + 1]) for k in index)
        if not 1e-100 < big < 1e100 or any(c and not 1e-200 < abs(x) < 1e200 for c, x in zip(g, floats)):
            raise OverflowError
        value = [floats[k + 1] / big for k in index]
        lower = max(-_BIG, min(_BIG, -floats[0] / big))
    except OverflowError:  # scale exactly first
        exact = max(abs(c) for c in g[1:])
        value = [_ratio(g[k + 1], exact) for k in index]
        lower = -_ratio(g[0], exact)
    norm = math.sqrt(sum(v * v for v in value))
    return lower, index + (n,), tuple(value) + (-norm,)


def _positive_at(forms: Sequence[IntForm], numerators: Sequence[int], denominator: int) -> bool:
    """True when every constraint (as its integer form) is > 0 at the point ``numerators / denominator`` (exact)."""
    for f in forms:
        c = f.form
        v = c[0] * denominator
        for a, p in zip(c[1:], numerators):
            if a:
                v += a * p
        if v <= 0:
            return False
    return True


def _rows(gs: Sequence[Affine], n: int, cache: ByIdentity | None = None) -> tuple:
    """The scaled float rows of non-constant constraints ``gs``, as HiGHS ``addRows`` arguments."""
    lower, starts, index, value = [], [], [], []
    for g in gs:
        row = cache(g) if cache is not None else _row(g, n)
        starts.append(len(index))
        lower.append(row[0])
        index.extend(row[1])
        value.extend(row[2])
    return (len(gs), np.array(lower), np.full(len(gs), _INF), len(index), np.array(starts, dtype=np.int32),
            np.array(index, dtype=np.int32), np.array(value))


def _candidates(xs: Sequence[float], t: float) -> list[tuple[tuple[int, ...], int]]:
    """Points ``P / D`` near the float point ``xs``, simplest first: ``D`` a power of two with ``sqrt(n) / D`` about
    the slack ``t``, then finer ones.  ``xs`` is a float guide; the callers check every candidate exactly."""
    if t <= 0 or not all(math.isfinite(x) for x in xs):
        return []
    exponent = max(0, math.ceil(math.log2(math.sqrt(max(len(xs), 1)) / t)))
    out = []
    for extra in (0, 8, 24):
        d = 2 ** (exponent + extra)
        out.append((tuple(round(x * d) for x in xs), d))
    return out


def _kernel_vector(cols: Sequence[Sequence[int]], n: int) -> list[int] | None:
    """The integer kernel vector of the ``n x k`` matrix with columns ``cols``, when its kernel is a line.

    Fraction-free Gauss-Jordan elimination (rows kept primitive by their gcd); None when the
    kernel is zero or has dimension above one.
    """
    k = len(cols)
    rows = [[cols[j][r] for j in range(k)] for r in range(n)]
    pivots: list[tuple[int, int]] = []  # (row, column)
    r = 0
    for c in range(k):
        piv = next((i for i in range(r, n) if rows[i][c]), None)
        if piv is None:
            continue
        rows[r], rows[piv] = rows[piv], rows[r]
        p = rows[r]
        for i in range(n):
            f = rows[i][c]
            if i != r and f:
                new = [x * p[c] - f * y for x, y in zip(rows[i], p)]
                g = math.gcd(*new)
                rows[i] = [x // g for x in new] if g > 1 else new
        pivots.append((r, c))
        r += 1
        if r == n:
            break
    free = [c for c in range(k) if c not in {c for _, c in pivots}]
    if len(free) != 1:
        return None
    f = free[0]
    lcm = math.lcm(*(abs(rows[i][c]) for i, c in pivots)) if pivots else 1
    lam = [0] * k
    lam[f] = lcm
    for i, c in pivots:
        lam[c] = -rows[i][f] * lcm // rows[i][c]
    return lam


def integer_certificate(constraints: Sequence[Affine], forms: Sequence[IntForm],
                        support: Sequence[int]) -> Farkas | None:
    """A Farkas certificate supported on ``support`` (the constraints also given as integer forms), or None.

    The multipliers span the kernel of the support's linear parts (when it is a line), made
    nonnegative; the combination is then checked in integer arithmetic (linear part zero,
    constant <= 0).  An integer form is ``L * g`` with ``L > 0``, so the multipliers of the original
    constraints are the kernel entries times ``L``.
    """
    if not support:
        return None
    n = len(forms[support[0]].form) - 1
    cols = [forms[i].form for i in support]
    lam = _kernel_vector([c[1:] for c in cols], n)
    if lam is None:
        return None
    if all(x <= 0 for x in lam):
        lam = [-x for x in lam]
    if any(x < 0 for x in lam):
        return None
    g = math.gcd(*lam)
    lam = [x // g for x in lam]
    combo = [sum(x * c[k] for x, c in zip(lam, cols)) for k in range(n + 1)]
    if any(combo[1:]) or combo[0] > 0:
        return None
    full = [_ZERO] * len(constraints)
    for i, x in zip(support, lam):
        if x:
            full[i] = Fraction(x * forms[i].lcm)
    return Farkas(tuple(full))


def solve_support(constraints: Sequence[Affine], support: Sequence[int]) -> Farkas | None:
    """Exact multipliers on ``support`` with linear part zero and sum one, if they give a valid certificate."""
    n = len(constraints[0]) - 1
    k = len(support)
    eqs: list[Affine] = [(Fraction(0),) + tuple(constraints[i][j + 1] for i in support) for j in range(n)]
    eqs.append((Fraction(-1),) + (Fraction(1),) * k)
    sub = eliminate(eqs, k)
    if not isinstance(sub, Subspace):
        return None
    lam = sub.lift((Fraction(0),) * sub.dim)
    full = [Fraction(0)] * len(constraints)
    for i, x in zip(support, lam):
        full[i] = x
    farkas = Farkas(tuple(full))
    return farkas if check_farkas(constraints, (), farkas) else None


def _same(a: tuple[list[Affine], list[Affine]], b: tuple[list[Affine], list[Affine]]) -> bool:
    return all(len(x) == len(y) and all(g is h for g, h in zip(x, y)) for x, y in zip(a, b))


class _Answer:
    __slots__ = ("farkas", "point")

    def __init__(self, point: tuple[Fraction, ...] | None, farkas: Farkas | None) -> None:
        self.point, self.farkas = point, farkas


class HighsSession:
    """An incremental exact LP session with HiGHS as float guide (see the module docstring)."""

    def __init__(self, names: Sequence[str], base: Iterable[Affine] = (), timeout: float | None = 60.0) -> None:
        self.names = list(names)
        self.n = len(self.names)
        self.timeout = timeout
        self.checks = 0
        self.fallbacks = 0
        self._model = _new_model(self.n, timeout)
        self._groups: list[list[Affine]] = []
        self._rowcounts: list[int] = []
        self._flat: list[Affine] = []  # the asserted constraints, in order
        self._forms: list[IntForm] = []  # ... their integer forms
        self._rowsof: list[int] = []  # ... the positions of the non-constant ones (the model's rows)
        self._tight: list[dict] = [{}]  # per level: the tightest asserted constraint of each direction
        self._last: tuple | None = None
        self._last_answer: _Answer | None = None
        self._cache = ByIdentity(lambda g: _row(g, self.n))  # float rows by constraint
        self._integer_form = ByIdentity(int_form)  # integer forms by constraint
        self._memo = Memo()
        self.push(base)

    # --- the constraint stack ---------------------------------------------------------------------------------
    def push(self, constraints: Iterable[Affine]) -> None:
        group = list(constraints)
        check_widths(group, self.n)
        forms = [self._integer_form(g) for g in group]
        start = len(self._flat)
        rows = [g for g, f in zip(group, forms) if f.kl]
        if rows:
            self._model.addRows(*_rows(rows, self.n, self._cache))
        self._rowsof.extend(start + i for i, f in enumerate(forms) if f.kl)
        self._flat.extend(group)
        self._forms.extend(forms)
        self._tight.append(tighten(dict(self._tight[-1]), self._forms, start))
        self._groups.append(group)
        self._rowcounts.append(len(rows))
        self._last = None

    def pop(self) -> None:
        if len(self._groups) == 1:
            raise InternalError("LP session pop without a matching push")
        group = self._groups.pop()
        keep = len(self._flat) - len(group)
        del self._flat[keep:], self._forms[keep:]
        self._tight.pop()
        count = self._rowcounts.pop()
        if count:
            del self._rowsof[len(self._rowsof) - count:]
        if count:
            total = self._model.getNumRow()
            self._model.deleteRows(count, np.arange(total - count, total, dtype=np.int32))
        self._last = None

    def asserted(self) -> list[Affine]:
        return list(self._flat)

    # --- questions --------------------------------------------------------------------------------------------
    def witness(self, extra: Iterable[Affine] = (), equal: Iterable[Affine] = ()) -> tuple[Fraction, ...] | None:
        return self._answer(list(extra), list(equal)).point

    def infeasibility(self, extra: Iterable[Affine] = (), equal: Iterable[Affine] = ()) -> Farkas | None:
        extra, equal = list(extra), list(equal)
        answer = self._answer(extra, equal)
        if answer.point is not None:
            return None
        if answer.farkas is None:  # emptiness was proved by the exact fallback: ask it for the certificate
            answer.farkas = exact_farkas(self.asserted() + extra, equal, self.timeout)
            if answer.farkas is None:
                raise InternalError("z3 proved an LP empty but finds no Farkas certificate")
        return answer.farkas

    def _answer(self, extra: list[Affine], equal: list[Affine]) -> _Answer:
        check_widths(extra + equal, self.n)
        key = (extra, equal)  # compared by identity of the constraints: the key keeps them alive
        if self._last is not None and self._last_answer is not None and _same(self._last, key):
            return self._last_answer
        self.checks += 1
        constraints = self.asserted() + extra
        if equal:
            answer = self._with_equalities(constraints, equal)
        else:
            answer = self._strict(constraints, extra)
        self._last, self._last_answer = key, answer
        return answer

    def _strict(self, constraints: list[Affine], extra: list[Affine]) -> _Answer:
        """Decide ``{g > 0}`` for the asserted constraints plus ``extra`` on the session's model."""
        first_extra = len(self._flat)
        forms = self._forms + [self._integer_form(g) for g in extra]
        rows = self._rowsof + [first_extra + i for i, f in enumerate(forms[first_extra:]) if f.kl]
        for i, form in enumerate(forms):
            if not form.kl and form.form[0] <= 0:
                return _Answer(None, Farkas(tuple(Fraction(int(j == i)) for j in range(len(constraints)))))
        if self.n == 0:
            return _Answer((), None)
        farkas = self._memo.prove(forms, first_extra, self._tight[-1])
        if farkas is not None:
            return _Answer(None, farkas)
        extra_rows = [constraints[i] for i in rows[len(self._rowsof):]]
        model = self._model
        if extra_rows:
            model.addRows(*_rows(extra_rows, self.n, self._cache))
        try:
            answer = self._guided(model, constraints, rows, forms, self._memo)
        finally:
            if extra_rows:
                total = model.getNumRow()
                model.deleteRows(len(extra_rows), np.arange(total - len(extra_rows), total, dtype=np.int32))
        if answer is None:
            answer = self._fallback(constraints, [])
        return answer

    def _with_equalities(self, constraints: list[Affine], equal: list[Affine]) -> _Answer:
        """Eliminate the equalities exactly, decide the restricted strict system on a fresh model, lift back."""
        sub = eliminate(equal, self.n)
        if isinstance(sub, Farkas):
            return _Answer(None, Farkas((Fraction(0),) * len(constraints), sub.equal))
        reduced = [sub.restrict(g) for g in constraints]
        answer: _Answer | None = None
        for i, g in enumerate(reduced):
            if is_const(g) and g[0] <= 0:
                answer = _Answer(None, Farkas(tuple(Fraction(int(j == i)) for j in range(len(reduced)))))
                break
        if answer is None and sub.dim == 0:
            answer = _Answer((), None)
        if answer is None:
            model = _new_model(sub.dim, self.timeout)
            rows = [i for i, g in enumerate(reduced) if not is_const(g)]
            if rows:
                model.addRows(*_rows([reduced[i] for i in rows], sub.dim))
            answer = self._guided(model, reduced, rows, [int_form(g) for g in reduced])
        if answer is None:
            self.fallbacks += 1
            point = exact_witness(self.n, constraints, equal, self.timeout)
            return _Answer(point, None)
        if answer.point is not None:
            point = sub.lift(answer.point)
            if not satisfies(point, constraints, equal):
                raise InternalError("a point of the restricted system does not lift to the original one")
            return _Answer(point, None)
        farkas = sub.lift_farkas(constraints, answer.farkas, len(equal))  # type: ignore[arg-type]
        if not check_farkas(constraints, equal, farkas):
            raise InternalError("a Farkas certificate of the restricted system does not lift")
        return _Answer(None, farkas)

    def _guided(self, model: highspy._Highs, constraints: list[Affine], rows: list[int],
                forms: list[IntForm], memo: Memo | None = None) -> _Answer | None:
        """Solve the float LP and turn its answer into an exactly checked one, or None when no check passes.

        ``rows[r]`` is the index in ``constraints`` of the model's row ``r``; ``forms`` are the
        constraints' integer forms; certificates found are kept in ``memo`` if given.
        """
        model.run()
        if model.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = model.getSolution()
        xs = list(solution.col_value)
        t = xs[-1]
        for numerators, d in _candidates(xs[:-1], t):
            if _positive_at(forms, numerators, d):
                return _Answer(tuple(Fraction(p, d) for p in numerators), None)
        if solution.dual_valid:
            duals = np.abs(np.asarray(solution.row_dual))
            top = float(duals.max()) if len(duals) else 0.0  # guide: the multipliers are checked exactly
            if top > 0:
                support = [rows[r] for r in range(len(rows)) if duals[r] > 1e-9 * top]
                farkas = integer_certificate(constraints, forms, support)
                if farkas is not None:
                    if memo is not None:
                        memo.remember(forms, farkas)
                    return _Answer(None, farkas)
                farkas = solve_support(constraints, support)
                if farkas is not None:
                    return _Answer(None, farkas)
        return None

    def _fallback(self, constraints: list[Affine], equal: list[Affine]) -> _Answer:
        self.fallbacks += 1
        return _Answer(exact_witness(self.n, constraints, equal, self.timeout), None)
