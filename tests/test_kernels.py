"""Kernels: built-ins, user pieces, evaluation and validation."""

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import kernels, rationals, user_kernels

from verisnn.core.errors import InvalidNetwork
from verisnn.core.kernels import box, from_pieces, linear, parse_kernel, saturating, triangle


def test_builtins_match_their_formulas():
    """Every built-in kernel agrees with its formula in docs/kernels.md on a grid including breakpoints."""
    d = F(3, 2)
    for k in range(-8, 24):
        s = F(k, 4)
        assert linear()(s) == (max(s, 0))
        assert box(d)(s) == (s if 0 <= s < d else 0)
        assert saturating(d)(s) == (min(s, d) if s >= 0 else 0)
        tri = s if 0 <= s < d else (2 * d - s if d <= s < 2 * d else 0)
        assert triangle(d)(s) == tri


def test_right_continuity_and_left_limits():
    """A box kernel is right-continuous: its value at delta is 0, its left limit there is delta."""
    k = box(2)
    assert k(F(2)) == 0
    assert k.left_limit(F(2)) == 2
    assert k.piece_index(F(2)) == 1 and k.piece_index(F(199, 100)) == 0 and k.piece_index(F(-1)) == -1


def test_events_reconstruct_the_kernel():
    """Summing a kernel's jumps and slope changes reproduces its values."""
    k = triangle(F(1, 2))
    events = list(k.events())
    assert [(e.offset, e.jump, e.slope_change) for e in events] == [(0, 0, 1), (F(1, 2), 0, -2), (1, 0, 1)]
    b = box(1)
    assert [(e.offset, e.jump) for e in b.events()] == [(0, 0), (1, -1)]


def test_user_pieces_and_round_trip():
    """A user piece list parses exactly and writes back to the same kernel."""
    spec = {"pieces": [{"from": "0", "value": "0", "slope": "2"}, {"from": "1/2", "value": "1", "slope": "0"},
                       {"from": "3", "value": 0, "slope": 0}]}
    k = parse_kernel(spec)
    assert k(F(1, 4)) == F(1, 2) and k(F(2)) == 1 and k(F(3)) == 0
    assert parse_kernel(k.to_json()) == k
    assert parse_kernel({"name": "triangle", "delta": "0.5"}) == triangle(F(1, 2))
    assert from_pieces([(0, 0, 1)]).is_linear


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"pieces": [{"from": "1", "value": "0", "slope": "1"}]}, "start at 0"),
        ({"pieces": [{"from": "0", "value": "1", "slope": "1"}]}, "value 0"),
        ({"pieces": [{"from": "0", "value": "0", "slope": "1"}, {"from": "0", "value": "0", "slope": "0"}]},
         "strictly increasing"),
        ({"pieces": [{"from": "0", "value": "0", "slope": "1"}, {"from": "2", "value": "0", "slope": "0"},
                     {"from": "1", "value": "0", "slope": "0"}]}, "strictly increasing"),
        ({"name": "box", "delta": "-1"}, "must be > 0"),
        ({"name": "box"}, "needs a 'delta'"),
        ({"name": "gauss", "delta": "1"}, "unknown kernel"),
        ("exponential", "unknown kernel"),
        ({"pieces": [{"from": "0", "value": "0", "slope": "NaN"}]}, "rational"),
    ],
)
def test_malformed_kernels_are_rejected(spec, message):
    """Malformed kernels raise InvalidNetwork naming the problem."""
    with pytest.raises(InvalidNetwork, match=message):
        parse_kernel(spec)


@settings(max_examples=100, deadline=None)
@given(kernels(), st.lists(rationals(-1, 6, (1, 2, 3, 4)), min_size=1, max_size=8))
def test_events_sum_to_the_kernel_for_every_family(kernel, points):
    """Every family (user pieces with jumps and negative slopes too): jumps and slope changes rebuild eps.

    ``eps(s) = sum over events at offsets o <= s of jump + slope_change * (s - o)``, the left limit is
    the same sum over offsets ``< s``, and the value is 0 before 0 and at 0.
    """
    assert kernel(F(0)) == 0 and kernel.left_limit(F(0)) == 0
    events = list(kernel.events())
    for s in points + list(kernel.breakpoints):
        right = sum((e.jump + e.slope_change * (s - e.offset) for e in events if e.offset <= s), F(0))
        left = sum((e.jump + e.slope_change * (s - e.offset) for e in events if e.offset < s), F(0))
        assert kernel(s) == right, (str(kernel), s)
        assert kernel.left_limit(s) == (left if s > 0 else 0), (str(kernel), s)
        k = kernel.piece_index(s)
        assert k == (-1 if s < 0 else max(i for i, p in enumerate(kernel.pieces) if p.start <= s))


@settings(max_examples=40, deadline=None)
@given(user_kernels())
def test_user_kernels_round_trip_through_the_file_form(kernel):
    """A user piece list written to the file form reads back as the same kernel."""
    assert parse_kernel(kernel.to_json()) == kernel
