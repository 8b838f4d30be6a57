"""Emptiness proofs that need no LP: opposite parallel constraints, and certificates seen before.

Region enumeration asks thousands of questions "is cell and part and -g empty?", and most answers
are "empty" for one of two cheap reasons: ``-g`` is opposite to a constraint that is at least as
tight (a two-constraint Farkas certificate), or the same few constraints that proved an earlier
question empty are present again.  Both are found here in integer arithmetic on the constraints'
primitive integer forms (equal half-spaces have equal forms, whatever their scaling), and every
certificate is checked in integer arithmetic before it is returned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from verisnn.core.affine import Affine
from verisnn.core.polyhedra import Farkas

_ZERO = Fraction(0)
_SCAN = 3  # extra constraints (the newest) whose remembered certificates a question tries
_PER_KEY = 32  # certificates remembered per constraint


@dataclass(frozen=True, slots=True)
class IntForm:
    """``g`` as integers: ``form = L * g`` (``L`` the common denominator), ``prim = form / k`` primitive.

    ``direction`` is the primitive linear part with its first nonzero entry positive, ``sign`` the
    sign that takes it back to ``prim``'s linear part, and ``kl`` the gcd of ``prim``'s linear part.
    """

    form: tuple[int, ...]
    prim: tuple[int, ...]
    lcm: int
    k: int
    direction: tuple[int, ...]
    sign: int
    kl: int

    def multiplier(self, lam: int) -> Fraction:
        """The multiplier of ``g`` worth ``lam`` times ``prim`` (``prim = g * L / k``)."""
        return Fraction(lam * self.lcm, self.k)


def int_form(g: Affine) -> IntForm:
    lcm = math.lcm(*(c.denominator for c in g))
    form = tuple(c.numerator * (lcm // c.denominator) for c in g)
    k = math.gcd(*form) or 1
    prim = tuple(x // k for x in form) if k > 1 else form
    kl = math.gcd(*prim[1:])
    if not kl:
        return IntForm(form, prim, lcm, k, (), 1, 0)
    direction = tuple(x // kl for x in prim[1:])
    sign = 1
    for x in direction:
        if x:
            sign = 1 if x > 0 else -1
            break
    if sign < 0:
        direction = tuple(-x for x in direction)
    return IntForm(form, prim, lcm, k, direction, sign, kl)


def _valid(prims: Sequence[tuple[int, ...]], lams: Sequence[int]) -> bool:
    """Integer check of a certificate on primitive forms: lambda >= 0, not all 0, linear part 0, constant <= 0."""
    if any(x < 0 for x in lams) or not any(lams):
        return False
    combo = [sum(x * p[j] for x, p in zip(lams, prims)) for j in range(len(prims[0]))]
    return not any(combo[1:]) and combo[0] <= 0


def _keep(index: dict, forms: Sequence[IntForm], i: int) -> None:
    """Record constraint ``i`` in ``index`` if it is the tightest of its direction and sign so far.

    A constraint is ``sign * (direction . s) + prim0 / kl > 0`` divided by ``kl``: the smaller the
    constant, the tighter.
    """
    f = forms[i]
    key = (f.direction, f.sign)
    j = index.get(key)
    if j is None or f.prim[0] * forms[j].kl < forms[j].prim[0] * f.kl:
        index[key] = i


def tighten(index: dict, forms: Sequence[IntForm], start: int) -> dict:
    """``index`` updated with the non-constant constraints ``forms[start:]`` (see :func:`_keep`)."""
    for i in range(start, len(forms)):
        if forms[i].kl:
            _keep(index, forms, i)
    return index


class Memo:
    """Cheap exact emptiness proofs for one LP session (see the module docstring)."""

    def __init__(self) -> None:
        self._index: dict[tuple[int, ...], list[tuple[tuple[tuple[int, ...], ...], tuple[int, ...]]]] = {}
        self.hits = 0

    def prove(self, forms: Sequence[IntForm], first_extra: int, tight: dict) -> Farkas | None:
        """A certificate that the constraints with these forms are empty, or None (then ask the LP).

        Only contradictions involving a constraint from ``first_extra`` on (the question's extra
        constraints) are looked for; ``tight`` is :func:`tighten` of the constraints before it.
        """
        found = self._opposite(forms, first_extra, tight)
        if found is None:
            found = self._remembered(forms, first_extra)
        if found is None:
            return None
        support, lams = found
        if not _valid([forms[i].prim for i in support], lams):
            return None
        full = [_ZERO] * len(forms)
        for i, x in zip(support, lams):
            full[i] += forms[i].multiplier(x)
        self.hits += 1
        return Farkas(tuple(full))

    @staticmethod
    def _opposite(forms: Sequence[IntForm], first_extra: int, tight: dict) -> tuple[list[int], list[int]] | None:
        """Two constraints ``a (d.s) + ...`` and ``-b (d.s) + ...`` whose normalised constants sum to <= 0.

        One of them is an extra constraint (from ``first_extra`` on); ``tight`` is :func:`tighten` of the others.
        """
        local: dict = {}
        for i in range(first_extra, len(forms)):
            f = forms[i]
            if not f.kl:
                continue
            for index in (tight, local):
                j = index.get((f.direction, -f.sign))
                if j is not None:
                    g = forms[j]
                    if f.prim[0] * g.kl + g.prim[0] * f.kl <= 0:
                        return [i, j], [g.kl, f.kl]
            _keep(local, forms, i)
        return None

    def _remembered(self, forms: Sequence[IntForm], first_extra: int) -> tuple[list[int], list[int]] | None:
        if not self._index:
            return None
        position: dict[tuple[int, ...], int] | None = None
        # the newest extra constraints only: a question's last constraint is the one that may empty it, and
        # scanning every extra of a long part made this quadratic (a missed proof only means an LP call)
        for i in range(len(forms) - 1, max(first_extra, len(forms) - _SCAN) - 1, -1):
            for support, lams in self._index.get(forms[i].prim, ()):
                if position is None:
                    position = {}
                    for j, f in enumerate(forms):
                        position.setdefault(f.prim, j)
                if all(p in position for p in support):
                    return [position[p] for p in support], list(lams)
        return None

    def remember(self, forms: Sequence[IntForm], farkas: Farkas) -> None:
        """Keep a certificate (found by the LP) for later questions, indexed by each of its constraints."""
        support = [i for i, c in enumerate(farkas.strict) if c]
        if not support or any(farkas.equal):
            return
        # multiplier m of g is m * k / L times prim (an integer when m came from an integer kernel vector)
        lams = [farkas.strict[i] * forms[i].k / forms[i].lcm for i in support]
        scale = math.lcm(*(x.denominator for x in lams))
        ints = tuple(x.numerator * (scale // x.denominator) for x in lams)
        g = math.gcd(*ints)
        record = (tuple(forms[i].prim for i in support), tuple(x // g for x in ints))
        for p in record[0]:
            bucket = self._index.setdefault(p, [])
            if len(bucket) >= _PER_KEY:
                bucket.pop(0)
            bucket.append(record)
