"""ONNX import of feed-forward ReLU networks, exactly.

Supported graphs: one input of shape ``[d]`` or ``[1, d]`` (or ``[N, d]`` with a symbolic batch),
one output, and a chain of ``Gemm`` (``alpha``, ``beta``, ``transA = 0``, ``transB``), ``MatMul`` followed by
``Add`` of a constant, ``Relu``, ``Flatten`` / ``Reshape`` of a vector (no-ops here) and
``Identity``.  Weights come from initializers or ``Constant`` nodes.  ReLU must follow every
affine layer but the last, and the last layer has none (the shape of a ReLU network in docs/model.md);
anything else raises :class:`~verisnn.core.errors.InvalidNetwork` naming the operator.

Float weights are converted exactly: ``Fraction(float)`` is the binary value the float stores,
which is the number ONNX runtimes compute with, so the imported ReLU network is the exact map of
the file's weights (evaluation in float32 then only adds rounding).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from verisnn.core.errors import InvalidInput, InvalidNetwork
from verisnn.core.model import ReluLayer, ReluNetwork

SUPPORTED = ("Gemm", "MatMul", "Add", "Relu", "Flatten", "Reshape", "Identity", "Constant")


def _exact(value: Any, what: str) -> Fraction:
    """The exact rational value of a finite float (or int) read from the file."""
    import math

    v = value.item() if hasattr(value, "item") else value
    if isinstance(v, float) and not math.isfinite(v):
        raise InvalidNetwork(f"{what} is not finite: {v!r}")
    return Fraction(v)  # exact binary value of the float, not a rounding


def _matrix(arr: Any, what: str) -> list[list[Fraction]]:
    if arr.ndim != 2:
        raise InvalidNetwork(f"{what} must be a matrix, got shape {list(arr.shape)}")
    return [[_exact(v, what) for v in row] for row in arr]


def _vector(arr: Any, n: int, what: str) -> list[Fraction]:
    import numpy as np

    flat = np.asarray(arr).reshape(-1) if np.asarray(arr).size != 1 else np.full(n, np.asarray(arr).reshape(-1)[0])
    if flat.size != n:
        raise InvalidNetwork(f"{what} has {flat.size} entries, expected {n}")
    return [_exact(v, what) for v in flat]


def load_onnx(path: str | Path) -> ReluNetwork:
    """The :class:`ReluNetwork` of an ONNX file (see the module docstring)."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError as exc:  # pragma: no cover - onnx is a dependency
        raise InvalidInput(f"ONNX import needs the 'onnx' package: {exc}") from None
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(f"no such file: {str(path)!r}")
    try:
        model = onnx.load(str(p))
    except Exception as exc:  # noqa: BLE001 - any parse failure is a bad file
        raise InvalidNetwork(f"{str(path)!r} is not a readable ONNX model: {exc}") from None
    graph = model.graph
    consts: dict[str, Any] = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    inputs = [i for i in graph.input if i.name not in consts]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise InvalidNetwork(f"ONNX model must have one input and one output, got {len(inputs)} and "
                             f"{len(graph.output)}")
    current = inputs[0].name
    width = _input_width(inputs[0])
    layers: list[tuple[list[list[Fraction]], list[Fraction]]] = []
    relu_after: list[bool] = []
    pending_matmul: list[list[Fraction]] | None = None
    for node in graph.node:
        op = node.op_type
        if op == "Constant":
            for attr in node.attribute:
                if attr.name == "value":
                    consts[node.output[0]] = numpy_helper.to_array(attr.t)
                    break
            else:
                raise InvalidNetwork(f"Constant node '{node.name}' needs a tensor 'value'")
            continue
        if op not in SUPPORTED:
            raise InvalidNetwork(f"unsupported ONNX operator {op!r} (node '{node.name or node.output[0]}'); "
                                 f"supported: Gemm, MatMul+Add, Relu, Flatten")
        data = [i for i in node.input if i and i not in consts]
        if data != [current]:
            raise InvalidNetwork(f"ONNX node '{node.name or op}' does not continue the single chain from the input "
                                 f"(inputs {list(node.input)})")
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if op in ("Flatten", "Reshape", "Identity"):
            if pending_matmul is not None:
                raise InvalidNetwork(f"{op} between MatMul and its Add is not supported")
        elif op == "Relu":
            if pending_matmul is not None:
                layers.append((pending_matmul, [Fraction(0)] * len(pending_matmul)))
                relu_after.append(False)
                pending_matmul = None
            if not layers or relu_after[-1]:
                raise InvalidNetwork("Relu must follow an affine layer (Gemm or MatMul+Add)")
            relu_after[-1] = True
        elif op == "Gemm":
            if pending_matmul is not None:
                raise InvalidNetwork("Gemm right after MatMul is not supported")
            if attrs.get("transA", 0):
                raise InvalidNetwork("Gemm with transA=1 is not supported")
            if node.input[0] != current or node.input[1] not in consts:
                raise InvalidNetwork("Gemm needs the data as A and constant weights as B")
            b_arr = consts[node.input[1]]
            w = _matrix(b_arr, f"Gemm '{node.name}' weight")
            if not attrs.get("transB", 0):
                w = [list(col) for col in zip(*w)]  # B is (in, out): rows of W are columns of B
            alpha = _exact(attrs.get("alpha", 1.0), "Gemm alpha")
            beta = _exact(attrs.get("beta", 1.0), "Gemm beta")
            w = [[alpha * v for v in row] for row in w]
            if len(node.input) > 2 and node.input[2]:
                if node.input[2] not in consts:
                    raise InvalidNetwork("Gemm bias C must be a constant")
                bias = [beta * v for v in _vector(consts[node.input[2]], len(w), f"Gemm '{node.name}' bias")]
            else:
                bias = [Fraction(0)] * len(w)
            width = _append(layers, relu_after, w, bias, width, node.name or "Gemm")
        elif op == "MatMul":
            if pending_matmul is not None:
                raise InvalidNetwork("two MatMul nodes in a row are not supported")
            if node.input[0] != current or node.input[1] not in consts:
                raise InvalidNetwork("MatMul needs the data first and a constant weight matrix second")
            m = _matrix(consts[node.input[1]], f"MatMul '{node.name}' weight")
            pending_matmul = [list(col) for col in zip(*m)]
        elif op == "Add":
            other = [i for i in node.input if i != current]
            if len(other) != 1 or other[0] not in consts:
                raise InvalidNetwork("Add needs the data and one constant")
            if pending_matmul is not None:
                w = pending_matmul
                pending_matmul = None
                bias = _vector(consts[other[0]], len(w), f"Add '{node.name}' bias")
                width = _append(layers, relu_after, w, bias, width, node.name or "MatMul+Add")
            elif layers and not relu_after[-1]:
                add = _vector(consts[other[0]], len(layers[-1][1]), f"Add '{node.name}' bias")
                layers[-1] = (layers[-1][0], [b + a for b, a in zip(layers[-1][1], add)])
            else:
                raise InvalidNetwork("Add must follow MatMul (or an affine layer)")
        current = node.output[0]
    if pending_matmul is not None:
        width = _append(layers, relu_after, pending_matmul, [Fraction(0)] * len(pending_matmul), width, "MatMul")
    if current != graph.output[0].name:
        raise InvalidNetwork(f"the graph's output {graph.output[0].name!r} is not the end of the chain")
    if not layers:
        raise InvalidNetwork("ONNX model has no affine layer")
    if relu_after[-1]:
        raise InvalidNetwork("the last affine layer of a ReLU network has no Relu; this model ends with Relu")
    for k, r in enumerate(relu_after[:-1], start=1):
        if not r:
            raise InvalidNetwork(f"affine layer {k} is not followed by Relu (two affine layers in a row)")
    return ReluNetwork(tuple(ReluLayer(tuple(tuple(r) for r in w), tuple(b)) for w, b in layers))


