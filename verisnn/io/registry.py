"""One ``load(path)`` for every network file: the reader is chosen by file suffix and format tag.

``.onnx`` files are ReLU networks (:mod:`verisnn.io.onnx`); a JSON file is read by the reader of its
``"format"`` tag (``verisnn.snn/1``, the default, for the graph form and the layered shorthand;
``verisnn.relu/1`` for ReLU networks).  See docs/formats.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from verisnn.core.errors import InvalidInput, InvalidNetwork, plural
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.numbers import Time, parse_time
from verisnn.io.files import write_text
from verisnn.io.jsonio import dumps, read_json, suggestion
from verisnn.io.relu import RELU_FORMAT, relu_from_json, relu_to_json
from verisnn.io.snn import SNN_FORMAT, network_from_json, network_to_json

AnyNetwork = Network | ReluNetwork

#: readers of JSON documents, by their "format" tag
FORMATS: dict[str, Callable[[Any], AnyNetwork]] = {SNN_FORMAT: network_from_json, RELU_FORMAT: relu_from_json}


def _load_onnx(path: str | Path) -> AnyNetwork:
    from verisnn.io.onnx import load_onnx  # the optional onnx dependency, imported only when needed

    return load_onnx(path)


#: readers of files by suffix (JSON files go through FORMATS)
SUFFIXES: dict[str, Callable[[str | Path], AnyNetwork]] = {".onnx": _load_onnx}

_KIND = {Network: f"a spiking network ({SNN_FORMAT})", ReluNetwork: f"a ReLU network ({RELU_FORMAT} or ONNX)"}


def load(path: str | Path, untagged: str = SNN_FORMAT) -> AnyNetwork:
    """The network a file holds, spiking or ReLU, read exactly; a malformed file is an error naming it.

    A JSON document without a ``"format"`` tag is read as ``untagged`` (by default a spiking network).
    """
    reader = SUFFIXES.get(Path(path).suffix.lower())
    if reader is not None:
        return reader(path)
    doc = read_json(path)
    tag = doc.get("format", untagged) if isinstance(doc, Mapping) else untagged
    parse = FORMATS.get(tag) if isinstance(tag, str) else None
    if parse is None:
        raise InvalidNetwork(f"{str(path)!r}: unknown format {tag!r}{suggestion(str(tag), FORMATS)} "
                             f"(known: {', '.join(FORMATS)})")
    try:
        return parse(doc)
    except InvalidNetwork as exc:
        raise InvalidNetwork(f"{str(path)!r}: {exc}") from None


def _typed(path: str | Path, kind: type) -> Any:
    net = load(path, SNN_FORMAT if kind is Network else RELU_FORMAT)
    if not isinstance(net, kind):
        other = ReluNetwork if kind is Network else Network
        raise InvalidNetwork(f"{str(path)!r} is {_KIND[other]}, {_KIND[kind]} was expected")
    return net


def load_network(path: str | Path) -> Network:
    """A spiking network from a file (:func:`load`, which must find one)."""
    return _typed(path, Network)


def load_relu(path: str | Path) -> ReluNetwork:
    """A ReLU network from a JSON or ONNX file (:func:`load`, which must find one)."""
    return _typed(path, ReluNetwork)


def save_network(net: Network, path: str | Path) -> Path:
    """Write ``net`` in the graph form; an unwritable path is an input error naming it."""
    return write_text(path, dumps(network_to_json(net)) + "\n", "network file")


def save_relu(net: ReluNetwork, path: str | Path) -> Path:
    """Write ``net`` as a ``verisnn.relu/1`` file; an unwritable path is an input error naming it."""
    return write_text(path, dumps(relu_to_json(net)) + "\n", "network file")


def parse_inputs(text: str, dim: int | None = None) -> list[Time]:
    """Comma-separated rationals; ``inf`` for an input that does not spike."""
    parts = [p.strip() for p in str(text).split(",")]
    values = [parse_time(p, f"input {k} ({p!r})") for k, p in enumerate(parts)]
    if dim is not None and len(values) != dim:
        raise InvalidInput(f"network has {plural(dim, 'input')}, got {plural(len(values), 'value')} in {text!r}")
    return values
