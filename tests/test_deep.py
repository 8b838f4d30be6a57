"""Deep-network regions (C10, C11): the bound formulas against the paper's numbers, the fold blocks
against their construction in the exact simulator, and generated deep networks against the bounds."""

from __future__ import annotations

from fractions import Fraction as F
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import positive_rationals

from verisnn.analyses.regions import count_regions, enumerate_regions, one_layer
from verisnn.analyses.regions.deep import (
    causal_sets,
    deep_positive,
    deep_shared,
    deep_upper_bound,
    fold_lower_bound,
    fold_network,
    kappa,
    layer_bound,
    prefix_speed_bound,
    search_shared_deep,
    shared_deep_bound,
    shared_layer_count,
    speeds,
    tuple_allowed,
)
from verisnn.core.errors import InvalidInput
from verisnn.core.model import layered
from verisnn.core.results import Verdict
from verisnn.semantics.simulate import simulate


def test_bound_formulas_match_the_paper():
    """kappa_3 = 9; Prop 6.2 for d = 3, m = 2 is min(49, 172); Example C.1 is 37 * 10 = 370; Example 7.1 is 16."""
    assert kappa(2) == 2 and kappa(3) == 9
    assert layer_bound(3, 2) == 49 and layer_bound(2, 3) == 7
    assert deep_upper_bound([2, 3, 3]) == 7 * 343
    assert shared_layer_count(3, 3) == 37 and shared_deep_bound([3, 3, 3]) == 370
    assert fold_lower_bound([5, 5]) == 16 and fold_lower_bound([3, 4, 6]) == 2 * 3 * 5


@pytest.mark.parametrize("ms", [[3], [5], [5, 5], [3, 3, 3], [4, 4]])
def test_fold_counts_on_the_slice(ms):
    """The fold network has exactly prod(m_l - 1) regions on its slice, and more on Q^2 (Thm 7.2)."""
    net, box, target = fold_network(ms)
    assert enumerate_regions(net, box).count == target
    if len(ms) <= 2:
        assert enumerate_regions(net).count >= target


def test_fold_block_is_a_sawtooth():
    """Lemma 7.1 in the exact simulator: on (c_k, c_{k+1}) the first k neurons have causal set {x0}, the others
    {x0, x1}; h = z+ - z- takes the value q at odd breakpoints and q + A at even ones."""
    m = 5
    net, box, _ = fold_network([m])
    lo, hi = box.lo[1], box.hi[1]
    c = [lo + r * (hi - lo) / (m - 1) for r in range(m)]
    hs = []
    for k in range(m):
        sim = simulate(net, [F(0), c[k]])
        hs.append(sim.times["l2n1"] - sim.times["l2n0"])
        if k < m - 1:
            mid = simulate(net, [F(0), (c[k] + c[k + 1]) / 2])
            early = [mid.times[f"l1n{r}"] == c[r] for r in range(m)]  # causal set {x0}: fires at theta / w = c_r
            assert early == [r <= k for r in range(m)]
    assert len(set(hs[0::2])) == 1 and len(set(hs[1::2])) == 1 and hs[1] > hs[0]


def test_shared_fold_is_monotone():
    """Lemma C.1: with shared weights the relative output time h is monotone, so nothing folds."""
    net, box, target = fold_network([5, 5], shared=True)
    lo, hi = box.lo[1], box.hi[1]
    xs = [lo + (hi - lo) * F(i, 40) for i in range(41)]
    hs = [simulate(net, [F(0), x]).times["l2n1"] - simulate(net, [F(0), x]).times["l2n0"] for x in xs]
    assert hs == sorted(hs)
    assert enumerate_regions(net, box).count < target


def test_bad_fold_and_shape():
    with pytest.raises(InvalidInput, match="m >= 3"):
        fold_network([2, 5])


