"""Network files: exact parsing, layered shorthand, codes, ReLU files, round trips, validation."""

import json
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given, settings
from strategies import networks

from verisnn.core.domain import parse_domain
from verisnn.core.errors import InvalidInput, InvalidNetwork
from verisnn.core.numbers import INF
from verisnn.io import (
    load_network,
    loads,
    network_from_json,
    network_to_json,
    parse_inputs,
    relu_from_json,
    relu_to_json,
)

GRAPH = {"format": "verisnn.snn/1", "kernel": "linear", "inputs": ["x0", "x1"], "references": {"r": "0"},
         "neurons": {"h": {"threshold": "1"}, "o": {"threshold": "1/2"}},
         "synapses": [{"from": "x0", "to": "h", "weight": "1", "delay": "0"},
                      {"from": "r", "to": "h", "weight": "-1/2"},
                      {"from": "h", "to": "o", "weight": "2", "delay": "1/4"}],
         "outputs": ["o"]}


def test_json_numbers_are_read_exactly():
    """0.1 in a file means 1/10, not the nearest binary float."""
    doc = loads('{"inputs": 1, "layers": [{"weights": [[0.1]], "thresholds": [0.3]}]}')
    net = network_from_json(doc)
    assert net.synapses[0].weight == F(1, 10) and net.thresholds["l1n0"] == F(3, 10)


def test_graph_form_as_written_in_the_spec():
    """The graph example of docs/formats.md loads with its reference, delay and kernel."""
    net = network_from_json(GRAPH)
    assert net.inputs == ("x0", "x1") and net.reference_times == {"r": 0}
    assert net.synapses[2].delay == F(1, 4) and net.outputs == ("o",)


def test_layered_shorthand_names_and_shapes():
    """Layered form: inputs x0.., neurons l1n0.., weights[i][j] from unit j to neuron i, delays default 0."""
    doc = {"format": "verisnn.snn/1", "inputs": 2,
           "layers": [{"weights": [[1, 3], [3, 1]], "thresholds": [1, 1], "delays": [[0, 0], [0, "1/2"]]},
                      {"weights": [[1, 1]], "thresholds": [2]}]}
    net = network_from_json(doc)
    assert [n.name for n in net.neurons] == ["l1n0", "l1n1", "l2n0"]
    s = next(x for x in net.synapses if x.source == "x1" and x.target == "l1n1")
    assert s.weight == 1 and s.delay == F(1, 2)
    assert net.outputs == ("l2n0",)


def test_codes_and_relu_files():
    """Coded networks carry encoders/decoders; ReLU files evaluate exactly and round-trip."""
    net = load_network("examples/coded_relu_unit.json")
    assert net.codes.inputs[0].encode(F(3)) == 1 and net.codes.outputs[0].decode(F(7)) == 3
    relu = relu_from_json(json.loads(Path("examples/relu_small.json").read_text()))
    assert relu([F(1), F(5, 2)]) == (F(3, 2),)
    assert relu_from_json(relu_to_json(relu)) == relu


@settings(max_examples=100, deadline=None)
@given(networks())
def test_round_trip(net):
    """Writing a network and reading it back gives the same network (all kernels, overrides, refs)."""
    assert network_from_json(json.loads(json.dumps(network_to_json(net)))) == net


def bad(**changes):
    doc = json.loads(json.dumps(GRAPH))
    for key, value in changes.items():
        if value is None:
            del doc[key]
        else:
            doc[key] = value
    return doc


