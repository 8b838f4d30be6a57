"""Network files: exact strict JSON, the spiking and ReLU formats, ONNX (``verisnn.io.onnx``), one ``load``.

See docs/formats.md.  Writing any file a user names goes through :mod:`verisnn.io.files`.
"""

from verisnn.io.files import write_bytes, write_text
from verisnn.io.jsonio import dumps, loads, read_json
from verisnn.io.registry import load, load_network, load_relu, parse_inputs, save_network, save_relu
from verisnn.io.relu import RELU_FORMAT, relu_from_json, relu_to_json
from verisnn.io.snn import SNN_FORMAT, network_from_json, network_to_json

__all__ = ["RELU_FORMAT", "SNN_FORMAT", "dumps", "load", "load_network", "load_relu", "loads", "network_from_json",
           "network_to_json", "parse_inputs", "read_json", "relu_from_json", "relu_to_json", "save_network",
           "save_relu", "write_bytes", "write_text"]
