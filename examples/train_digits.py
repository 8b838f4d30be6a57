"""Train small ReLU MLPs on scikit-learn's bundled 8x8 digits, export ONNX, write VNN-LIB robustness properties.

Needs the ``train`` extra (``pip install -e .[train]``).  Example::

    python examples/train_digits.py --hidden 16,16 --images 3 --eps 0.005,0.02,0.05 -o examples/digits

writes ``digits_16x16.onnx`` (MatMul+Add+Relu, float32) and, for the first ``--images`` test images
the network classifies correctly, ``robust_<image>_<eps>.vnnlib``: the box
``[max(0, x - eps), min(1, x + eps)]`` around the image (pixels scaled to ``[0, 1]``) and the
counterexample condition "some other class scores at least as high as the true one".
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path


def export_onnx(coefs: list, intercepts: list, path: Path) -> None:
    """Write the MLP as ONNX MatMul+Add(+Relu) with float32 weights."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    cur = "input"
    for k, (w, b) in enumerate(zip(coefs, intercepts)):
        inits += [numpy_helper.from_array(np.asarray(w, dtype=np.float32), f"W{k}"),
                  numpy_helper.from_array(np.asarray(b, dtype=np.float32), f"B{k}")]
        nodes.append(helper.make_node("MatMul", [cur, f"W{k}"], [f"m{k}"], name=f"matmul{k}"))
        nodes.append(helper.make_node("Add", [f"m{k}", f"B{k}"], [f"z{k}"], name=f"add{k}"))
        cur = f"z{k}"
        if k < len(coefs) - 1:
            nodes.append(helper.make_node("Relu", [cur], [f"r{k}"], name=f"relu{k}"))
            cur = f"r{k}"
    last = nodes[-1]
    last.output[0] = "output"
    graph = helper.make_graph(nodes, "digits",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, len(coefs[0])])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, len(intercepts[-1])])],
                              inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def robustness_vnnlib(image: list[Fraction], label: int, eps: Fraction, classes: int) -> str:
    """The VNN-LIB text: inputs in the eps-box (clipped to [0, 1]), some other class >= the label's score."""
    lines = [f"; local robustness of class {label}, eps = {eps}"]
    lines += [f"(declare-const X_{i} Real)" for i in range(len(image))]
    lines += [f"(declare-const Y_{j} Real)" for j in range(classes)]
    for i, x in enumerate(image):
        lo, hi = max(Fraction(0), x - eps), min(Fraction(1), x + eps)
        lines.append(f"(assert (>= X_{i} {_decimal(lo)}))")
        lines.append(f"(assert (<= X_{i} {_decimal(hi)}))")
    others = [j for j in range(classes) if j != label]
    lines.append("(assert (or")
    lines += [f"    (and (>= Y_{j} Y_{label}))" for j in others]
    lines.append("))")
    return "\n".join(lines) + "\n"


def _decimal(v: Fraction) -> str:
    """A short exact decimal for the values written here (multiples of 1/16 and of eps)."""
    text = f"{float(v):.10f}".rstrip("0").rstrip(".")  # display only: the value is checked exact below
    if Fraction(text) != v:
        raise ValueError(f"{v} has no short decimal")
    return text if text else "0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hidden", default="16,16", help="hidden widths, comma-separated")
    parser.add_argument("--images", type=int, default=3, help="test images to write properties for")
    parser.add_argument("--eps", default="0.005,0.02,0.05", help="box radii (decimals)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", default="examples/digits", help="directory to write into")
    args = parser.parse_args()

    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    digits = load_digits()
    x = digits.data / 16.0  # pixels are integers 0..16: the scaled values k/16 are exact in float
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=0.25, random_state=args.seed)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    clf = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", max_iter=800, random_state=args.seed)
    clf.fit(x_train, y_train)
    print(f"trained 64-{'-'.join(map(str, hidden))}-10: test accuracy {clf.score(x_test, y_test):.3f}")
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    name = f"digits_{'x'.join(map(str, hidden))}"
    export_onnx(clf.coefs_, clf.intercepts_, out / f"{name}.onnx")
    print(f"wrote {out / (name + '.onnx')}")
    pred = clf.predict(x_test)
    written = 0
    for k in range(len(x_test)):
        if written >= args.images:
            break
        if pred[k] != y_test[k]:
            continue
        image = [Fraction(round(v * 16), 16) for v in x_test[k]]
        for eps_text in args.eps.split(","):
            eps = Fraction(eps_text.strip())
            path = out / f"{name}_img{k}_eps{eps_text.strip()}.vnnlib"
            path.write_text(robustness_vnnlib(image, int(y_test[k]), eps, 10))
            print(f"wrote {path} (class {y_test[k]})")
        written += 1


if __name__ == "__main__":
    main()
