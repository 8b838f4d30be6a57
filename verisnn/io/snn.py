"""Spiking network files (``verisnn.snn/1``, docs/formats.md): the graph form and the layered shorthand.

Every object is checked against the keys its format defines (the graph, neurons, synapses, layers
and their references, kernels and their pieces, codes), so a misspelt key is an error instead of
a silently different network.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from verisnn.core.errors import InvalidNetwork
from verisnn.core.kernels import Kernel, parse_kernel
from verisnn.core.model import Code, Codes, Network, Neuron, Reference, Synapse, layered
from verisnn.core.numbers import fmt, parse_rational
from verisnn.io.jsonio import check_keys, need

SNN_FORMAT = "verisnn.snn/1"
GRAPH_KEYS = ("format", "description", "kernel", "inputs", "references", "neurons", "synapses", "outputs", "codes")
LAYERED_KEYS = ("format", "description", "kernel", "inputs", "references", "layers", "codes")
NEURON_KEYS = ("threshold",)
SYNAPSE_KEYS = ("from", "to", "weight", "delay", "kernel")
LAYER_KEYS = ("weights", "thresholds", "delays", "references")
LAYER_REFERENCE_KEYS = ("weights", "times")
KERNEL_KEYS = ("name", "delta", "pieces")
PIECE_KEYS = ("from", "value", "slope")
CODES_KEYS = ("inputs", "outputs")
CODE_KEYS = ("node", "code", "base")


def _q(value: object, what: str) -> Fraction:
    return parse_rational(value, what, InvalidNetwork)


def kernel_from_json(spec: object, where: str) -> Kernel:
    """A kernel in its file form, after checking the keys of the object and of its pieces."""
    if isinstance(spec, Mapping):
        check_keys(spec, KERNEL_KEYS, where)
        pieces = spec.get("pieces")
        if isinstance(pieces, list):
            for k, item in enumerate(pieces):
                if isinstance(item, Mapping):
                    check_keys(item, PIECE_KEYS, f"piece {k} of {where}")
    return parse_kernel(spec)


def _codes(doc: Mapping[str, Any]) -> Codes | None:
    raw = doc.get("codes")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise InvalidNetwork(f"'codes' must be an object, got {raw!r}")
    check_keys(raw, CODES_KEYS, "'codes'")

    def parse(items: object, side: str) -> tuple[Code, ...]:
        if items is None:
            return ()
        if not isinstance(items, list):
            raise InvalidNetwork(f"codes '{side}' must be a list")
        out = []
        for k, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise InvalidNetwork(f"codes '{side}' entries must be objects, got {item!r}")
            check_keys(item, CODE_KEYS, f"code {k} of codes '{side}'")
            node = need(item, "node", f"a code in '{side}'")
            out.append(Code(str(node), str(item.get("code", "negative")),
                            _q(need(item, "base", f"code of '{node}'"), f"base of code of '{node}'")))
        return tuple(out)

    return Codes(parse(raw.get("inputs"), "inputs"), parse(raw.get("outputs"), "outputs"))


def _layered(doc: Mapping[str, Any], kernel: Kernel, codes: Codes | None) -> Network:
    check_keys(doc, LAYERED_KEYS, "the layered network")
    n_inputs = need(doc, "inputs", "layered network")
    layers = doc["layers"]
    if not isinstance(layers, list):
        raise InvalidNetwork("'layers' must be a list")
    for li, layer in enumerate(layers, start=1):
        if isinstance(layer, Mapping):
            check_keys(layer, LAYER_KEYS, f"layer {li}")
            if isinstance(layer.get("references"), Mapping):
                check_keys(layer["references"], LAYER_REFERENCE_KEYS, f"the references of layer {li}")
    refs = doc.get("references")
    if refs is not None and not isinstance(refs, Mapping):
        raise InvalidNetwork("'references' must be an object {name: time}")
    return layered(n_inputs, layers, kernel, refs, codes)


def network_from_json(doc: Any) -> Network:
    """A :class:`Network` from its file form (graph form or layered shorthand)."""
    if not isinstance(doc, Mapping):
        raise InvalidNetwork("network file must hold a JSON object")
    fmt_tag = doc.get("format", SNN_FORMAT)
    if fmt_tag == "verisnn.relu/1":
        raise InvalidNetwork("this file is a ReLU network (verisnn.relu/1), a spiking network was expected")
    if fmt_tag != SNN_FORMAT:
        raise InvalidNetwork(f"unknown format {fmt_tag!r}; expected {SNN_FORMAT!r}")
    kernel = kernel_from_json(doc.get("kernel", "linear"), "the network's 'kernel'")
    codes = _codes(doc)
    if "layers" in doc:
        return _layered(doc, kernel, codes)
    check_keys(doc, GRAPH_KEYS, "the network")
    inputs = need(doc, "inputs", "network")
    if not isinstance(inputs, list):
        raise InvalidNetwork(f"'inputs' must be a list of names (or a count with 'layers'), got {inputs!r}")
    refs = doc.get("references", {})
    if not isinstance(refs, Mapping):
        raise InvalidNetwork("'references' must be an object {name: time}")
    neurons_raw = need(doc, "neurons", "network")
    if not isinstance(neurons_raw, Mapping):
        raise InvalidNetwork("'neurons' must be an object {name: {'threshold': ...}}")
    neurons = []
    for name, spec in neurons_raw.items():
        if not isinstance(spec, Mapping):
            raise InvalidNetwork(f"neuron '{name}' must be an object with a 'threshold'")
        check_keys(spec, NEURON_KEYS, f"neuron '{name}'")
        neurons.append(Neuron(name, _q(need(spec, "threshold", f"neuron '{name}'"), f"threshold of neuron '{name}'")))
    raw_syn = doc.get("synapses", [])
    if not isinstance(raw_syn, list):
        raise InvalidNetwork("'synapses' must be a list")
    synapses = [_synapse(k, s) for k, s in enumerate(raw_syn)]
    outputs = need(doc, "outputs", "network")
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


def _synapse(k: int, s: object) -> Synapse:
    if not isinstance(s, Mapping):
        raise InvalidNetwork(f"synapse {k} must be an object, got {s!r}")
    ends = f" ({s['from']}->{s['to']})" if "from" in s and "to" in s else ""
    check_keys(s, SYNAPSE_KEYS, f"synapse {k}{ends}")
    src = need(s, "from", f"synapse {k}")
    dst = need(s, "to", f"synapse {k}")
    label = f"{src}->{dst}"
    kernel = kernel_from_json(s["kernel"], f"the 'kernel' of synapse {label}") if "kernel" in s else None
    return Synapse(str(src), str(dst), _q(need(s, "weight", f"synapse {label}"), f"weight of synapse {label}"),
                   _q(s.get("delay", 0), f"delay of synapse {label}"), kernel)


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
