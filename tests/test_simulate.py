"""The exact simulator: the model facts of docs/model.md, hand-computed cases for every kernel, and properties."""

from fractions import Fraction as F
from itertools import combinations, pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import check_first_crossing
from strategies import inputs_for, networks, rationals

from verisnn.core.kernels import box, from_pieces, linear, saturating, triangle
from verisnn.core.model import Network, Neuron, Reference, Synapse, layered
from verisnn.core.numbers import INF, is_finite
from verisnn.semantics.simulate import closed_form, first_firing, potential, realize, simulate, sweep_firing


def one_neuron(weights, theta, kernel="linear", delays=None):
    return layered(len(weights), [{"weights": [list(weights)], "thresholds": [theta],
                                   **({"delays": [list(delays)]} if delays else {})}], kernel)


def subsets_formula(weights, times, theta):
    """t = min over nonempty S of (theta + sum_S w t) / W_S, for positive weights."""
    best = None
    n = len(weights)
    for r in range(1, n + 1):
        for S in combinations(range(n), r):
            W = sum(weights[i] for i in S)
            t = (theta + sum(weights[i] * times[i] for i in S)) / W
            # S must be the set of spikes that arrived before t for the candidate to be the crossing
            if all(times[i] < t for i in S) and all(times[i] >= t for i in range(n) if i not in S):
                best = t if best is None else min(best, t)
    return best


def test_fact_two_inputs_unit_weights():
    """w=(1,1), theta=1: t1+1, t2+1 or (1+t1+t2)/2 in the three regions of docs/model.md."""
    net = one_neuron([1, 1], 1)
    for t1 in [F(k, 4) for k in range(-8, 9)]:
        for t2 in [F(k, 4) for k in range(-8, 9)]:
            expected = t1 + 1 if t2 >= t1 + 1 else t2 + 1 if t1 >= t2 + 1 else (1 + t1 + t2) / 2
            assert realize(net, [t1, t2]) == (expected,)


def test_fact_inhibition():
    """w=(1,-1), theta=1, inputs (0, s): fires at 1 if s >= 1, silent if s < 1."""
    net = one_neuron([1, -1], 1)
    for s in [F(k, 8) for k in range(-16, 24)]:
        assert realize(net, [F(0), s]) == ((F(1),) if s >= 1 else (INF,))


def test_arrival_exactly_at_firing_time_is_not_causal():
    """A spike arriving exactly when the neuron fires is not in its causal set."""
    sim = simulate(one_neuron([1, 1], 1), [F(0), F(1)])
    assert sim.times["l1n0"] == 1
    assert sim.causal_sources("l1n0") == ["x0"]


def test_zero_weight_synapse_changes_nothing_and_is_causal_when_early():
    """A zero-weight synapse does not move the firing time but counts as an earlier arrival."""
    sim = simulate(one_neuron([1, 0], 1), [F(0), F(1, 2)])
    assert sim.times["l1n0"] == 1
    assert sim.causal_sources("l1n0") == ["x0", "x1"]


def test_box_kernel_expiry_makes_neuron_silent():
    """box(2), theta 3, inputs (0, 1): the potential tends to 3 at t=2 but the first spike expires there."""
    net = one_neuron([1, 1], 3, {"name": "box", "delta": 2})
    assert realize(net, [F(0), F(1)]) == (INF,)
    assert realize(net, [F(1), F(1)]) == (F(5, 2),)


def test_negative_box_expiry_fires_at_an_upward_jump():
    """Inhibition through a box kernel expires: the potential jumps up across threshold."""
    net = one_neuron([2, -2], 1, {"name": "box", "delta": 1})
    # excitation from x0 (box: counts until 0+1 only) -- use a linear excitatory override instead
    exc = Synapse("x0", "o", F(1), kernel=linear())
    inh = Synapse("x1", "o", F(-1), kernel=box(1))
    net = Network(("x0", "x1"), (Neuron("o", F(1)),), (exc, inh), ("o",))
    # P(t) = t - (t - 0) on [0, 1) = 0, then t at t >= 1: jumps from 0 to 1 = theta at t = 1
    sim = simulate(net, [F(0), F(0)])
    assert sim.times["o"] == 1
    assert sim.activations["o"].jump is True
    assert sim.causal_sources("o") == ["x0", "x1"]
    assert sim.activations["o"].pieces == (0, 1)


