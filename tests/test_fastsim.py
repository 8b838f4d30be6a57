"""The numpy simulator against the exact one: unflagged rows agree, flagged (near-tie) rows are resolved exactly."""

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import networks

from verisnn.core.model import Network, Neuron, Reference, Synapse
from verisnn.core.numbers import is_finite
from verisnn.semantics.fastsim import realize_many, simulate_flagged, simulate_many
from verisnn.semantics.simulate import simulate


def _dyadic_inputs(net, seed, rows=40):
    """Inputs on a grid of eighths (exact in float64), about 10% of them ``inf`` (no spike)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-16, 48, size=(rows, net.dimension)) / 8
    x[rng.random(x.shape) < 0.1] = np.inf
    return x


@settings(max_examples=60, deadline=None)
@given(networks(), st.integers(0, 2**31 - 1))
def test_fast_simulator_matches_exact(net, seed):
    """Rows the float sweep does not flag match the exact times; flagged rows are resolved exactly.

    Dyadic inputs and small rational parameters; ``simulate_many`` resimulates the flagged rows,
    so it agrees with the exact simulator on every row.
    """
    x = _dyadic_inputs(net, seed)
    run = simulate_flagged(net, x)
    resolved = simulate_many(net, x)
    for i, row in enumerate(x):
        exact = simulate(net, [F(v) if np.isfinite(v) else v for v in row])
        for v in net.order:
            e = exact.times[v]
            if is_finite(e):
                assert resolved[v][i] == pytest.approx(float(e), rel=1e-9, abs=1e-9), (v, row, e)
            else:
                assert resolved[v][i] == np.inf, (v, row)
            if run.needs_exact[i]:
                continue
            f = run.times[v][i]
            if is_finite(e):
                assert abs(float(e) - f) <= 1e-9 * max(1.0, abs(float(e))), (v, row, e, f)
            else:
                assert f == np.inf, (v, row, f)


def test_flagged_rows_are_rare():
    """On random networks and dyadic inputs (ties are frequent by design), few rows need exact simulation."""
    counts = {"rows": 0, "flagged": 0}

    @settings(max_examples=100, deadline=None, derandomize=True, database=None)
    @given(networks(), st.integers(0, 2**31 - 1))
    def sample(net, seed):
        x = _dyadic_inputs(net, seed)
        counts["rows"] += len(x)
        counts["flagged"] += int(simulate_flagged(net, x).needs_exact.sum())

    sample()
    assert counts["flagged"] <= 0.1 * counts["rows"], counts


def test_shapes():
    """realize_many returns one row per input and one column per output."""
    from verisnn.io import load_network

    net = load_network("examples/positive_2layer.json")
    y = realize_many(net, np.zeros((5, 2)))
    assert y.shape == (5, 1) and np.allclose(y[:, 0], float(simulate(net, [F(0), F(0)]).outputs[0]))


TIE = Network(
    ("x0", "x1"),
    (Neuron("l1n0", F(1)), Neuron("l2n0", F(1))),
    (Synapse("x0", "l1n0", F(-2)), Synapse("r0", "l1n0", F(11, 4)),
     Synapse("l1n0", "l2n0", F(-1)), Synapse("x0", "l2n0", F(3, 4))),
    ("l2n0",),
    (Reference("r0", F(1)), Reference("r1", F(0))),
)


def test_inhibitory_spike_arriving_exactly_at_the_crossing():
    """Issue 9 defect 3: l2n0 reaches theta exactly when l1n0's inhibitory spike arrives (7/3): it fires."""
    assert simulate(TIE, [F(1), F(27, 8)]).times["l2n0"] == F(7, 3)
    fast = simulate_many(TIE, np.array([[1.0, 27 / 8]]))
    assert fast["l2n0"][0] == pytest.approx(7 / 3, rel=1e-12)
    run = simulate_flagged(TIE, np.array([[1.0, 27 / 8], [0.0, 0.0]]))
    assert run.needs_exact.tolist() == [True, False]