@settings(max_examples=8, deadline=None)
@given(shape=st.sampled_from([[2, 2, 2], [2, 3, 2], [3, 2, 2], [2, 2, 2, 2]]), seed=st.integers(0, 10 ** 6))
def test_deep_positive_within_thm_7_1(shape, seed):
    """Seeded positive deep networks never exceed the product bound of Thm 7.1 (and have at least 2^d - 1 regions)."""
    res = count_regions(deep_positive(shape, seed))
    assert res.verdict is Verdict.PROVED
    assert 2 ** shape[0] - 1 <= res.details["count"] <= deep_upper_bound(shape)


@settings(max_examples=8, deadline=None)
@given(data=st.data(), shape=st.sampled_from([[2, 2, 2], [2, 3, 2], [3, 2, 2]]))
def test_shared_deep_within_thm_7_3(data, shape):
    """Networks sharing one positive weight vector per layer (distinct thresholds) stay within Thm 7.3."""
    layers = []
    for a, b in pairwise(shape):
        w = data.draw(st.lists(positive_rationals, min_size=a, max_size=a))
        th = sorted(data.draw(st.lists(positive_rationals, min_size=b, max_size=b, unique=True)))
        layers.append({"weights": [list(w)] * b, "thresholds": th})
    res = count_regions(layered(shape[0], layers))
    assert res.verdict is Verdict.PROVED
    assert res.details["count"] <= shared_deep_bound(shape)


def test_generators_are_seeded_and_search_keeps_the_best():
    assert deep_positive([2, 3, 3], 4) == deep_positive([2, 3, 3], 4)
    net = deep_shared([3, 2, 2], 1)
    assert all(s.weight == t.weight for s, t in zip(net.synapses[:3], net.synapses[3:6]))
    best, count, history = search_shared_deep([2, 2, 2], iterations=4, seed=1)
    assert count == history[-1] == max(history) and count <= shared_deep_bound([2, 2, 2])
    assert len({s.weight for s in best.synapses if s.target == "l2n0"} ^ {s.weight for s in best.synapses
                                                                         if s.target == "l2n1"}) == 0


def test_prefix_speed_bound_values():
    """The nested-prefix / speed count: 2m + 1 = 5 for d = 2 (C9), 21 for d = 3 (C11), below Prop 6.2's 49."""
    assert [prefix_speed_bound(d, 2) for d in (1, 2, 3)] == [1, 5, 21]
    assert [prefix_speed_bound(2, m) for m in (3, 4)] == [7, 9]  # 2m + 1 again
    assert prefix_speed_bound(4, 2) <= layer_bound(4, 2) and prefix_speed_bound(3, 3) <= layer_bound(3, 3)


@settings(max_examples=25, deadline=None)
@given(d=st.integers(2, 3), m=st.integers(2, 3), data=st.data())
def test_prefix_speed_rules_hold_on_every_region(d, m, data):
    """Every region of a generated positive layer has causal sets that the rules admit, one region per tuple,
    so its count is at most prefix_speed_bound(d, m)."""
    w = data.draw(st.lists(st.lists(positive_rationals, min_size=d, max_size=d), min_size=m, max_size=m))
    th = data.draw(st.lists(positive_rationals, min_size=m, max_size=m))
    net = one_layer(w, th)
    rm = enumerate_regions(net)
    lam = speeds(net)
    sets = {causal_sets(net, r.x) for r in rm.regions}
    assert len(sets) == rm.count and all(tuple_allowed(lam, t) for t in sets)
    if (d, m) != (3, 3):
        assert rm.count <= prefix_speed_bound(d, m)


def test_pair_rules_are_not_vacuous():
    """Dropping the speed rule admits every nested pair: 31 for d = 3, more than the 21 the rules allow."""
    subsets = [frozenset(i for i in range(3) if mask >> i & 1) for mask in range(1, 8)]
    nested = sum(s <= t or t <= s for s in subsets for t in subsets)
    assert nested == 31 > prefix_speed_bound(3, 2)