def _input_width(value_info: Any) -> int | None:
    dims = value_info.type.tensor_type.shape.dim
    sizes = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    if len(sizes) == 1:
        return sizes[0]
    if len(sizes) == 2 and (sizes[0] in (1, None)):
        return sizes[1]
    raise InvalidNetwork(f"ONNX input must be a vector [d] or a batch [1, d], got shape {sizes}")


def _append(layers: list, relu_after: list, w: list[list[Fraction]], bias: list[Fraction], width: int | None,
            name: str) -> int:
    if width is not None and w and len(w[0]) != width:
        raise InvalidNetwork(f"layer {name!r} takes {len(w[0])} inputs but the previous layer has {width} units")
    if layers and not relu_after[-1]:
        raise InvalidNetwork(f"layer {name!r} follows an affine layer without Relu in between")
    layers.append((w, bias))
    relu_after.append(False)
    return len(w)


def save_onnx(relu: ReluNetwork, path: str | Path, opset: int = 13) -> None:
    """Write ``relu`` as an ONNX model (Gemm with transB=1 + Relu), float32 weights (rounded)."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    cur = "input"
    for k, layer in enumerate(relu.layers):
        w = np.array([[float(v) for v in row] for row in layer.weights], dtype=np.float32)  # display/export only: ONNX stores floats
        b = np.array([float(v) for v in layer.bias], dtype=np.float32)  # display/export only: ONNX stores floats
        inits += [numpy_helper.from_array(w, f"W{k}"), numpy_helper.from_array(b, f"B{k}")]
        out = f"h{k}"
        nodes.append(helper.make_node("Gemm", [cur, f"W{k}", f"B{k}"], [out], transB=1, name=f"gemm{k}"))
        cur = out
        if k < len(relu.layers) - 1:
            nodes.append(helper.make_node("Relu", [cur], [f"r{k}"], name=f"relu{k}"))
            cur = f"r{k}"
    nodes.append(helper.make_node("Identity", [cur], ["output"], name="out"))
    graph = helper.make_graph(
        nodes, "relu",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, relu.dimension])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, relu.n_outputs])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = min(model.ir_version, 8)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
