"""Exact affine arithmetic: the integer fast paths equal the plain Fraction formulas."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import rationals

from verisnn.core import affine as af

N = 3
affines = st.tuples(*[rationals(-5, 5, (1, 2, 3, 7, 12))] * (N + 1))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(rationals(-3, 3, (1, 2, 5)), affines), max_size=6))
def test_combine_is_the_plain_sum(terms):
    want = tuple(sum((c * a[j] for c, a in terms), F(0)) for j in range(N + 1))
    got = af.combine(terms, N)
    assert got == want and all(type(x) is F for x in got)


@settings(max_examples=300, deadline=None)
@given(affines, affines)
def test_sub_neg_and_normalize(a, b):
    assert af.sub(a, b) == tuple(x - y for x, y in zip(a, b))
    assert af.neg(a) == tuple(-x for x in a)
    lead = next((c for c in a[1:] if c), None)
    want = a if lead is None else tuple(x / abs(lead) for x in a)
    assert af.normalize(a) == want
    if lead is not None:  # the same half-space, with leading coefficient +-1
        assert abs(next(c for c in af.normalize(a)[1:] if c)) == 1


def test_key_tells_equal_affines_apart_exactly():
    assert af.key((F(1, 2), F(0), F(3))) == af.key((F(2, 4), F(0), F(3)))
    assert af.key((F(1, 2), F(0), F(3))) != af.key((F(1, 3), F(0), F(3)))


@settings(max_examples=300, deadline=None)
@given(affines, st.tuples(*[rationals(-9, 9, (1, 3, 4, 11))] * N))
def test_evaluate_is_the_plain_sum(a, point):
    got = af.evaluate(a, point)
    assert got == a[0] + sum((c * x for c, x in zip(a[1:], point)), F(0)) and type(got) is F


def test_by_identity_remembers_per_object_not_per_value():
    calls = []

    def compute(g):
        calls.append(g)
        return len(calls)

    cache = af.ByIdentity(compute, limit=2)
    a, b = (F(1), F(2)), (F(1), F(2))  # equal values, two objects
    assert cache(a) == 1 and cache(a) == 1 and cache(b) == 2
    assert len(calls) == 2
    c, d = (F(3),), (F(4),)
    cache(c)
    cache(d)  # over the limit: the table starts again, answers stay right
    assert cache(a) == 5 and cache(d) == 4


def test_collector_paused_restores_the_collector_state():
    import gc

    from verisnn.core.collect import collector_paused

    was = gc.isenabled()
    try:
        gc.enable()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
        try:
            with collector_paused():
                raise ValueError
        except ValueError:
            pass
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
