"""Region pictures: exact polygon clipping and the headless plot."""

from __future__ import annotations

from fractions import Fraction

import matplotlib
import pytest

from verisnn.analyses.regions import count_regions, one_layer
from verisnn.core.domain import Box, parse_domain
from verisnn.core.errors import InvalidInput
from verisnn.io import load
from verisnn.report.plot import _area, check_plot_path, clip, plot_regions, region_polygon

F = Fraction


def test_backend_is_headless():
    """Importing verisnn.report.plot selects the Agg backend (no display needed)."""
    assert matplotlib.get_backend().lower() == "agg"


def test_clip_is_exact():
    """Clipping the unit square by x0 - x1 >= 0 leaves the lower triangle, area exactly 1/2."""
    square = [(F(0), F(0)), (F(1), F(0)), (F(1), F(1)), (F(0), F(1))]
    tri = clip(square, (F(0), F(1), F(-1)))
    assert _area(tri) == F(1, 2)
    assert clip(square, (F(-5), F(1), F(1))) == []


def test_region_polygons_tile_the_slice():
    """The pieces' polygons of w = (1, 1), theta = 1 on [0, 3]^2 have areas summing to 9 exactly."""
    from verisnn.analyses.regions import enumerate_regions

    rm = enumerate_regions(one_layer([[1, 1]], [1]), Box.uniform(0, 3, 2))
    total = sum(_area(region_polygon(r.constraints, (F(0), F(0)), (F(3), F(3)))) for r in rm.regions)
    assert total == 9


def test_plot_writes_png(tmp_path):
    """A 3-input neuron sliced at x2 = 1: the picture exists and shows the slice's exact region count."""
    net = one_layer([[1, 2, 3]], [2])
    box = parse_domain("0:4,0:4,1:1", 3)
    pic = plot_regions(net, box, tmp_path / "slice.png")
    assert pic.path.stat().st_size > 5000
    assert pic.slice_regions is not None and pic.slice_regions.count == count_regions(net, box).details["count"] == 5
    assert pic.line_regions.count >= 2


def test_plot_one_dimensional_and_discontinuous(tmp_path):
    """A box-kernel network along one free input gets only the line panel; silent stretches are kept."""
    net = load("examples/kernel_box.json")
    pic = plot_regions(net, parse_domain("0:5,5/2:5/2", 2), tmp_path / "line.png")
    assert pic.slice_regions is None
    assert any(r.outputs[0] is None for r in pic.line_regions.regions)
    assert (tmp_path / "line.png").stat().st_size > 3000


def test_plot_needs_a_free_input(tmp_path):
    """A domain with every input fixed cannot be drawn: a user error."""
    with pytest.raises(InvalidInput, match="no non-degenerate"):
        plot_regions(one_layer([[1, 1]], [1]), parse_domain("1:1,2:2", 2), tmp_path / "x.png")


def test_plot_format_is_checked_first(tmp_path):
    """A picture path whose suffix matplotlib cannot write is a user error naming the path, before any work."""
    with pytest.raises(InvalidInput, match="r.txt"):
        check_plot_path(tmp_path / "r.txt")
    assert check_plot_path(tmp_path / "r.svg").suffix == ".svg"


def test_cli_plot_unsupported_format_exits_2(cli, tmp_path):
    """`verisnn regions ... --plot r.txt` exits 2 with one line naming the path (it used to exit 3)."""
    run = cli("regions", "examples/fact_sum.json", "--domain", "0:2", "--plot", tmp_path / "r.txt")
    assert run.code == 2, run.err
    assert run.err.count("\n") == 1 and "r.txt" in run.err
    assert not (tmp_path / "r.txt").exists()
