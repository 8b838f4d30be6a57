"""Exact ReLU semantics: the trace, the activation pattern and the interval arithmetic of pre-activations."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_emulate import boxes, points, relu_networks

from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import relu_network
from verisnn.semantics.relu import affine_range, pre_activation_ranges, relu_range, trace


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_trace_matches_the_network_and_the_ranges_hold(data):
    """trace equals ReluNetwork.__call__, its pattern is the sign of the pre-activations, and the ranges hold them."""
    relu = data.draw(relu_networks())
    box = data.draw(boxes(relu.dimension))
    ranges = pre_activation_ranges(relu, box)
    for x in points(box, data.draw):
        t = trace(relu, x)
        assert t.outputs == relu(x)
        for layer, pattern, hidden in zip(t.pre, t.pattern, t.hidden):
            assert pattern == tuple(z > 0 for z in layer)
            assert hidden == tuple(max(z, Fraction(0)) for z in layer)
        for layer, rs in zip(t.pre, ranges):
            assert all(lo <= z <= hi for z, (lo, hi) in zip(layer, rs))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_first_layer_ranges_are_attained_at_corners(data):
    """On the first layer interval arithmetic is exact: both ends are values at box corners."""
    relu = data.draw(relu_networks())
    box = data.draw(boxes(relu.dimension))
    first = pre_activation_ranges(relu, box)[0]
    values = [trace(relu, c).pre[0] for c in box.corners()]
    for i, (lo, hi) in enumerate(first):
        assert lo == min(v[i] for v in values) and hi == max(v[i] for v in values)


def test_affine_and_relu_ranges():
    """Signs pick the ends; a zero weight contributes nothing; relu clips at 0."""
    r = [(Fraction(-1), Fraction(2)), (Fraction(0), Fraction(1)), (Fraction(5), Fraction(9))]
    assert affine_range([Fraction(2), Fraction(-3), Fraction(0)], Fraction(1), r) == (Fraction(-4), Fraction(5))
    assert relu_range((Fraction(-2), Fraction(-1))) == (0, 0)
    assert relu_range((Fraction(-2), Fraction(3))) == (0, 3)


def test_bad_shapes():
    relu = relu_network([([[1, 1]], [0])])
    with pytest.raises(InvalidInput, match="2 inputs"):
        trace(relu, [Fraction(1)])
    with pytest.raises(InvalidInput, match="intervals"):
        pre_activation_ranges(relu, Box.uniform(0, 1, 3))
