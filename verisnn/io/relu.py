"""ReLU network files (``verisnn.relu/1``, docs/formats.md), read and written exactly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verisnn.core.errors import InvalidNetwork
from verisnn.core.model import ReluNetwork, relu_network
from verisnn.core.numbers import fmt
from verisnn.io.jsonio import check_keys, need

RELU_FORMAT = "verisnn.relu/1"
TOP_KEYS = ("format", "description", "layers")
LAYER_KEYS = ("weights", "bias")


def relu_from_json(doc: Any) -> ReluNetwork:
    """A :class:`ReluNetwork` from its file form; a malformed file names the layer, row or key."""
    if not isinstance(doc, Mapping):
        raise InvalidNetwork("ReLU network file must hold a JSON object")
    if doc.get("format") != RELU_FORMAT:
        raise InvalidNetwork(f"expected format {RELU_FORMAT!r}, got {doc.get('format')!r}")
    check_keys(doc, TOP_KEYS, "the ReLU network")
    layers = need(doc, "layers", "ReLU network")
    if not isinstance(layers, list) or not layers:
        raise InvalidNetwork("ReLU 'layers' must be a nonempty list")
    pairs = []
    for li, layer in enumerate(layers, start=1):
        if not isinstance(layer, Mapping):
            raise InvalidNetwork(f"ReLU layer {li} must be an object")
        check_keys(layer, LAYER_KEYS, f"ReLU layer {li}")
        w = need(layer, "weights", f"ReLU layer {li}")
        b = need(layer, "bias", f"ReLU layer {li}")
        if not isinstance(w, list) or not all(isinstance(r, list) for r in w) or not isinstance(b, list):
            raise InvalidNetwork(f"ReLU layer {li} needs 'weights' as a list of rows and 'bias' as a list")
        pairs.append((w, b))
    return relu_network(pairs)


def relu_to_json(net: ReluNetwork) -> dict[str, Any]:
    """The file form of ``net`` (numbers as exact strings)."""
    return {
        "format": RELU_FORMAT,
        "layers": [
            {"weights": [[fmt(v) for v in row] for row in layer.weights], "bias": [fmt(v) for v in layer.bias]}
            for layer in net.layers
        ],
    }
