"""The exact network model (docs/model.md): spiking networks as DAGs, coded networks, ReLU networks.

Everything here is immutable and exact (:class:`~fractions.Fraction`).  Constructors validate
their arguments and raise :class:`~verisnn.core.errors.InvalidNetwork` naming the bad value; a
:class:`Network` that exists is well formed (acyclic, thresholds > 0, delays >= 0, known nodes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from verisnn.core.errors import InvalidNetwork
from verisnn.core.kernels import Kernel, linear, parse_kernel
from verisnn.core.numbers import INF, Time, fmt, is_finite, parse_rational


def _q(value: object, what: str) -> Fraction:
    return parse_rational(value, what, InvalidNetwork)


@dataclass(frozen=True)
class Neuron:
    name: str
    threshold: Fraction


@dataclass(frozen=True)
class Reference:
    """A node that spikes at a fixed time (acts like a bias)."""

    name: str
    time: Fraction


@dataclass(frozen=True)
class Synapse:
    """A connection ``source -> target``; ``kernel=None`` means the network's default kernel."""

    source: str
    target: str
    weight: Fraction
    delay: Fraction = Fraction(0)
    kernel: Kernel | None = None

    def __str__(self) -> str:
        return f"{self.source}->{self.target}"


@dataclass(frozen=True)
class Code:
    """A value code on one node: spike time ``t = base - x`` (negative) or ``base + x`` (positive)."""

    node: str
    code: str
    base: Fraction

    def __post_init__(self) -> None:
        if self.code not in ("negative", "positive"):
            raise InvalidNetwork(f"code of node '{self.node}' must be 'negative' or 'positive', got {self.code!r}")

    @property
    def sign(self) -> int:
        """-1 for the negative code, +1 for the positive one: ``t = base + sign * x``."""
        return -1 if self.code == "negative" else 1

    def encode(self, x: Fraction) -> Fraction:
        return self.base + self.sign * x

    def decode(self, t: Time) -> Time:
        """The value a spike time stands for; a missing spike decodes to -inf / +inf."""
        if not is_finite(t):
            return self.sign * INF
        return self.sign * (t - self.base)  # type: ignore[operator]


@dataclass(frozen=True)
class Codes:
    inputs: tuple[Code, ...]
    outputs: tuple[Code, ...]