def test_triangle_potential_turns_back_below_threshold():
    """triangle(1), theta 3/2: one spike peaks at 1 < 3/2; two spikes far apart never reach it."""
    net = one_neuron([1, 1], F(3, 2), {"name": "triangle", "delta": 1})
    assert realize(net, [F(0), F(5)]) == (INF,)
    # second spike at 1/2: P = t + (t - 1/2) = 2t - 1/2 on [1/2, 1) reaches 3/2 at t = 1
    assert realize(net, [F(0), F(1, 2)]) == (F(1),)
    # second spike at 1: P(t) = (2 - t) + (t - 1) = 1 on [1, 2): never reaches 3/2
    assert realize(net, [F(0), F(1)]) == (INF,)


def test_saturating_kernel():
    """saturating(1), theta 3/2: each spike gives at most 1, so both are needed; hand-computed times."""
    net = one_neuron([1, 1], F(3, 2), {"name": "saturating", "delta": 1})
    assert realize(net, [F(0), F(0)]) == (F(3, 4),)
    assert realize(net, [F(0), F(2)]) == (F(5, 2),)  # 1 + (t - 2) = 3/2
    assert realize(net, [F(0), INF]) == (INF,)


def test_user_piece_kernel():
    """A user kernel (slope 2 to 1/2, flat 1 until 3, then 0): hand-computed firing and silence."""
    k = {"pieces": [{"from": "0", "value": "0", "slope": "2"}, {"from": "1/2", "value": "1", "slope": "0"},
                    {"from": "3", "value": "0", "slope": "0"}]}
    net = one_neuron([1, 1], F(3, 2), k)
    assert realize(net, [F(0), F(1)]) == (F(5, 4),)  # 1 + 2(t - 1) = 3/2
    assert realize(net, [F(0), F(4)]) == (INF,)


def test_silence_propagates_downstream():
    """A silent neuron contributes nothing: its successor fed only by it is silent too."""
    net = Network(("x0", "x1"), (Neuron("h", F(1)), Neuron("o", F(1, 2))),
                  (Synapse("x0", "h", F(1)), Synapse("x1", "h", F(-1)), Synapse("h", "o", F(1))), ("o",))
    assert simulate(net, [F(0), F(0)]).times == {"x0": 0, "x1": 0, "h": INF, "o": INF}
    assert realize(net, [F(0), F(2)]) == (F(3, 2),)


def test_references_and_delays():
    """The graph-form example of docs/formats.md: reference inhibition and a synaptic delay, hand-computed."""
    net = Network(("x0", "x1"), (Neuron("h", F(1)), Neuron("o", F(1, 2))),
                  (Synapse("x0", "h", F(1)), Synapse("r", "h", F(-1, 2)), Synapse("h", "o", F(2), F(1, 4))),
                  ("o",), (Reference("r", F(0)),))
    # x0 = 1: P_h = (t - 1) - (t)/2 = t/2 - 1 = 1 at t = 4; o: 2 (t - 4 - 1/4) = 1/2 at t = 4 + 1/2
    sim = simulate(net, [F(1), F(7)])
    assert sim.times["h"] == 4 and sim.times["o"] == F(9, 2)
    assert sim.causal_sources("h") == ["x0", "r"]


def test_input_that_does_not_spike():
    """An input at inf contributes nothing."""
    assert realize(one_neuron([1, 1], 1), [INF, F(2)]) == (F(3),)
    assert realize(one_neuron([1, 1], 1), [INF, INF]) == (INF,)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_positive_linear_neuron_is_min_over_subsets(data):
    """Positive weights + linear kernel: the firing time is the min-over-subsets formula (C1)."""
    n = data.draw(st.integers(1, 4))
    weights = data.draw(st.lists(rationals(0, 3).filter(lambda q: q > 0), min_size=n, max_size=n))
    times = data.draw(st.lists(rationals(-2, 2), min_size=n, max_size=n))
    theta = data.draw(rationals(0, 3).filter(lambda q: q > 0))
    t = realize(one_neuron(weights, theta), times)[0]
    assert t == subsets_formula(weights, times, theta)
    # the formula's unconstrained min over all subsets gives the same value (prefixes suffice)
    unconstrained = min((theta + sum(weights[i] * times[i] for i in S)) / sum(weights[i] for i in S)
                        for r in range(1, n + 1) for S in combinations(range(n), r))
    assert t == unconstrained


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_translation_equivariance_of_positive_networks(data):
    """Positive linear networks without references: R(x + c*1) = R(x) + c*1."""
    net = data.draw(networks(positive=True, finite_kernels=False, references=False))
    x = data.draw(inputs_for(net, allow_inf=False))
    c = data.draw(rationals(-3, 3))
    shifted = realize(net, [v + c for v in x])
    assert shifted == tuple(t + c if is_finite(t) else t for t in realize(net, x))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_firing_time_is_the_first_threshold_crossing(data):
    """Every t_v has P(t_v) >= theta, and P(b) < theta at every breakpoint b < t_v (all kernels, signs)."""
    net = data.draw(networks())
    sim = simulate(net, data.draw(inputs_for(net)))
    for v in net.order:
        theta = net.thresholds[v]
        bps = set()
        for s in net.incoming[v]:
            tu = sim.times[s.source]
            if is_finite(tu):
                bps.update(tu + s.delay + b for b in net.kernel_of(s).breakpoints)
        tv = sim.times[v]
        if is_finite(tv):
            assert potential(net, sim.times, v, tv) >= theta
            assert all(potential(net, sim.times, v, b) < theta for b in bps if b < tv)
            # midpoints between breakpoints before t_v are below threshold too
            pts = sorted(b for b in bps if b < tv) + [tv]
            assert all(potential(net, sim.times, v, (a + b) / 2) < theta for a, b in pairwise(pts))
        else:
            assert all(potential(net, sim.times, v, b) < theta for b in bps)
            if bps:
                far = max(bps) + 1
                assert potential(net, sim.times, v, far) < theta
                assert potential(net, sim.times, v, far + 1) <= potential(net, sim.times, v, far)


