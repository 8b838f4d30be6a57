"""ONNX import: every supported layout agrees with onnxruntime, floats are read exactly, clear errors."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from verisnn.core.errors import InvalidNetwork
from verisnn.core.model import ReluNetwork
from verisnn.io import load, load_relu
from verisnn.io.onnx import load_onnx, save_onnx


def _model(nodes, inits, d, n, path, input_shape=None):
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, input_shape or [1, d])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, n])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _random(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def build(layout: str, path, seed: int = 0):
    """An ONNX file of a d=3 -> 5 -> 4 -> 2 ReLU network in the given layout."""
    rng = np.random.default_rng(seed)
    sizes = [3, 5, 4, 2]
    nodes, inits, cur = [], {}, "input"
    if layout == "flatten":
        nodes.append(helper.make_node("Flatten", [cur], ["flat"], axis=1))
        cur = "flat"
    for k in range(3):
        fan_in, fan_out = sizes[k], sizes[k + 1]
        out = f"h{k}"
        if layout in ("gemm", "flatten"):
            inits[f"W{k}"] = _random(rng, fan_out, fan_in)
            inits[f"B{k}"] = _random(rng, fan_out)
            nodes.append(helper.make_node("Gemm", [cur, f"W{k}", f"B{k}"], [out], transB=1))
        elif layout == "gemm_alpha":
            inits[f"W{k}"] = _random(rng, fan_in, fan_out)  # transB = 0: B is (in, out)
            inits[f"B{k}"] = _random(rng, fan_out)
            nodes.append(helper.make_node("Gemm", [cur, f"W{k}", f"B{k}"], [out], alpha=0.5, beta=2.0))
        elif layout == "matmul":
            inits[f"W{k}"] = _random(rng, fan_in, fan_out)
            inits[f"B{k}"] = _random(rng, fan_out)
            nodes.append(helper.make_node("MatMul", [cur, f"W{k}"], [f"m{k}"]))
            nodes.append(helper.make_node("Add", [f"m{k}", f"B{k}"], [out]))
        cur = out
        if k < 2:
            nodes.append(helper.make_node("Relu", [cur], [f"r{k}"]))
            cur = f"r{k}"
    nodes.append(helper.make_node("Identity", [cur], ["output"]))
    return _model(nodes, inits, 3, 2, path)


@pytest.mark.parametrize("layout", ["gemm", "gemm_alpha", "matmul", "flatten"])
def test_agrees_with_onnxruntime(layout, tmp_path):
    """On random inputs the exact imported network matches onnxruntime up to float32 rounding."""
    path = build(layout, tmp_path / f"{layout}.onnx")
    relu = load_onnx(path)
    assert [len(layer.weights) for layer in relu.layers] == [5, 4, 2] and relu.dimension == 3
    sess = ort.InferenceSession(str(path))
    rng = np.random.default_rng(1)
    for _ in range(20):
        x = rng.standard_normal((1, 3)).astype(np.float32)
        expected = sess.run(None, {"input": x})[0][0]
        exact = relu([Fraction(v.item()) for v in x[0]])
        got = np.array([float(v) for v in exact])
        assert np.allclose(got, expected, rtol=1e-4, atol=1e-4), (got, expected)


def test_weights_are_the_exact_binary_floats(tmp_path):
    """A float32 weight 0.1 is imported as the exact rational float32(0.1), not as 1/10."""
    w = np.array([[0.1, -0.75]], dtype=np.float32)
    b = np.array([0.3], dtype=np.float32)
    path = _model([helper.make_node("Gemm", ["input", "W", "B"], ["output"], transB=1)], {"W": w, "B": b}, 2, 1,
                  tmp_path / "w.onnx")
    relu = load_relu(path)
    assert relu.layers[0].weights[0][0] == Fraction(np.float32(0.1).item()) != Fraction(1, 10)
    assert relu.layers[0].weights[0][1] == Fraction(-3, 4)
    assert relu.layers[0].bias[0] == Fraction(np.float32(0.3).item())


def test_round_trip_through_save_onnx(tmp_path):
    """save_onnx then load_onnx gives back dyadic weights exactly; load dispatches .onnx files."""
    from verisnn.core.model import relu_network

    relu = relu_network([([[1, Fraction(-1, 2)], [Fraction(3, 4), 2]], [Fraction(1, 8), 0]), ([[1, -1]], [3])])
    save_onnx(relu, tmp_path / "rt.onnx")
    back = load(tmp_path / "rt.onnx")
    assert isinstance(back, ReluNetwork) and back == relu


def test_unsupported_operator_is_named(tmp_path):
    """A Sigmoid node is rejected with InvalidNetwork naming the operator."""
    w = np.eye(2, dtype=np.float32)
    path = _model([helper.make_node("Gemm", ["input", "W"], ["h"], transB=1),
                   helper.make_node("Sigmoid", ["h"], ["output"])], {"W": w}, 2, 2, tmp_path / "s.onnx")
    with pytest.raises(InvalidNetwork, match="unsupported ONNX operator 'Sigmoid'"):
        load_onnx(path)


def test_structure_errors(tmp_path):
    """A model ending in Relu, or with two affine layers in a row, is not a ReLU network of the form in docs/formats.md."""
    w = np.eye(2, dtype=np.float32)
    ends_relu = _model([helper.make_node("Gemm", ["input", "W"], ["h"], transB=1),
                        helper.make_node("Relu", ["h"], ["output"])], {"W": w}, 2, 2, tmp_path / "r.onnx")
    with pytest.raises(InvalidNetwork, match="ends with Relu"):
        load_onnx(ends_relu)
    twice = _model([helper.make_node("Gemm", ["input", "W"], ["h"], transB=1),
                    helper.make_node("Gemm", ["h", "W"], ["output"], transB=1)], {"W": w}, 2, 2, tmp_path / "t.onnx")
    with pytest.raises(InvalidNetwork, match="without Relu"):
        load_onnx(twice)
    bad = tmp_path / "junk.onnx"
    bad.write_bytes(b"not an onnx file")
    with pytest.raises(InvalidNetwork, match="not a readable ONNX model"):
        load_onnx(bad)


def test_cli_emulates_an_onnx_file(tmp_path, cli):
    """`verisnn emulate model.onnx` builds an SNN that `verisnn equiv` proves equal to the ONNX network."""
    path = build("matmul", tmp_path / "m.onnx")
    run = cli("emulate", path, "-o", tmp_path / "s.json", "--domain", "-1:1")
    assert run.code == 0, run.err
    run = cli("equiv", tmp_path / "s.json", path, "--domain", "-1:1", "--json")
    assert run.code == 0 and run.json["verdict"] == "proved", run.out + run.err