@dataclass(frozen=True)
class Network:
    """A spiking network under the SRM with linear response (docs/model.md).

    ``inputs`` are the query variables (their spike times), ``references`` spike at fixed
    times, ``neurons`` have thresholds > 0.  The graph must be acyclic.  ``outputs`` lists the
    nodes whose firing times form the realization ``R(x)``.
    """

    inputs: tuple[str, ...]
    neurons: tuple[Neuron, ...]
    synapses: tuple[Synapse, ...]
    outputs: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    kernel: Kernel = field(default_factory=linear)
    codes: Codes | None = None

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for kind, names in (
            ("input", self.inputs),
            ("reference", [r.name for r in self.references]),
            ("neuron", [n.name for n in self.neurons]),
        ):
            for name in names:
                if not isinstance(name, str) or not name:
                    raise InvalidNetwork(f"{kind} id must be a nonempty string, got {name!r}")
                if name in seen:
                    raise InvalidNetwork(f"duplicate node id '{name}'")
                seen.add(name)
        for n in self.neurons:
            if n.threshold <= 0:
                raise InvalidNetwork(f"threshold of neuron '{n.name}' must be > 0, got {fmt(n.threshold)}")
        neuron_names = {n.name for n in self.neurons}
        for s in self.synapses:
            if s.source not in seen:
                raise InvalidNetwork(f"synapse {s} comes from unknown node '{s.source}'")
            if s.target not in seen:
                raise InvalidNetwork(f"synapse {s} goes to unknown node '{s.target}'")
            if s.target not in neuron_names:
                raise InvalidNetwork(f"synapse {s} goes into '{s.target}', which is not a neuron")
            if s.delay < 0:
                raise InvalidNetwork(f"delay of synapse {s} must be >= 0, got {fmt(s.delay)}")
        if not self.outputs:
            raise InvalidNetwork("network has no outputs")
        for o in self.outputs:
            if o not in seen:
                raise InvalidNetwork(f"output '{o}' is not a node of the network")
        if self.codes is not None:
            for c in self.codes.inputs:
                if c.node not in self.inputs:
                    raise InvalidNetwork(f"input code names '{c.node}', which is not an input")
            for c in self.codes.outputs:
                if c.node not in self.outputs:
                    raise InvalidNetwork(f"output code names '{c.node}', which is not an output")
        _ = self.order  # raises on cycles

    # --- structure --------------------------------------------------------------------------
    @cached_property
    def incoming(self) -> Mapping[str, tuple[Synapse, ...]]:
        """Synapses into each neuron, in file order."""
        result: dict[str, list[Synapse]] = {n.name: [] for n in self.neurons}
        for s in self.synapses:
            result[s.target].append(s)
        return {k: tuple(v) for k, v in result.items()}

    @cached_property
    def order(self) -> tuple[str, ...]:
        """Neurons in a topological order (raises InvalidNetwork on a cycle)."""
        neuron_names = [n.name for n in self.neurons]
        preds = {v: {s.source for s in self.incoming[v] if s.source in self.incoming} for v in neuron_names}
        done: list[str] = []
        placed: set[str] = set()
        pending = list(neuron_names)
        while pending:
            ready = [v for v in pending if preds[v] <= placed]
            if not ready:
                cycle = _find_cycle({v: preds[v] - placed for v in pending})
                raise InvalidNetwork("network has a cycle: " + " -> ".join(cycle))
            for v in ready:
                placed.add(v)
                done.append(v)
            pending = [v for v in pending if v not in placed]
        return tuple(done)

    @cached_property
    def thresholds(self) -> Mapping[str, Fraction]:
        return {n.name: n.threshold for n in self.neurons}

    @cached_property
    def reference_times(self) -> Mapping[str, Fraction]:
        return {r.name: r.time for r in self.references}

    def kernel_of(self, s: Synapse) -> Kernel:
        return s.kernel if s.kernel is not None else self.kernel

    @cached_property
    def kernels(self) -> tuple[Kernel, ...]:
        """Distinct kernels used by some synapse (the default one first)."""
        ks = [self.kernel]
        for s in self.synapses:
            k = self.kernel_of(s)
            if k not in ks:
                ks.append(k)
        return tuple(ks)

    @cached_property
    def closed_form(self) -> Mapping[str, bool]:
        """Per neuron: every synapse into it has a positive weight and the linear kernel (the closed-form case)."""
        return {v: all(s.weight > 0 and self.kernel_of(s).is_linear for s in ins) for v, ins in self.incoming.items()}

    @property
    def all_linear(self) -> bool:
        return all(self.kernel_of(s).is_linear for s in self.synapses)

    @property
    def all_positive(self) -> bool:
        """Every synapse weight is > 0 (the papers' monotone case)."""
        return all(s.weight > 0 for s in self.synapses)

    @property
    def positive_linear(self) -> bool:
        """Positive weights and the linear kernel: continuous, monotone, concave (claims C3, C4)."""
        return self.all_positive and self.all_linear

    @property
    def dimension(self) -> int:
        return len(self.inputs)

    def with_codes(self, codes: Codes | None) -> Network:
        return Network(self.inputs, self.neurons, self.synapses, self.outputs, self.references, self.kernel, codes)

    def __str__(self) -> str:
        return (
            f"Network({len(self.inputs)} inputs, {len(self.neurons)} neurons, "
            f"{len(self.synapses)} synapses, kernel {self.kernel})"
        )


