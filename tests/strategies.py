"""Hypothesis strategies for small networks and inputs, shared by every differential test.

Every new model feature must be added here (kernels, signs, delays, references, silence), so
that the simulator, the encodings and the fast simulator are all compared on it.  docs/testing.md
lists what each strategy draws and which differential tests use it.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from verisnn.core.domain import Box
from verisnn.core.kernels import Kernel, box, from_pieces, linear, saturating, triangle
from verisnn.core.model import Network, Neuron, Reference, Synapse
from verisnn.core.numbers import INF


#: small rationals with small denominators, so that coincidences (ties) actually happen
def rationals(lo: int = -3, hi: int = 3, denominators: tuple[int, ...] = (1, 2, 4)) -> st.SearchStrategy[Fraction]:
    return st.builds(
        lambda n, d: Fraction(n, d),
        st.integers(lo * max(denominators), hi * max(denominators)),
        st.sampled_from(denominators),
    ).filter(lambda q: lo <= q <= hi)


positive_rationals = rationals(0, 3).filter(lambda q: q > 0)


@st.composite
def user_kernels(draw: st.DrawFn, max_pieces: int = 3) -> Kernel:
    """A random piece list: starts increasing from 0, value 0 at 0, any later values/slopes.

    Later pieces start at any value (so the kernel may jump up or down) with any slope sign.
    """
    n = draw(st.integers(1, max_pieces))
    starts = sorted(set(draw(st.lists(rationals(0, 3).filter(lambda q: q > 0), min_size=n - 1, max_size=n - 1))))
    pieces = [(Fraction(0), Fraction(0), draw(rationals(0, 2).filter(lambda q: q > 0)))]
    for s in starts:
        pieces.append((s, draw(rationals(-1, 2)), draw(rationals(-1, 1))))
    return from_pieces(pieces)


def kernel_family(name: str) -> st.SearchStrategy[Kernel]:
    """One family: ``linear``, ``box``, ``saturating``, ``triangle`` or ``user`` (random pieces)."""
    deltas = rationals(0, 3).filter(lambda q: q > 0)
    families = {
        "linear": st.just(linear()),
        "box": deltas.map(box),
        "saturating": deltas.map(saturating),
        "triangle": deltas.map(triangle),
        "user": user_kernels(),
    }
    return families[name]


KERNEL_FAMILIES = ("linear", "box", "saturating", "triangle", "user")


def kernels(finite: bool = True) -> st.SearchStrategy[Kernel]:
    """Every kernel family: linear, box, saturating, triangle, user pieces."""
    if not finite:
        return st.just(linear())
    return st.one_of(*[kernel_family(name) for name in KERNEL_FAMILIES])


all_kernels = kernels  # the function above, reachable inside ``networks`` whose parameter shadows it


@st.composite
def networks(
    draw: st.DrawFn,
    *,
    max_inputs: int = 3,
    max_layers: int = 2,
    max_width: int = 3,
    positive: bool = False,
    finite_kernels: bool = True,
    delays: bool = True,
    references: bool = True,
    mixed_kernels: bool = True,
    kernels: st.SearchStrategy[Kernel] | None = None,
    denominators: tuple[int, ...] = (1, 2, 4),
    sourceless: bool = False,
) -> Network:
    """A small layered-ish DAG: each neuron draws synapses from any earlier node (skips allowed).

    ``kernels`` (a strategy) overrides the kernel families drawn for the network and, with
    ``mixed_kernels``, for per-synapse overrides; e.g. ``kernels=st.just(box(1))``.
    ``denominators`` are those of weights, thresholds, delays and reference times (add 3 to get
    values that float64 cannot hold exactly).  Signed weights include 0.  With ``sourceless`` a
    hidden neuron may have no synapses at all (it is silent, and so may be what it feeds).
    """
    def num(lo: int, hi: int) -> st.SearchStrategy[Fraction]:
        return rationals(lo, hi, denominators)

    pos = num(0, 3).filter(lambda q: q > 0)
    kernel_strategy = kernels if kernels is not None else all_kernels(finite_kernels)
    d = draw(st.integers(1, max_inputs))
    inputs = tuple(f"x{j}" for j in range(d))
    kernel = draw(kernel_strategy)
    refs: list[Reference] = []
    if references and draw(st.booleans()):
        refs = [Reference(f"r{k}", draw(num(-2, 3))) for k in range(draw(st.integers(1, 2)))]
    sources = list(inputs) + [r.name for r in refs]
    neurons: list[Neuron] = []
    synapses: list[Synapse] = []
    weight = pos if positive else num(-3, 3)
    n_layers = draw(st.integers(1, max_layers))
    for li in range(1, n_layers + 1):
        width = 1 if li == n_layers else draw(st.integers(1, max_width))
        layer = []
        for i in range(width):
            name = f"l{li}n{i}"
            neurons.append(Neuron(name, draw(pos)))
            none = sourceless and li < n_layers and draw(st.integers(0, 3)) == 0
            srcs = [] if none else draw(
                st.lists(st.sampled_from(sources), min_size=1, max_size=min(4, len(sources)), unique=True)
            )
            for src in srcs:
                k = None
                if mixed_kernels and (finite_kernels or kernels is not None) and draw(st.integers(0, 4)) == 0:
                    k = draw(kernel_strategy)
                synapses.append(
                    Synapse(src, name, draw(weight), draw(num(0, 2)) if delays else Fraction(0), k)
                )
            layer.append(name)
        sources = sources + layer
    outputs = tuple(n.name for n in neurons if n.name.startswith(f"l{n_layers}n"))
    return Network(inputs, tuple(neurons), tuple(synapses), outputs, tuple(refs), kernel)


def inputs_for(
    net: Network, lo: int = -2, hi: int = 4, allow_inf: bool = True, coincident: bool = False
) -> st.SearchStrategy[list]:
    """Input spike times for ``net`` (rationals; occasionally ``inf`` = no spike).

    With ``coincident`` the times come from a pool of at most two values, so that spikes arrive
    together (with zero delays) and ties between arrivals and crossings are frequent.
    """
    one = st.one_of(rationals(lo, hi), st.just(INF)) if allow_inf else rationals(lo, hi)
    if not coincident:
        return st.lists(one, min_size=net.dimension, max_size=net.dimension)
    return st.lists(one, min_size=1, max_size=2).flatmap(
        lambda pool: st.lists(st.sampled_from(pool), min_size=net.dimension, max_size=net.dimension)
    )


@st.composite
def boxes_around(draw: st.DrawFn, x: list[Fraction], max_radius: int = 2) -> Box:
    """A box of input times containing ``x``; each side has its own radii, and may be a single point."""
    lo, hi = [], []
    for v in x:
        degenerate = draw(st.integers(0, 3)) == 0
        lo.append(v if degenerate else v - draw(rationals(0, max_radius)))
        hi.append(v if degenerate else v + draw(rationals(0, max_radius)))
    return Box(tuple(lo), tuple(hi))


@st.composite
def points_in(draw: st.DrawFn, box: Box) -> tuple[Fraction, ...]:
    """A point of ``box``: a corner, the center, or a random rational point (on a grid of 1/8 of each side)."""
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return tuple(draw(st.sampled_from((a, b))) for a, b in zip(box.lo, box.hi))
    if kind == 1:
        return box.center()
    return tuple(a + (b - a) * Fraction(draw(st.integers(0, 8)), 8) for a, b in zip(box.lo, box.hi))
