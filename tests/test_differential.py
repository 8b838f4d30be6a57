"""The slow tier of the differential suite: over 10,000 generated cases against the exact simulator.

Run with ``pytest -m slow tests/test_differential.py -p no:cacheprovider``; the total number of
cases is printed at the end of the run.  Each test draws networks over one kernel family (or all
of them mixed) with signed weights (zero included), delays, references and neurons without
sources, and compares one part of verisnn with the exact simulator through the checks in
``tests/oracles.py``.  docs/testing.md describes the tiers.
"""

from __future__ import annotations

import os
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import check_bounds, check_encode_below, check_encoding, check_fastsim, check_first_crossing
from strategies import KERNEL_FAMILIES, boxes_around, inputs_for, kernel_family, kernels, networks, points_in

pytestmark = pytest.mark.slow

#: multiplies every case count below (e.g. DIFFERENTIAL_SCALE=0.05 for a quick try, 10 for a long soak)
SCALE = float(os.environ.get("DIFFERENTIAL_SCALE", "1"))


def _n(cases: int) -> int:
    return max(1, round(cases * SCALE))


#: cases run per test (the slow tier's size; their sum is 11,000 at scale 1)
ENCODING_CASES = _n(500)  # per kernel family and for mixed kernels: 6 x 500
FASTSIM_CASES = _n(1500)  # per number grid: 2 x 1500
BOUNDS_CASES = _n(2000)
BOUNDS_EXACT_CASES = _n(500)
BELOW_CASES = _n(1000)
CROSSING_CASES = _n(1500)

COUNTS: Counter[str] = Counter()


def _settings(n: int) -> settings:
    return settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))


class _CaseReport:
    """A plugin that prints the case counts in pytest's terminal summary (after all output capture)."""

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not COUNTS:
            return
        cases = sum(n for k, n in COUNTS.items() if not k.endswith(" rows"))
        terminalreporter.section("differential slow tier")
        terminalreporter.write_line(f"{cases} generated cases")
        for k, n in sorted(COUNTS.items()):
            terminalreporter.write_line(f"  {k}: {n}")


@pytest.fixture(scope="session", autouse=True)
def case_count(request: pytest.FixtureRequest):
    """Count the generated cases; the total is printed in the terminal summary."""
    plugins = request.config.pluginmanager
    if not plugins.has_plugin("differential-case-report"):
        plugins.register(_CaseReport(), "differential-case-report")
    return COUNTS


def _family(name: str) -> st.SearchStrategy:
    return kernels() if name == "mixed" else kernel_family(name)


@pytest.mark.parametrize("family", (*KERNEL_FAMILIES, "mixed"))
def test_encoding_is_the_simulation(family):
    """Fixed inputs: the encoding's unique solution is the simulation (times, flags, causal sets, pieces)."""

    @_settings(ENCODING_CASES)
    @given(st.data())
    def case(data):
        net = data.draw(networks(kernels=_family(family), sourceless=True, denominators=(1, 2, 3, 4)))
        x = data.draw(inputs_for(net, allow_inf=False, coincident=data.draw(st.booleans())))
        box = data.draw(st.one_of(st.none(), boxes_around(x)))
        check_encoding(net, x, box)
        COUNTS[f"encoding {family}"] += 1

    case()


@pytest.mark.parametrize("denominators", [(1, 2, 4), (1, 2, 3, 4)], ids=["dyadic", "thirds"])
def test_fast_simulator_against_exact(denominators):
    """The numpy simulator: unflagged rows match, resolved rows match, and flagged rows are rare."""
    flagged = Counter()

    @_settings(FASTSIM_CASES)
    @given(networks(sourceless=True, denominators=denominators), st.integers(0, 2**31 - 1))
    def case(net, seed):
        rng = np.random.default_rng(seed)
        x = rng.integers(-16, 48, size=(20, net.dimension)) / 8
        x[rng.random(x.shape) < 0.1] = np.inf
        if rng.random() < 0.3:  # coincident inputs: every row one repeated time
            x[:] = x[:, :1]
        rows, near = check_fastsim(net, x)
        flagged["rows"] += rows
        flagged["flagged"] += near
        grid = "/".join(map(str, denominators))
        COUNTS[f"fastsim {grid}"] += 1
        COUNTS[f"fastsim {grid} rows"] += rows
        COUNTS[f"fastsim {grid} flagged rows"] += near

    case()
    assert flagged["flagged"] <= 0.1 * flagged["rows"], flagged


def test_firing_bounds_contain_the_simulated_times():
    """Random boxes (some sides a single point): firing_bounds contains every simulated time in the box."""

    @_settings(BOUNDS_CASES)
    @given(st.data())
    def case(data):
        net = data.draw(networks(sourceless=True))
        x = data.draw(inputs_for(net, allow_inf=False))
        box = data.draw(boxes_around(x))
        points = [tuple(x)] + data.draw(st.lists(points_in(box), min_size=1, max_size=4))
        check_bounds(net, box, points)
        COUNTS["bounds"] += 1

    case()


def test_firing_bounds_are_exact_for_positive_linear_networks():
    """Positive linear networks: the bounds are the simulations at the lowest and highest corner."""

    @_settings(BOUNDS_EXACT_CASES)
    @given(st.data())
    def case(data):
        net = data.draw(networks(positive=True, finite_kernels=False, sourceless=True))
        x = data.draw(inputs_for(net, allow_inf=False))
        box = data.draw(boxes_around(x))
        check_bounds(net, box, [tuple(x), *data.draw(st.lists(points_in(box), max_size=3))])
        COUNTS["bounds positive linear"] += 1

    case()


def test_hypograph_encoding():
    """encode_below on positive linear networks: T <= t always, T = t feasible, lower outputs feasible."""

    @_settings(BELOW_CASES)
    @given(st.data())
    def case(data):
        net = data.draw(networks(positive=True, finite_kernels=False, sourceless=True, max_layers=3))
        x = data.draw(inputs_for(net, allow_inf=False, coincident=data.draw(st.booleans())))
        check_encode_below(net, x)
        COUNTS["encode_below"] += 1

    case()


def test_simulator_finds_the_first_crossing():
    """The exact sweep against the definition (potential below theta before t_v, at least theta at t_v)."""

    @_settings(CROSSING_CASES)
    @given(st.data())
    def case(data):
        net = data.draw(networks(sourceless=True, denominators=(1, 2, 3, 4), max_layers=3))
        x = data.draw(inputs_for(net, coincident=data.draw(st.booleans())))
        check_first_crossing(net, x)
        COUNTS["first crossing"] += 1

    case()