def _find_cycle(preds: Mapping[str, set[str]]) -> list[str]:
    """A cycle among the nodes left when topological sorting got stuck."""
    start = next(iter(preds))
    path = [start]
    while True:
        nxt = min(preds[path[-1]])
        if nxt in path:
            cycle = path[path.index(nxt):] + [nxt]
            return list(reversed(cycle))
        path.append(nxt)


MAX_NODES = 1_000_000


def layered(
    n_inputs: int,
    layers: Sequence[Mapping[str, object]],
    kernel: object = "linear",
    references: Mapping[str, object] | None = None,
    codes: Codes | None = None,
) -> Network:
    """The layered shorthand of docs/formats.md as a graph.

    ``layers[l]["weights"][i][j]`` is the weight from unit j of the previous layer to neuron i,
    ``"thresholds"`` one per neuron, ``"delays"`` like weights (default 0).  Inputs are named
    ``x0, x1, ...``, neurons ``l1n0, l1n1, ...``; the last layer is the output.  Optional
    per-layer ``"references"``: ``{"weights": [[...]] (neuron x reference), "times": [...]}``.
    """
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, int) or n_inputs < 1:
        raise InvalidNetwork(f"'inputs' must be a positive integer or a list of names, got {n_inputs!r}")
    if n_inputs > MAX_NODES:
        raise InvalidNetwork(f"'inputs' is {n_inputs}, more than verisnn handles ({MAX_NODES})")
    if not layers:
        raise InvalidNetwork("layered network needs at least one layer")
    inputs = tuple(f"x{j}" for j in range(n_inputs))
    prev = list(inputs)
    neurons: list[Neuron] = []
    synapses: list[Synapse] = []
    refs = [Reference(name, _q(t, f"time of reference '{name}'")) for name, t in (references or {}).items()]
    for li, layer in enumerate(layers, start=1):
        if not isinstance(layer, Mapping):
            raise InvalidNetwork(f"layer {li} must be an object, got {layer!r}")
        weights = layer.get("weights")
        thresholds = layer.get("thresholds")
        if not isinstance(weights, list) or not weights:
            raise InvalidNetwork(f"layer {li} 'weights' must be a nonempty list of rows")
        if not isinstance(thresholds, list) or len(thresholds) != len(weights):
            got = len(thresholds) if isinstance(thresholds, list) else thresholds
            raise InvalidNetwork(f"layer {li} has {len(weights)} weight rows but thresholds {got!r}")
        delays = layer.get("delays")
        if delays is not None and (not isinstance(delays, list) or len(delays) != len(weights)):
            raise InvalidNetwork(f"layer {li} 'delays' must have {len(weights)} rows like 'weights'")
        names = [f"l{li}n{i}" for i in range(len(weights))]
        for i, row in enumerate(weights):
            if not isinstance(row, list) or len(row) != len(prev):
                got = len(row) if isinstance(row, list) else row
                raise InvalidNetwork(f"layer {li} weight row {i} must have {len(prev)} entries, got {got!r}")
            drow = delays[i] if delays is not None else [0] * len(prev)
            if not isinstance(drow, list) or len(drow) != len(prev):
                raise InvalidNetwork(f"layer {li} delay row {i} must have {len(prev)} entries")
            neurons.append(Neuron(names[i], _q(thresholds[i], f"threshold of neuron '{names[i]}'")))
            for j, w in enumerate(row):
                synapses.append(
                    Synapse(prev[j], names[i], _q(w, f"weight {prev[j]}->{names[i]}"),
                            _q(drow[j], f"delay {prev[j]}->{names[i]}"))
                )
        lrefs = layer.get("references")
        if lrefs is not None:
            if not isinstance(lrefs, Mapping) or "weights" not in lrefs or "times" not in lrefs:
                raise InvalidNetwork(f"layer {li} 'references' must be {{'weights': [[...]], 'times': [...]}}")
            times = lrefs["times"]
            rweights = lrefs["weights"]
            if not isinstance(times, list) or not isinstance(rweights, list) or len(rweights) != len(weights):
                raise InvalidNetwork(f"layer {li} reference weights need one row per neuron")
            rnames = []
            for k, t in enumerate(times):
                rname = f"l{li}r{k}"
                refs.append(Reference(rname, _q(t, f"time of reference '{rname}'")))
                rnames.append(rname)
            for i, row in enumerate(rweights):
                if not isinstance(row, list) or len(row) != len(rnames):
                    raise InvalidNetwork(f"layer {li} reference weight row {i} must have {len(rnames)} entries")
                for k, w in enumerate(row):
                    synapses.append(Synapse(rnames[k], names[i], _q(w, f"weight {rnames[k]}->{names[i]}")))
        prev = names
    return Network(inputs, tuple(neurons), tuple(synapses), tuple(prev), tuple(refs), parse_kernel(kernel), codes)