def test_first_firing_handles_simultaneous_events():
    """Events at one time are applied together: +1 and -1 jumps at the same instant cancel."""
    k_up = from_pieces([(0, 0, 0), (1, 1, 0)])  # a step of +1 at s = 1 (value 0 at 0)
    assert first_firing([(F(0), F(1), k_up), (F(0), F(-1), k_up)], F(1, 2)) is None
    assert first_firing([(F(0), F(1), k_up)], F(1)).time == 1
    # the left limit at 1 reaches theta, but the box expires exactly then: fire only at 2
    assert first_firing([(F(0), F(1), box(1)), (F(1), F(1), linear())], F(1)).time == 2
    both = first_firing([(F(0), F(1), box(1)), (F(1), F(1), linear())], F(1, 2))
    assert both.time == F(1, 2)
    assert saturating(1)(F(5)) == 1 and triangle(1)(F(5)) == 0


def test_inhibitory_spike_at_the_crossing_is_not_causal():
    """The tie of issue 9: l2n0 reaches theta at 7/3 exactly when l1n0's inhibitory spike arrives; it fires.

    The inhibitory spike arrives at the firing time, so it is not causal; the potential did not jump.
    """
    net = Network(
        ("x0", "x1"),
        (Neuron("l1n0", F(1)), Neuron("l2n0", F(1))),
        (Synapse("x0", "l1n0", F(-2)), Synapse("r0", "l1n0", F(11, 4)),
         Synapse("l1n0", "l2n0", F(-1)), Synapse("x0", "l2n0", F(3, 4))),
        ("l2n0",),
        (Reference("r0", F(1)), Reference("r1", F(0))),
    )
    sim = simulate(net, [F(1), F(27, 8)])
    assert sim.times["l1n0"] == F(7, 3) and sim.times["l2n0"] == F(7, 3)
    assert sim.causal_sources("l2n0") == ["x0"] and not sim.activations["l2n0"].jump
    assert sim.causal_sources("l1n0") == ["x0", "r0"]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_first_crossing_with_ties_thirds_and_sourceless_neurons(data):
    """The sweep against the definition on coincident inputs, thirds and neurons without synapses."""
    net = data.draw(networks(sourceless=True, denominators=(1, 2, 3, 4), max_layers=3))
    check_first_crossing(net, data.draw(inputs_for(net, coincident=True)))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(rationals(-4, 4, (1, 2, 3, 7)), rationals(1, 3, (1, 2, 4, 5)).filter(lambda w: w > 0)),
             min_size=1, max_size=7),
    rationals(1, 4, (1, 3, 4)).filter(lambda t: t > 0),
)
def test_positive_linear_fast_path_equals_the_breakpoint_sweep(pairs, theta):
    """The integer fast path for positive linear neurons gives the general sweep's firing, ties included."""
    arrivals = [(a, w, linear()) for a, w in pairs]
    fast = first_firing(arrivals, theta)
    assert fast == sweep_firing(arrivals, theta)
    assert fast is not None and not fast.jump
    # and it is the first crossing: P(t) = theta at t, and P < theta just before
    def p(t):
        return sum((w * max(t - a, F(0)) for a, w in pairs), F(0))
    assert p(fast.time) == theta
    assert p(fast.time - F(1, 10 ** 6)) < theta
    # the closed form's causal arrivals are exactly those strictly before the firing
    t, causal = closed_form([a for a, _ in pairs], [w for _, w in pairs], theta)
    assert t == fast.time
    assert causal == tuple(j for j, (a, _) in enumerate(pairs) if a < t)