@pytest.mark.parametrize(
    "doc, message",
    [
        (bad(neurons={"h": {"threshold": "-1/2"}, "o": {"threshold": "1"}}), "threshold of neuron 'h' must be > 0, got -1/2"),
        (bad(neurons={"h": {"threshold": "0"}, "o": {"threshold": "1"}}), "threshold of neuron 'h' must be > 0"),
        (bad(synapses=[{"from": "x0", "to": "h", "weight": 1, "delay": "-1"}]), "delay of synapse x0->h must be >= 0"),
        (bad(synapses=[{"from": "zz", "to": "h", "weight": 1}]), "unknown node 'zz'"),
        (bad(synapses=[{"from": "x0", "to": "x1", "weight": 1}]), "not a neuron"),
        (bad(synapses=[{"from": "h", "to": "o", "weight": 1}, {"from": "o", "to": "h", "weight": 1}]), "cycle"),
        (bad(synapses=[{"from": "h", "to": "h", "weight": 1}]), "cycle: h -> h"),
        (bad(inputs=["x0", "x0"]), "duplicate node id 'x0'"),
        (bad(references={"h": "0"}), "duplicate node id 'h'"),
        (bad(outputs=[]), "no outputs"),
        (bad(outputs=None), "missing the key 'outputs'"),
        (bad(outputs=["nope"]), "output 'nope'"),
        (bad(synapses=[{"from": "x0", "to": "h", "weight": "abc"}]), "weight of synapse x0->h must be a rational"),
        (bad(synapses=[{"from": "x0", "to": "h", "weight": "1/0"}]), "zero denominator"),
        (bad(synapses=[{"from": "x0", "to": "h", "weight": True}]), "weight of synapse x0->h"),
        (bad(synapses=[{"from": "x0", "to": "h"}]), "missing the key 'weight'"),
        (bad(kernel={"pieces": [{"from": "1", "value": "0", "slope": "1"}]}), "start at 0"),
        (bad(format="other/1"), "unknown format"),
        ({"inputs": 2, "layers": [{"weights": [[1, 1, 1]], "thresholds": [1]}]}, "must have 2 entries"),
        ({"inputs": 2, "layers": [{"weights": [[1, 1]], "thresholds": [1, 2]}]}, "thresholds"),
        ({"inputs": 2, "layers": [{"weights": [[1, 1]], "thresholds": [1], "delays": [[0]]}]}, "delay row 0"),
        ({"inputs": 0, "layers": [{"weights": [[1]], "thresholds": [1]}]}, "positive integer"),
        ({"inputs": 1, "layers": []}, "at least one layer"),
        ([1, 2], "JSON object"),
    ],
)
def test_malformed_networks_name_the_problem(doc, message):
    """Every malformed network raises InvalidNetwork with a message naming the bad value."""
    with pytest.raises(InvalidNetwork, match=message.replace("(", r"\(").replace(">", ">")):
        network_from_json(doc)


def test_nan_and_infinity_are_rejected():
    """NaN and Infinity in a file are not numbers for verisnn."""
    with pytest.raises(InvalidNetwork, match="NaN"):
        loads('{"inputs": 1, "layers": [{"weights": [[NaN]], "thresholds": [1]}]}')
    with pytest.raises(InvalidNetwork, match="rational"):
        network_from_json({"inputs": 1, "layers": [{"weights": [["inf"]], "thresholds": [1]}]})
    with pytest.raises(InvalidNetwork, match="finite"):
        network_from_json({"inputs": 1, "layers": [{"weights": [[float("nan")]], "thresholds": [1]}]})


def test_inputs_and_domains_parse_exactly():
    """CLI inputs: rationals and inf; domains: one interval for all inputs or one per input."""
    assert parse_inputs("0, 1/2, -0.25, inf") == [0, F(1, 2), F(-1, 4), INF]
    box = parse_domain("0:0,0:2,5:5", 3)
    assert box.lo == (0, 0, 5) and box.hi == (0, 2, 5)
    assert parse_domain("-1/2:1", 2).lo == (F(-1, 2), F(-1, 2))
    for text, message in [("0:1,0:1", "3 inputs"), ("2:1", "empty"), ("0-1", "lo:hi"), ("a:1", "rational")]:
        with pytest.raises(InvalidInput, match=message):
            parse_domain(text, 3)
    with pytest.raises(InvalidInput, match="2 inputs"):
        parse_inputs("1,2,3", 2)


def test_huge_numbers_and_sizes_are_rejected():
    """Absurd exponents, digit counts and input counts are errors, not hangs."""
    with pytest.raises(InvalidNetwork, match="too large"):
        loads('{"inputs": 1, "layers": [{"weights": [[1e999999999]], "thresholds": [1]}]}')
    with pytest.raises(InvalidNetwork, match="digits"):
        loads('{"a": ' + "1" * 5000 + "}")
    with pytest.raises(InvalidNetwork, match="more than verisnn handles"):
        network_from_json({"inputs": 10**9, "layers": [{"weights": [[1]], "thresholds": [1]}]})
    with pytest.raises(InvalidInput, match="too large"):
        parse_inputs("1e5000")
