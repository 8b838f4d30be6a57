"""Regression tests for the user-facing defects of issue 9 (each failed before its fix)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import EXAMPLES, ROOT

from verisnn.core.errors import InvalidInput

GRAPH = {"format": "verisnn.snn/1", "kernel": "linear", "inputs": ["x0"],
         "neurons": {"h": {"threshold": "1"}},
         "synapses": [{"from": "x0", "to": "h", "weight": "1", "delay": "1"}], "outputs": ["h"]}
LAYERED = {"inputs": 1, "layers": [{"weights": [[1]], "thresholds": [1]}]}


def _with(doc: dict, path: tuple, key: str, value) -> dict:
    """A copy of ``doc`` with ``key`` set to ``value`` in the object at ``path``."""
    out = json.loads(json.dumps(doc))
    obj = out
    for step in path:
        obj = obj[step]
    obj[key] = value
    return out


# -- defect 2: unknown or duplicate keys are errors naming the key, with a near spelling --------------------------

@pytest.mark.parametrize("doc, key, where, hint", [
    ({k: v for k, v in _with(GRAPH, (), "kernal", {"name": "box", "delta": 1}).items() if k != "kernel"},
     "kernal", "the network", "kernel"),
    (_with(GRAPH, ("synapses", 0), "dealy", "2"), "dealy", "synapse 0 (x0->h)", "delay"),
    (_with(GRAPH, ("neurons", "h"), "treshold", "2"), "treshold", "neuron 'h'", "threshold"),
    (_with(GRAPH, (), "kernel", {"name": "box", "delat": "2"}), "delat", "kernel", "delta"),
    (_with(GRAPH, (), "kernel", {"pieces": [{"from": 0, "value": 0, "slop": 1}]}), "slop", "piece 0", "slope"),
    (_with(GRAPH, ("synapses", 0), "kernel", {"name": "box", "detla": "2"}), "detla", "synapse x0->h", "delta"),
    (_with(GRAPH, (), "codes", {"inputs": [], "output": []}), "output", "'codes'", "outputs"),
    (_with(GRAPH, (), "codes", {"outputs": [{"node": "h", "base": 1, "cod": "positive"}]}), "cod", "code 0", "code"),
    (_with(LAYERED, (), "kernal", "linear"), "kernal", "the layered network", "kernel"),
    (_with(LAYERED, ("layers", 0), "threshold", [1]), "threshold", "layer 1", "thresholds"),
    (_with(LAYERED, ("layers", 0), "delay", [[1]]), "delay", "layer 1", "delays"),
    (_with(LAYERED, ("layers", 0), "references", {"weights": [[1]], "time": [0]}), "time", "references of layer 1",
     "times"),
])
def test_unknown_keys_in_network_files_exit_2(cli, tmp_path, doc, key, where, hint):
    """A misspelt key is exit 2 with one line naming the key, where it is, and the near spelling."""
    path = tmp_path / "net.json"
    path.write_text(json.dumps(doc))
    r = cli("simulate", path, "-i", "0")
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.err, r.err
    assert f"'{key}'" in lines[0] and where in lines[0] and f"did you mean '{hint}'" in lines[0], lines[0]


@pytest.mark.parametrize("relu, key, hint", [
    ({"format": "verisnn.relu/1", "layers": [{"weights": [[1]], "bias": [0]}], "layer": []}, "layer", "layers"),
    ({"format": "verisnn.relu/1", "layers": [{"weights": [[1]], "biases": [0]}]}, "biases", "bias"),
])
def test_unknown_keys_in_relu_files_exit_2(cli, tmp_path, relu, key, hint):
    """ReLU JSON files are strict too (emulate, equiv, regions read them)."""
    path = tmp_path / "relu.json"
    path.write_text(json.dumps(relu))
    r = cli("emulate", path, "-o", tmp_path / "out.json", "-d", "0:1")
    assert r.code == 2, (r.out, r.err)
    line = r.err.strip()
    assert "\n" not in line and f"'{key}'" in line and f"did you mean '{hint}'" in line, line


@pytest.mark.parametrize("text, key, where", [
    ('{"inputs": ["x0"], "neurons": {"h": {"threshold": 1}, "h": {"threshold": 2}}, "outputs": ["h"]}', "h",
     "in neurons"),
    ('{"inputs": ["x0"], "inputs": ["x1"], "neurons": {"h": {"threshold": 1}}, "outputs": ["h"]}', "inputs",
     "top level"),
    ('{"inputs": 1, "layers": [{"weights": [[1]], "thresholds": [1], "weights": [[2]]}]}', "weights", "layers[0]"),
    (('{"inputs": ["x0"], "neurons": {"h": {"threshold": 1}}, "synapses": '
     '[{"from": "x0", "to": "h", "weight": 1, "weight": 5}], "outputs": ["h"]}'), "weight", "synapses[0]"),
])
def test_duplicate_keys_exit_2(cli, tmp_path, text, key, where):
    """A key written twice in one object is exit 2 naming the key and the object (it used to keep the last)."""
    path = tmp_path / "net.json"
    path.write_text(text)
    r = cli("simulate", path, "-i", "0")
    assert r.code == 2, (r.out, r.err)
    line = r.err.strip()
    assert "\n" not in line and f"duplicate key '{key}'" in line and where in line, line


def test_description_and_written_files_stay_valid(cli, tmp_path):
    """The free-text description is allowed, and what verisnn writes it reads back (strictness has no victims)."""
    out = tmp_path / "em.json"
    r = cli("emulate", EXAMPLES / "relu_small.json", "-o", out, "-d", "0:1")
    assert r.code == 0, r.err
    assert cli("simulate", out, "-i", "0,1").code == 0
    assert cli("simulate", EXAMPLES / "graph.json", "-i", "1,7").code == 0


# -- defect 5: a size key no chosen claim reads is exit 2, not the defaults under a wrong label --------------------

@pytest.mark.parametrize("args, message", [
    (["prove", "C1", "--size", "foo=3"], "size key 'foo' is not read by C1"),
    (["prove", "C1", "--size", "sed=3"], "did you mean 'seed'"),
    (["prove", "C9-d2", "--size", "d=3"], "size key 'd' is not read by C9-d2"),
])
def test_unknown_size_key_exit_2(cli, args, message):
    r = cli(*args)
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.err


def test_size_keys_come_from_the_claims_code():
    """Keys a claim reads with a default (C9's seeds) are accepted; a family member that does not read one is left
    out of that run instead of running its defaults."""
    from verisnn.claims.registry import discover, select, sized

    claims = discover()
    assert "seeds" in next(c for c in claims if c.id == "C9").size_keys
    chosen = sized(select(claims, ["C3"]), ["C3"], {"widths": [2, 2, 1]})
    assert [c.id for c in chosen] == ["C3"]


# -- defect 10: a user error inside a claim is exit 2 naming the file, not a verdict "unknown" ---------------------

@pytest.mark.parametrize("jobs", ["1", "2"])
def test_claim_naming_a_missing_network_exits_2(cli, tmp_path, jobs):
    (tmp_path / "mine.py").write_text(
        "from verisnn.claims.registry import claim\n"
        "from verisnn.io import load_network\n"
        "@claim('U2', expected='proved')\n"
        "def u2(size, ctx):\n"
        "    '''Reads a network file that is not there.'''\n"
        "    return load_network('no/such/net.json')\n"
        "@claim('U3', expected='proved')\n"
        "def u3(size, ctx):\n"
        "    '''A second task, so that -j 2 uses the pool.'''\n"
        "    return load_network('no/such/net.json')\n"
    )
    r = cli("prove", "--path", tmp_path, "-j", jobs)
    assert r.code == 2, (r.out, r.err)
    last = r.err.strip().splitlines()[-1]
    assert "no/such/net.json" in last and "mine.py" in last and "Traceback" not in r.err, r.err


# -- defect 6: Ctrl-C stops the workers quietly, one line, exit 130, no leaked semaphores -------------------------

@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_during_prove_exits_130_quietly(tmp_path, jobs):
    (tmp_path / "slow.py").write_text(
        "import time\n"
        "from verisnn.claims.registry import claim\n"
        "@claim('S1', expected='proved')\n"
        "def s1(size, ctx):\n"
        "    '''Sleeps.'''\n"
        "    time.sleep(120)\n"
        "@claim('S2', expected='proved')\n"
        "def s2(size, ctx):\n"
        "    '''Sleeps too.'''\n"
        "    time.sleep(120)\n"
    )
    proc = subprocess.Popen([sys.executable, "-m", "verisnn", "prove", "--path", str(tmp_path), "-j", jobs],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            start_new_session=True)
    time.sleep(8)  # the workers have started their claims
    os.killpg(proc.pid, signal.SIGINT)  # like Ctrl-C in a terminal: the whole process group
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err and "leaked" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().splitlines()[-1] == "interrupted", err


# -- defect 7: an output path that cannot be written is exit 2 naming the path ------------------------------------

BAD = "/proc/version"


@pytest.mark.parametrize("args", [
    ["emulate", EXAMPLES / "relu_small.json", "-o", BAD, "-d", "0:1"],
    ["check", EXAMPLES / "fact_sum.json", "-p", "monotone", "-d", "0:1", "--smt2", BAD],
    ["regions", EXAMPLES / "fact_sum.json", "-d", "0:1", "--certificate", BAD],
    ["regions", EXAMPLES / "fact_sum.json", "-d", "0:1", "--plot", BAD + ".png"],
])
def test_unwritable_output_names_the_path(cli, args):
    r = cli(*args)
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "/proc/version" in lines[0] and "Traceback" not in r.err, r.err


def test_io_write_helper_names_the_path(tmp_path):
    from verisnn.io import write_text

    with pytest.raises(InvalidInput, match="cannot write certificate '/proc/version'"):
        write_text(BAD, "x", "certificate")
    assert write_text(tmp_path / "ok.txt", "x").read_text() == "x"


# -- defect 8: click usage errors are one line on stderr, exit 2 --------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["check", EXAMPLES / "fact_sum.json", "-p", "monotone"], "Missing option '--domain'"),
    (["check", EXAMPLES / "fact_sum.json", "-p", "monotone", "-d", "0:1", "--solver", "z4"], "'z4'"),
    (["simulate"], "Missing argument 'NET'"),
    (["simulat"], "No such command 'simulat'"),
    (["prove", "--jobs", "0"], "--jobs"),
    (["check", EXAMPLES / "fact_sum.json", "--bogus"], "--bogus"),
])
def test_usage_errors_are_one_line(cli, args, message):
    r = cli(*args)
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("error: verisnn"), r.err


def test_every_solving_command_takes_the_solver_options(cli):
    """--solver, --timeout and --rlimit on check, prove, equiv, regions (and verify), read from one registry."""
    from verisnn.solvers import NAMES

    for command in ("check", "prove", "equiv", "regions", "verify"):
        text = cli(command, "--help").out
        assert "--solver" in text and "--rlimit" in text and "--timeout" in text, command
        assert all(name in text for name in NAMES), command


def test_size_pairs_with_lists():
    """``--size widths=[2,3,1],seed=0`` splits before keys, not inside the list."""
    from verisnn.cli.commands.prove import _size

    assert _size("widths=[2,3,1],seed=0") == {"widths": [2, 3, 1], "seed": 0}
    assert _size("d=3,m=2") == {"d": 3, "m": 2} and _size("kernel=box") == {"kernel": "box"}


def test_files_are_written_only_through_the_io_helper():
    """No module writes a file the user names by itself (so every unwritable path is reported by name)."""
    import re

    pattern = re.compile(r"\.write_text\(|\.write_bytes\(|open\([^)]*[\"'][wax]b?[\"']|\.mkdir\(|savefig\((?!handle)")
    offenders = []
    for path in sorted((ROOT / "verisnn").rglob("*.py")):
        if path.relative_to(ROOT).as_posix() == "verisnn/io/files.py":
            continue
        for k, line in enumerate(path.read_text().splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{k}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_unwritable_certificate_directory_names_it(cli):
    r = cli("prove", "C1-sym", "--size", "d=2", "--certificates", "/proc/version/certs")
    assert r.code == 2 and "/proc/version/certs" in r.err and len(r.err.strip().splitlines()) == 1, r.err


# -- every command: Ctrl-C is exit 130 with one line; errors keep their exit codes ---------------------------------

@pytest.mark.parametrize("error, code, text", [
    (KeyboardInterrupt(), 130, "interrupted"),
    (InvalidInput("bad value 'x'"), 2, "bad value 'x'"),
    (RuntimeError("oops"), 3, "internal error"),
])
def test_group_turns_errors_into_exit_codes(capsys, monkeypatch, error, code, text):
    import click

    from verisnn.cli.main import VerisnnGroup

    monkeypatch.delenv("VERISNN_DEBUG", raising=False)

    @click.group(cls=VerisnnGroup)
    def group() -> None:
        pass

    @group.command("boom")
    def boom() -> None:
        raise error

    with pytest.raises(SystemExit) as exit_info:
        group.main(["boom"], prog_name="verisnn")
    assert exit_info.value.code == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and text in err[0]
