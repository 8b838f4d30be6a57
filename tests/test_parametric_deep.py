"""Parametric claims beyond one neuron with d <= 3: C1/C9 at d = 4 and the 2-2-1 family (proved and broken)."""

from __future__ import annotations

import pytest

from verisnn.analyses.parametric import causal_regions_all_weights, min_formula_all_weights
from verisnn.analyses.parametric_deep import deep_property_all_weights
from verisnn.core.results import Verdict
from verisnn.io import network_from_json
from verisnn.semantics.simulate import realize


def test_min_formula_d4_proved_and_signed_refuted():
    assert min_formula_all_weights(4).verdict is Verdict.PROVED
    assert min_formula_all_weights(4, signed=True).verdict is Verdict.REFUTED


def test_causal_regions_d4_proved_and_signed_refuted():
    assert causal_regions_all_weights(4).verdict is Verdict.PROVED
    assert causal_regions_all_weights(4, signed=True).verdict is Verdict.REFUTED


def _replayed(result):
    """The counterexample's network, re-simulated exactly, gives the reported output times."""
    cex = result.counterexample
    net = network_from_json(cex.network)
    assert [tuple(realize(net, x)) for x in cex.inputs] == list(cex.outputs)


def test_deep_monotone_proved_and_signed_refuted_with_replayed_counterexample():
    assert deep_property_all_weights("monotone").verdict is Verdict.PROVED
    broken = deep_property_all_weights("monotone", signed=True)
    assert broken.verdict is Verdict.REFUTED
    _replayed(broken)


def test_deep_lipschitz_signed_refuted():
    broken = deep_property_all_weights("lipschitz", signed=True)
    assert broken.verdict is Verdict.REFUTED
    _replayed(broken)


@pytest.mark.slow
def test_deep_lipschitz_proved():
    assert deep_property_all_weights("lipschitz").verdict is Verdict.PROVED


@pytest.mark.slow
def test_deep_concave_signed_refuted():
    broken = deep_property_all_weights("concave", signed=True)
    assert broken.verdict is Verdict.REFUTED
    _replayed(broken)
