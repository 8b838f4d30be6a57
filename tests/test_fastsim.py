"""The numpy simulator agrees with the exact one (on inputs where float arithmetic is exact)."""

from fractions import Fraction as F

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import networks

from verisnn.semantics.fastsim import realize_many, simulate_many
from verisnn.core.numbers import is_finite
from verisnn.semantics.simulate import simulate


@settings(max_examples=60, deadline=None)
@given(networks(), st.integers(0, 2**31 - 1))
def test_fast_simulator_matches_exact(net, seed):
    """On dyadic inputs and parameters (exact in float64) both simulators give the same times."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-16, 48, size=(40, net.dimension)) / 8
    x[rng.random(x.shape) < 0.1] = np.inf
    fast = simulate_many(net, x)
    for i, row in enumerate(x):
        exact = simulate(net, [F(v) if np.isfinite(v) else v for v in row])
        for v in net.order:
            e, f = exact.times[v], fast[v][i]
            if is_finite(e):
                assert abs(float(e) - f) <= 1e-9 * max(1.0, abs(float(e))), (v, row, e, f)
            else:
                assert f == np.inf, (v, row, f)


def test_shapes():
    """realize_many returns one row per input and one column per output."""
    from verisnn.io.formats import load_network

    net = load_network("examples/positive_2layer.json")
    y = realize_many(net, np.zeros((5, 2)))
    assert y.shape == (5, 1) and np.allclose(y[:, 0], float(simulate(net, [F(0), F(0)]).outputs[0]))