@dataclass(frozen=True)
class ReluLayer:
    weights: tuple[tuple[Fraction, ...], ...]
    bias: tuple[Fraction, ...]


@dataclass(frozen=True)
class ReluNetwork:
    """Affine layers ``x -> W x + b`` with ReLU on every layer but the last."""

    layers: tuple[ReluLayer, ...]

    def __post_init__(self) -> None:
        if not self.layers:
            raise InvalidNetwork("ReLU network needs at least one layer")
        width = None
        for li, layer in enumerate(self.layers, start=1):
            if not layer.weights:
                raise InvalidNetwork(f"ReLU layer {li} has no rows")
            if len(layer.bias) != len(layer.weights):
                raise InvalidNetwork(
                    f"ReLU layer {li} has {len(layer.weights)} rows but {len(layer.bias)} biases"
                )
            ncol = len(layer.weights[0])
            for i, r in enumerate(layer.weights):
                if not r:
                    raise InvalidNetwork(f"ReLU layer {li} row {i} has no weights")
                if len(r) != ncol:
                    raise InvalidNetwork(f"ReLU layer {li} row {i} has {len(r)} weights but row 0 has {ncol}")
            if width is not None and ncol != width:
                raise InvalidNetwork(f"ReLU layer {li} expects {ncol} inputs but the previous layer has {width} units")
            width = len(layer.weights)

    @property
    def dimension(self) -> int:
        return len(self.layers[0].weights[0])

    @property
    def n_outputs(self) -> int:
        return len(self.layers[-1].weights)

    @property
    def hidden_units(self) -> int:
        return sum(len(layer.weights) for layer in self.layers[:-1])

    def pre_activations(self, x: Sequence[Fraction]) -> tuple[tuple[Fraction, ...], ...]:
        """Exact evaluation keeping every layer's pre-activations (the last layer's are the outputs)."""
        if len(x) != self.dimension:
            raise InvalidNetwork(f"ReLU network takes {self.dimension} inputs, got {len(x)}")
        v = [Fraction(a) for a in x]
        pre = []
        for layer in self.layers:
            z = tuple(sum((w * a for w, a in zip(row, v) if w != 0), b) for row, b in zip(layer.weights, layer.bias))
            pre.append(z)
            v = [max(a, Fraction(0)) for a in z]
        return tuple(pre)

    def __call__(self, x: Sequence[Fraction]) -> tuple[Fraction, ...]:
        """Exact evaluation."""
        return self.pre_activations(x)[-1]


def relu_network(layers: Iterable[tuple[Sequence[Sequence[object]], Sequence[object]]]) -> ReluNetwork:
    """A ReLU network from ``(W, b)`` pairs of rationals (validated exactly)."""
    parsed = []
    for li, (w, b) in enumerate(layers, start=1):
        rows = tuple(tuple(_q(v, f"ReLU layer {li} weight[{i}][{j}]") for j, v in enumerate(r)) for i, r in enumerate(w))
        bias = tuple(_q(v, f"ReLU layer {li} bias[{i}]") for i, v in enumerate(b))
        parsed.append(ReluLayer(rows, bias))
    return ReluNetwork(tuple(parsed))
