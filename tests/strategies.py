"""Hypothesis strategies for small networks and inputs, shared by every differential test.

Every new model feature must be added here (kernels, signs, delays, references, silence), so
that the simulator, the encodings and the fast simulator are all compared on it.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from verisnn.core.kernels import Kernel, box, from_pieces, linear, saturating, triangle
from verisnn.core.model import Network, Neuron, Reference, Synapse


#: small rationals with small denominators, so that coincidences (ties) actually happen
def rationals(lo: int = -3, hi: int = 3, denominators: tuple[int, ...] = (1, 2, 4)) -> st.SearchStrategy[Fraction]:
    return st.builds(
        lambda n, d: Fraction(n, d),
        st.integers(lo * max(denominators), hi * max(denominators)),
        st.sampled_from(denominators),
    ).filter(lambda q: lo <= q <= hi)


positive_rationals = rationals(0, 3).filter(lambda q: q > 0)


@st.composite
def user_kernels(draw: st.DrawFn) -> Kernel:
    """A random piece list: starts increasing from 0, value 0 at 0, any later values/slopes."""
    n = draw(st.integers(1, 3))
    starts = sorted(set(draw(st.lists(rationals(0, 3).filter(lambda q: q > 0), min_size=n - 1, max_size=n - 1))))
    pieces = [(Fraction(0), Fraction(0), draw(rationals(0, 2).filter(lambda q: q > 0)))]
    for s in starts:
        pieces.append((s, draw(rationals(-1, 2)), draw(rationals(-1, 1))))
    return from_pieces(pieces)


def kernels(finite: bool = True) -> st.SearchStrategy[Kernel]:
    """Every kernel family: linear, box, saturating, triangle, user pieces."""
    if not finite:
        return st.just(linear())
    deltas = rationals(0, 3).filter(lambda q: q > 0)
    return st.one_of(
        st.just(linear()),
        deltas.map(box),
        deltas.map(saturating),
        deltas.map(triangle),
        user_kernels(),
    )


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
) -> Network:
    """A small layered-ish DAG: each neuron draws synapses from any earlier node (skips allowed).

    ``kernels`` (a strategy) overrides the kernel families drawn for the network and, with
    ``mixed_kernels``, for per-synapse overrides; e.g. ``kernels=st.just(box(1))``.
    """
    kernel_strategy = kernels if kernels is not None else all_kernels(finite_kernels)
    d = draw(st.integers(1, max_inputs))
    inputs = tuple(f"x{j}" for j in range(d))
    kernel = draw(kernel_strategy)
    refs: list[Reference] = []
    if references and draw(st.booleans()):
        refs = [Reference(f"r{k}", draw(rationals(-2, 3))) for k in range(draw(st.integers(1, 2)))]
    sources = list(inputs) + [r.name for r in refs]
    neurons: list[Neuron] = []
    synapses: list[Synapse] = []
    weight = positive_rationals if positive else rationals(-3, 3)
    n_layers = draw(st.integers(1, max_layers))
    for li in range(1, n_layers + 1):
        width = 1 if li == n_layers else draw(st.integers(1, max_width))
        layer = []
        for i in range(width):
            name = f"l{li}n{i}"
            neurons.append(Neuron(name, draw(positive_rationals)))
            srcs = draw(st.lists(st.sampled_from(sources), min_size=1, max_size=min(4, len(sources)), unique=True))
            for src in srcs:
                k = None
                if mixed_kernels and (finite_kernels or kernels is not None) and draw(st.integers(0, 4)) == 0:
                    k = draw(kernel_strategy)
                synapses.append(
                    Synapse(src, name, draw(weight), draw(rationals(0, 2)) if delays else Fraction(0), k)
                )
            layer.append(name)
        sources = sources + layer
    outputs = tuple(n.name for n in neurons if n.name.startswith(f"l{n_layers}n"))
    return Network(inputs, tuple(neurons), tuple(synapses), outputs, tuple(refs), kernel)


def inputs_for(net: Network, lo: int = -2, hi: int = 4, allow_inf: bool = True) -> st.SearchStrategy[list]:
    """Input spike times for ``net`` (rationals; occasionally ``inf`` = no spike)."""
    from verisnn.core.numbers import INF

    one = st.one_of(rationals(lo, hi), st.just(INF)) if allow_inf else rationals(lo, hi)
    return st.lists(one, min_size=net.dimension, max_size=net.dimension)
