"""End to end: `verisnn simulate`, --help, --version, and exit code 2 on bad input."""

import json

import pytest
from conftest import EXAMPLES


def test_simulate_json_shape(cli, tmp_path):
    """simulate --json prints outputs, times and causal sets as exact strings (docs/formats.md)."""
    r = cli("simulate", EXAMPLES / "graph.json", "--input", "1,7", "--json")
    assert r.code == 0, r.err
    doc = r.json
    assert doc["outputs"] == ["9/2"]
    assert doc["times"]["h"] == "4" and doc["causal"]["h"] == ["x0", "r"]


def test_simulate_silent_neuron_is_null(cli):
    """A silent neuron has time inf and causal set null."""
    doc = cli("simulate", EXAMPLES / "fact_inhibit.json", "-i", "0,1/2", "--json").json
    assert doc["outputs"] == ["inf"] and doc["causal"]["l1n0"] is None


def test_simulate_text_output(cli):
    """The text output names each neuron's time and causal set."""
    r = cli("simulate", EXAMPLES / "fact_sum.json", "-i", "0,1/2")
    assert r.code == 0 and "t = 3/4" in r.out and "causal: {x0, x1}" in r.out


def test_help_and_version(cli):
    """--help explains every command; --version prints the version."""
    r = cli("--help")
    assert r.code == 0 and "simulate" in r.out
    assert cli("simulate", "--help").code == 0
    assert "verisnn" in cli("--version").out


def write(tmp_path, doc, name="net.json"):
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return p


@pytest.mark.parametrize(
    "doc, message",
    [
        ({"inputs": 1, "layers": [{"weights": [[1]], "thresholds": [-1]}]}, "threshold of neuron 'l1n0' must be > 0"),
        ({"inputs": ["a"], "neurons": {"h": {"threshold": 1}}, "synapses": [{"from": "a", "to": "h", "weight": 1,
          "delay": -1}], "outputs": ["h"]}, "delay of synapse a->h must be >= 0"),
        ({"inputs": ["a"], "neurons": {"h": {"threshold": 1}}, "synapses": [{"from": "b", "to": "h", "weight": 1}],
          "outputs": ["h"]}, "unknown node 'b'"),
        ({"inputs": ["a"], "neurons": {"h": {"threshold": 1}, "g": {"threshold": 1}},
          "synapses": [{"from": "h", "to": "g", "weight": 1}, {"from": "g", "to": "h", "weight": 1}],
          "outputs": ["h"]}, "cycle"),
        ({"inputs": ["a", "a"], "neurons": {"h": {"threshold": 1}}, "outputs": ["h"]}, "duplicate node id 'a'"),
        ({"inputs": ["a"], "neurons": {"h": {"threshold": 1}}, "outputs": []}, "no outputs"),
        ('{"inputs": 1, "layers": [{"weights": [[NaN]], "thresholds": [1]}]}', "NaN"),
        ({"inputs": 1, "layers": [{"weights": [["Infinity"]], "thresholds": [1]}]}, "rational"),
        ({"inputs": 2, "layers": [{"weights": [[1]], "thresholds": [1]}]}, "must have 2 entries"),
        ({"inputs": 1, "kernel": {"pieces": [{"from": 1, "value": 0, "slope": 1}]},
          "layers": [{"weights": [[1]], "thresholds": [1]}]}, "start at 0"),
        ({"inputs": 1, "kernel": {"pieces": [{"from": 0, "value": 0, "slope": 1}, {"from": 2, "value": 0, "slope": 0},
          {"from": 1, "value": 0, "slope": 0}]}, "layers": [{"weights": [[1]], "thresholds": [1]}]},
         "strictly increasing"),
        ("{not json", "not valid JSON"),
    ],
)
def test_malformed_files_exit_2_with_one_line(cli, tmp_path, doc, message):
    """Every malformed network gives exit 2 and one line on stderr naming the problem, no traceback."""
    r = cli("simulate", write(tmp_path, doc), "--input", "0")
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in r.err


@pytest.mark.parametrize("inputs, message", [("0,x", "input 1"), ("0", "2 inputs"), ("0,nan", "input 1")])
def test_bad_inputs_exit_2(cli, inputs, message):
    """Malformed --input values give exit 2 naming the value."""
    r = cli("simulate", EXAMPLES / "fact_sum.json", "--input", inputs)
    assert r.code == 2 and message in r.err and len(r.err.strip().splitlines()) == 1


def test_missing_file_and_wrong_kind(cli):
    """A missing file or a ReLU file where an SNN is expected gives exit 2."""
    r = cli("simulate", "no/such.json", "-i", "0")
    assert r.code == 2 and "no/such.json" in r.err
    r = cli("simulate", EXAMPLES / "relu_small.json", "-i", "0,0")
    assert r.code == 2 and "ReLU" in r.err
