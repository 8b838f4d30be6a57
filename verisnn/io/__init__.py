"""Network files: the JSON formats and ONNX, read and written exactly."""

from verisnn.io.formats import (
    load_any,
    load_network,
    load_relu,
    network_from_json,
    network_to_json,
    parse_inputs,
    relu_from_json,
    relu_to_json,
    save_network,
    save_relu,
)

__all__ = ["load_any", "load_network", "load_relu", "network_from_json", "network_to_json", "parse_inputs",
           "relu_from_json", "relu_to_json", "save_network", "save_relu"]
