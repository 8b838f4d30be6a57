"""Pictures of causal regions (headless matplotlib, Agg backend).

:func:`plot_regions` draws a 2-D slice of the domain with every region coloured and labelled by
its pattern (like the figures of the polyhedral-geometry paper), and the first output along a
horizontal line through the slice with its breakpoints marked.  The regions are the exact ones
of :mod:`verisnn.analyses.regions` (docs/regions.md); their polygons are clipped exactly, and only the drawing uses floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Patch, Polygon

from verisnn.analyses.regions import LP_BACKENDS, RegionMap, Space, enumerate_regions
from verisnn.core import affine as af
from verisnn.core.affine import Affine
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput, plural
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.numbers import fmt
from verisnn.io.files import opened_for_writing

Point = tuple[Fraction, Fraction]


def check_plot_path(path: str | Path) -> Path:
    """``path`` as a Path if matplotlib can write its format (by suffix); InvalidInput naming it otherwise."""
    out = Path(path)
    formats = plt.figure().canvas.get_supported_filetypes()
    plt.close("all")
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in formats:
        raise InvalidInput(f"cannot plot to {str(out)!r}: unsupported picture format {out.suffix or '(none)'!r} "
                           f"(use one of {', '.join('.' + f for f in sorted(formats))})")
    return out


def clip(polygon: Sequence[Point], g: Affine) -> list[Point]:
    """The part of a convex polygon where ``g >= 0`` (exact Sutherland-Hodgman step)."""
    out: list[Point] = []
    n = len(polygon)
    for k in range(n):
        p, q = polygon[k], polygon[(k + 1) % n]
        gp, gq = af.evaluate(g, p), af.evaluate(g, q)
        if gp >= 0:
            out.append(p)
        if (gp > 0 > gq) or (gp < 0 < gq):
            s = gp / (gp - gq)
            out.append((p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1])))
    return out


def region_polygon(constraints: Sequence[Affine], lo: Point, hi: Point) -> list[Point]:
    """Vertices of ``{g >= 0 for g in constraints}`` inside the rectangle ``[lo, hi]`` (exact)."""
    poly: list[Point] = [(lo[0], lo[1]), (hi[0], lo[1]), (hi[0], hi[1]), (lo[0], hi[1])]
    for g in constraints:
        poly = clip(poly, g)
        if not poly:
            break
    return poly


def _area(poly: Sequence[Point]) -> Fraction:
    return abs(sum((p[0] * q[1] - q[0] * p[1] for p, q in zip(poly, list(poly[1:]) + [poly[0]])), Fraction(0))) / 2



def _centroid(poly: Sequence[Point]) -> Point:
    n = len(poly)
    return (sum((p[0] for p in poly), Fraction(0)) / n, sum((p[1] for p in poly), Fraction(0)) / n)


@dataclass(frozen=True)
class Picture:
    """What was drawn: the slice's regions, the line's pieces, and the file."""

    path: Path
    slice_regions: RegionMap | None
    line_regions: RegionMap
    line: tuple[tuple[Fraction, ...], tuple[Fraction, ...]]


def _slice_box(box: Box) -> tuple[Box, list[int]]:
    free = [j for j in range(box.dimension) if box.lo[j] < box.hi[j]]
    keep = free[:2]
    lo = tuple(box.lo[j] for j in range(box.dimension))
    hi = tuple(box.hi[j] if j in keep else box.lo[j] for j in range(box.dimension))
    return Box(lo, hi), keep


def plot_regions(net: Network | ReluNetwork, box: Box, path: str | Path, *, title: str | None = None,
                 max_labels: int = 40, timeout: float = 60.0, lp: str = LP_BACKENDS[0]) -> Picture:
    """Draw the 2-D slice of ``box`` through its first two non-degenerate inputs (the others at their
    lower bounds) coloured by pattern, and output 0 along the horizontal line through the slice's middle."""
    check_plot_path(path)
    sbox, keep = _slice_box(box)
    if not keep:
        raise InvalidInput(f"domain {box} has no non-degenerate interval to plot")
    names = list(net.inputs) if isinstance(net, Network) else [f"x{j}" for j in range(net.dimension)]
    # the line: along the first free input, the second one (if any) at its middle
    a = list(sbox.lo)
    b = list(sbox.lo)
    b[keep[0]] = sbox.hi[keep[0]]
    if len(keep) > 1:
        mid = (sbox.lo[keep[1]] + sbox.hi[keep[1]]) / 2
        a[keep[1]] = b[keep[1]] = mid
    line_space = Space.segment(a, b)
    line_rm = enumerate_regions(net, line_space, timeout=timeout, lp=lp)
    slice_rm = enumerate_regions(net, sbox, timeout=timeout, lp=lp) if len(keep) == 2 else None

    fig, axes = plt.subplots(1, 2 if slice_rm is not None else 1, figsize=(13 if slice_rm else 6.5, 5.6))
    axes = list(axes) if slice_rm is not None else [axes]
    cmap = plt.get_cmap("tab20")
    if slice_rm is not None:
        ax = axes[0]
        lo = (sbox.lo[keep[0]], sbox.lo[keep[1]])
        hi = (sbox.hi[keep[0]], sbox.hi[keep[1]])
        index = {p: k for k, p in enumerate(slice_rm.patterns)}
        best: dict[tuple, tuple[Fraction, Point]] = {}
        for r in slice_rm.regions:
            poly = region_polygon(r.constraints, lo, hi)
            if len(poly) < 3:
                continue
            k = index[r.pattern]
            xy = [(float(p[0]), float(p[1])) for p in poly]  # plot
            ax.add_patch(Polygon(xy, closed=True, facecolor=cmap(k % 20), edgecolor="black", linewidth=0.6,
                                 alpha=0.85))
            area = _area(poly)
            if r.pattern not in best or area > best[r.pattern][0]:
                best[r.pattern] = (area, _centroid(poly))
        short = len(index) <= max_labels and all(len(slice_rm.label(p)) <= 18 for p in index)
        for pattern, (_, c) in best.items():
            label = slice_rm.label(pattern)
            text = label if short else str(index[pattern])
            if short and not label.replace("-", "").strip():
                text = "silent"
            ax.text(float(c[0]), float(c[1]), text, ha="center", va="center", fontsize=7,  # plot
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "linewidth": 0})
        ax.plot([float(a[keep[0]]), float(b[keep[0]])], [float(a[keep[1]]), float(b[keep[1]])],  # plot
                color="black", linestyle="--", linewidth=1.2)
        ax.set_xlim(float(lo[0]), float(hi[0]))  # plot
        ax.set_ylim(float(lo[1]), float(hi[1]))  # plot
        ax.set_xlabel(names[keep[0]])
        ax.set_ylabel(names[keep[1]])
        fixed = [f"{names[j]}={fmt(sbox.lo[j])}" for j in range(box.dimension) if j not in keep]
        head = plural(slice_rm.count, "region") + f" ({plural(slice_rm.pieces, 'piece')})"
        ax.set_title(head + (f", {', '.join(fixed)}" if fixed else ""))
        ax.set_aspect("auto")
        if not short and len(index) <= 16:
            handles = [Patch(facecolor=cmap(k % 20), label=f"{k}: {slice_rm.label(p)}") for p, k in index.items()]
            ax.legend(handles=handles, fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2,
                      frameon=False)

    ax = axes[-1]
    x0 = float(a[keep[0]])  # plot
    span = float(b[keep[0]] - a[keep[0]])  # plot
    pieces = sorted(line_rm.regions, key=lambda r: r.point[0])
    finite = [r for r in pieces if r.outputs and r.outputs[0] is not None]
    top = max((float(max(af.evaluate(r.outputs[0], (Fraction(0),)), af.evaluate(r.outputs[0], (Fraction(1),))))  # plot
               for r in finite), default=1.0)
    breaks: list[float] = []  # the plotted output's map changes here
    switches: list[float] = []  # only the pattern changes (another neuron's region)
    previous = None
    for r in pieces:
        s_lo, s_hi = Fraction(0), Fraction(1)
        for g in r.constraints:  # g = c0 + c1 s > 0
            c0, c1 = g[0], g[1]
            if c1 > 0:
                s_lo = max(s_lo, -c0 / c1)
            elif c1 < 0:
                s_hi = min(s_hi, -c0 / c1)
        xs = [x0 + span * float(s_lo), x0 + span * float(s_hi)]  # plot
        out = r.outputs[0] if r.outputs else None
        if out is None:
            ax.plot(xs, [top * 1.05 + 0.1] * 2, color="red", linewidth=3, solid_capstyle="butt")
        else:
            ys = [float(af.evaluate(out, (s_lo,))), float(af.evaluate(out, (s_hi,)))]  # plot
            ax.plot(xs, ys, color="C0", linewidth=2)
        if previous is not None and s_lo > 0:
            if previous[1] != out:
                breaks.append(xs[0])
            elif previous[0] != r.pattern:
                switches.append(xs[0])
        previous = (r.pattern, out)
    for x in breaks:
        ax.axvline(x, color="gray", linestyle=":", linewidth=1)
    for x in switches:
        ax.axvline(x, color="lightgray", linestyle=":", linewidth=0.8)
    ax.plot(breaks, [ax.get_ylim()[0]] * len(breaks), "k|", markersize=12)
    out_name = (net.outputs[0] if isinstance(net, Network) else "y0")
    line_desc = names[keep[0]] + (f" ({names[keep[1]]}={fmt(a[keep[1]])})" if len(keep) > 1 else "")
    ax.set_xlabel(line_desc)
    ax.set_ylabel(f"output {out_name}" + (" (red: silent)" if len(finite) < len(pieces) else ""))
    ax.set_title(f"{out_name} along the dashed line: {plural(len(breaks), 'breakpoint')}"
                 + (f" (+{plural(len(switches), 'pattern change')}, light)" if switches else ""))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    out = Path(path)
    with opened_for_writing(out, "picture", binary=True) as handle:
        fig.savefig(handle, format=out.suffix.lower().lstrip("."), dpi=110)
    plt.close(fig)
    return Picture(out, slice_rm, line_rm, (tuple(a), tuple(b)))
