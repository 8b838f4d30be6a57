"""Network files (SPEC §5): reading and writing the JSON formats exactly, parsing CLI inputs.

Numbers are read exactly: JSON numbers through their decimal text (``0.1`` is 1/10), strings
as ``"p/q"`` or decimals.  Every malformed file raises :class:`~verisnn.core.errors.InvalidNetwork`
naming the bad key or value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from verisnn.core.errors import InvalidInput, InvalidNetwork
from verisnn.core.kernels import parse_kernel
from verisnn.core.model import Code, Codes, Network, Neuron, Reference, ReluNetwork, Synapse, layered, relu_network
from verisnn.core.numbers import Time, fmt, parse_rational, parse_time

SNN_FORMAT = "verisnn.snn/1"
RELU_FORMAT = "verisnn.relu/1"


def _q(value: object, what: str) -> Fraction:
    return parse_rational(value, what, InvalidNetwork)


def _reject_constant(name: str) -> float:
    raise InvalidNetwork(f"{name} is not a number; numbers must be finite rationals")


def read_json(path: str | Path) -> Any:
    """Parse a JSON file, keeping every number as its exact decimal text."""
    p = Path(path)
    try:
        text = p.read_text()
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {str(path)!r}") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {str(path)!r}: {exc}") from None
    return loads(text, str(path))


def _decimal(text: str) -> Fraction:
    return parse_rational(text, f"number {text[:40]!r}", InvalidNetwork)


def loads(text: str, where: str = "<string>") -> Any:
    """JSON with every number exact (decimals through their text); NaN / Infinity rejected."""
    try:
        return json.loads(text, parse_float=_decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InvalidNetwork(f"{where} is not valid JSON: {exc}") from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        if isinstance(exc, InvalidNetwork):
            raise
        raise InvalidNetwork(f"{where}: {exc}") from None


def _need(doc: Mapping[str, Any], key: str, what: str) -> Any:
    if key not in doc:
        raise InvalidNetwork(f"{what} is missing the key '{key}'")
    return doc[key]


def _codes(doc: Mapping[str, Any]) -> Codes | None:
    raw = doc.get("codes")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise InvalidNetwork(f"'codes' must be an object, got {raw!r}")

    def parse(items: object, side: str) -> tuple[Code, ...]:
        if items is None:
            return ()
        if not isinstance(items, list):
            raise InvalidNetwork(f"codes '{side}' must be a list")
        out = []
        for item in items:
            if not isinstance(item, Mapping):
                raise InvalidNetwork(f"codes '{side}' entries must be objects, got {item!r}")
            node = _need(item, "node", f"a code in '{side}'")
            out.append(Code(str(node), str(item.get("code", "negative")),
                            _q(_need(item, "base", f"code of '{node}'"), f"base of code of '{node}'")))
        return tuple(out)

    return Codes(parse(raw.get("inputs"), "inputs"), parse(raw.get("outputs"), "outputs"))


def network_from_json(doc: Any) -> Network:
    """A :class:`Network` from its file form (graph form or layered shorthand)."""
    if not isinstance(doc, Mapping):
        raise InvalidNetwork("network file must hold a JSON object")
    fmt_tag = doc.get("format", SNN_FORMAT)
    if fmt_tag == RELU_FORMAT:
        raise InvalidNetwork(f"this file is a ReLU network ({RELU_FORMAT}), a spiking network was expected")
    if fmt_tag != SNN_FORMAT:
        raise InvalidNetwork(f"unknown format {fmt_tag!r}; expected {SNN_FORMAT!r}")
    kernel = parse_kernel(doc.get("kernel", "linear"))
    codes = _codes(doc)
    if "layers" in doc:
        n_inputs = _need(doc, "inputs", "layered network")
        layers = doc["layers"]
        if not isinstance(layers, list):
            raise InvalidNetwork("'layers' must be a list")
        refs = doc.get("references")
        if refs is not None and not isinstance(refs, Mapping):
            raise InvalidNetwork("'references' must be an object {name: time}")
        return layered(n_inputs, layers, kernel, refs, codes)
    inputs = _need(doc, "inputs", "network")
    if not isinstance(inputs, list):
        raise InvalidNetwork(f"'inputs' must be a list of names (or a count with 'layers'), got {inputs!r}")
    refs = doc.get("references", {})
    if not isinstance(refs, Mapping):
        raise InvalidNetwork("'references' must be an object {name: time}")
    neurons_raw = _need(doc, "neurons", "network")
    if not isinstance(neurons_raw, Mapping):
        raise InvalidNetwork("'neurons' must be an object {name: {'threshold': ...}}")
    neurons = []
    for name, spec in neurons_raw.items():
        if not isinstance(spec, Mapping):
            raise InvalidNetwork(f"neuron '{name}' must be an object with a 'threshold'")
        neurons.append(Neuron(name, _q(_need(spec, "threshold", f"neuron '{name}'"), f"threshold of neuron '{name}'")))
    synapses = []
    raw_syn = doc.get("synapses", [])
    if not isinstance(raw_syn, list):
        raise InvalidNetwork("'synapses' must be a list")
    for k, s in enumerate(raw_syn):
        if not isinstance(s, Mapping):
            raise InvalidNetwork(f"synapse {k} must be an object, got {s!r}")
        src = _need(s, "from", f"synapse {k}")
        dst = _need(s, "to", f"synapse {k}")
        label = f"{src}->{dst}"
        synapses.append(
            Synapse(
                str(src),
                str(dst),
                _q(_need(s, "weight", f"synapse {label}"), f"weight of synapse {label}"),
                _q(s.get("delay", 0), f"delay of synapse {label}"),
                parse_kernel(s["kernel"]) if "kernel" in s else None,
            )
        )
    outputs = _need(doc, "outputs", "network")
    if not isinstance(outputs, list):
        raise InvalidNetwork(f"'outputs' must be a list of node names, got {outputs!r}")
    return Network(
        tuple(str(i) for i in inputs),
        tuple(neurons),
        tuple(synapses),
        tuple(str(o) for o in outputs),
        tuple(Reference(str(n), _q(t, f"time of reference '{n}'")) for n, t in refs.items()),
        kernel,
        codes,
    )


def network_to_json(net: Network) -> dict[str, Any]:
    """The graph form of ``net`` (numbers as exact strings)."""
    doc: dict[str, Any] = {
        "format": SNN_FORMAT,
        "kernel": net.kernel.to_json(),
        "inputs": list(net.inputs),
        "references": {r.name: fmt(r.time) for r in net.references},
        "neurons": {n.name: {"threshold": fmt(n.threshold)} for n in net.neurons},
        "synapses": [],
        "outputs": list(net.outputs),
    }
    for s in net.synapses:
        item = {"from": s.source, "to": s.target, "weight": fmt(s.weight), "delay": fmt(s.delay)}
        if s.kernel is not None:
            item["kernel"] = s.kernel.to_json()
        doc["synapses"].append(item)
    if net.codes is not None:
        doc["codes"] = {
            side: [{"node": c.node, "code": c.code, "base": fmt(c.base)} for c in getattr(net.codes, side)]
            for side in ("inputs", "outputs")
        }
    return doc


def relu_from_json(doc: Any) -> ReluNetwork:
    if not isinstance(doc, Mapping):
        raise InvalidNetwork("ReLU network file must hold a JSON object")
    if doc.get("format") != RELU_FORMAT:
        raise InvalidNetwork(f"expected format {RELU_FORMAT!r}, got {doc.get('format')!r}")
    layers = _need(doc, "layers", "ReLU network")
    if not isinstance(layers, list) or not layers:
        raise InvalidNetwork("ReLU 'layers' must be a nonempty list")
    pairs = []
    for li, layer in enumerate(layers, start=1):
        if not isinstance(layer, Mapping):
            raise InvalidNetwork(f"ReLU layer {li} must be an object")
        w = _need(layer, "weights", f"ReLU layer {li}")
        b = _need(layer, "bias", f"ReLU layer {li}")
        if not isinstance(w, list) or not all(isinstance(r, list) for r in w) or not isinstance(b, list):
            raise InvalidNetwork(f"ReLU layer {li} needs 'weights' as a list of rows and 'bias' as a list")
        pairs.append((w, b))
    return relu_network(pairs)


def relu_to_json(net: ReluNetwork) -> dict[str, Any]:
    return {
        "format": RELU_FORMAT,
        "layers": [
            {"weights": [[fmt(v) for v in row] for row in layer.weights], "bias": [fmt(v) for v in layer.bias]}
            for layer in net.layers
        ],
    }


def load_network(path: str | Path) -> Network:
    return network_from_json(read_json(path))


def load_relu(path: str | Path) -> ReluNetwork:
    """A ReLU network from a JSON file (``.onnx`` files go through :mod:`verisnn.io.onnx`)."""
    if str(path).endswith(".onnx"):
        from verisnn.io.onnx import load_onnx  # optional dependency

        return load_onnx(path)
    return relu_from_json(read_json(path))


def load_any(path: str | Path) -> Network | ReluNetwork:
    """A spiking or a ReLU network, whichever the file holds."""
    if str(path).endswith(".onnx"):
        return load_relu(path)
    doc = read_json(path)
    if isinstance(doc, Mapping) and doc.get("format") == RELU_FORMAT:
        return relu_from_json(doc)
    return network_from_json(doc)


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2)


def save_network(net: Network, path: str | Path) -> None:
    Path(path).write_text(dumps(network_to_json(net)) + "\n")


def save_relu(net: ReluNetwork, path: str | Path) -> None:
    Path(path).write_text(dumps(relu_to_json(net)) + "\n")


def parse_inputs(text: str, dim: int | None = None) -> list[Time]:
    """Comma-separated rationals; ``inf`` for an input that does not spike."""
    parts = [p.strip() for p in str(text).split(",")]
    values = [parse_time(p, f"input {k} ({p!r})") for k, p in enumerate(parts)]
    if dim is not None and len(values) != dim:
        raise InvalidInput(f"network has {dim} inputs, got {len(values)} values in {text!r}")
    return values
