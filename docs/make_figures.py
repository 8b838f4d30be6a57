"""Draw the response-kernel pictures of docs/kernels.md.

Run from the repository root with the project's environment active:

    python docs/make_figures.py

It writes docs/figures/kernel_<name>.png for the four built-in kernels and for the user
kernel of examples/kernel_pieces.json.  The kernels come from the library itself, so the
pictures show what verisnn computes.  Floats are used for drawing only.  It also runs
`verisnn regions examples/fact_sum.json --domain 0:3 --plot ...` for the picture of
docs/cli.md (docs/figures/regions_fact_sum.png).
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

try:  # the kernels module is moving into verisnn.core
    from verisnn.core.kernels import box, from_pieces, linear, saturating, triangle
except ImportError:  # pragma: no cover - older layout
    from verisnn.kernels import box, from_pieces, linear, saturating, triangle

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "figures"
S_MIN, S_MAX = Fraction(-1, 2), Fraction(7, 2)


def _value(kernel, s: Fraction) -> Fraction:
    """eps(s) from the pieces: 0 before 0, right-continuous at every breakpoint."""
    if s < 0:
        return Fraction(0)
    piece = [p for p in kernel.pieces if p.start <= s][-1]
    return piece.value + piece.slope * (s - piece.start)


def _left_limit(kernel, s: Fraction) -> Fraction:
    """lim eps(r) for r increasing to s."""
    before = [p for p in kernel.pieces if p.start < s]
    if s <= 0 or not before:
        return Fraction(0)
    piece = before[-1]
    return piece.value + piece.slope * (s - piece.start)


def draw(kernel, title: str, path: Path) -> None:
    breaks = [p.start for p in kernel.pieces if S_MIN < p.start < S_MAX]
    edges = [S_MIN, Fraction(0), *[b for b in breaks if b != 0], S_MAX]
    edges = sorted(set(edges))
    fig, ax = plt.subplots(figsize=(3.2, 2.2), dpi=100)
    color = "#1f5fa8"
    for a, b in zip(edges, edges[1:]):
        # on [a, b) the kernel is one affine piece: draw it up to its left limit at b
        ax.plot([float(a), float(b)], [float(_value(kernel, a)), float(_left_limit(kernel, b))], color=color, lw=1.8)
    for b in edges[1:-1]:
        left, right = _left_limit(kernel, b), _value(kernel, b)
        if left != right:  # a jump: the value at b is the right one (closed), the left limit is open
            ax.plot([float(b)], [float(left)], "o", mfc="white", mec=color, ms=5, zorder=3)
            ax.plot([float(b)], [float(right)], "o", color=color, ms=5, zorder=3)
            ax.plot([float(b), float(b)], [float(left), float(right)], ":", color=color, lw=0.8)
    ax.axhline(0, color="0.6", lw=0.6)
    ax.axvline(0, color="0.6", lw=0.6)
    ax.set_xlim(float(S_MIN), float(S_MAX))
    top = max(float(_value(kernel, e)) for e in edges)
    ax.set_ylim(-0.3, max(1.2, top + 0.3))
    ticks = sorted({0, *[float(b) for b in breaks], 1, 2, 3})
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.set_xlabel("s", labelpad=1)
    ax.set_ylabel("eps(s)", labelpad=1)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    fig.tight_layout(pad=0.3)
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    user = from_pieces([("0", "0", "2"), ("1/2", "1", "0"), ("3", "0", "0")])
    figures = {
        "linear": (linear(), "linear: eps(s) = s"),
        "box": (box(1), "box(1)"),
        "saturating": (saturating(1), "saturating(1)"),
        "triangle": (triangle(1), "triangle(1)"),
        "pieces": (user, "pieces (examples/kernel_pieces.json)"),
    }
    for name, (kernel, title) in figures.items():
        path = OUT / f"kernel_{name}.png"
        draw(kernel, title, path)
        print(f"wrote {path}")
    regions = OUT / "regions_fact_sum.png"
    subprocess.run([sys.executable, "-m", "verisnn", "regions", "examples/fact_sum.json", "--domain", "0:3",
                    "--plot", str(regions)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(f"wrote {regions}")


if __name__ == "__main__":
    main()
