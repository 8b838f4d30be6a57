"""Claim sweeps on a Dask cluster started here on 127.0.0.1: the same verdicts as a serial run, even after a worker dies."""

from __future__ import annotations

import os
import signal
import socket
import textwrap
import threading
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

from verisnn.claims import cluster
from verisnn.claims.registry import RunContext, discover, select
from verisnn.claims.runner import run_task, tasks_for
from verisnn.core.errors import InternalError, InvalidInput

CTX = RunContext(timeout=120)
THEOREMS = Path(__file__).resolve().parent.parent / "theorems"
#: quick claims of every mode, with counterexamples that carry networks and parameters
FILES = [THEOREMS / f"{name}.py" for name in ("c1_single_neuron", "c4_order", "c5_discontinuity", "c9_parametric")]


def _same(result) -> dict:
    """A result's JSON document without what differs between two runs of one query (see :func:`_untimed`)."""
    return _untimed(result.to_json())


def _untimed(doc):
    """Without times and solver statistics: z3's search counters depend on what the process solved before."""
    if isinstance(doc, dict):
        return {k: _untimed(v) for k, v in doc.items() if not k.endswith("seconds") and k != "solver"}
    if isinstance(doc, list):
        return [_untimed(v) for v in doc]
    return doc


@pytest.fixture(scope="module")
def scheduler():
    """A local cluster of two one-thread worker processes; a task may lose one worker and still be rerun."""
    with (dask.config.set({"distributed.scheduler.allowed-failures": 1}),
          distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address="127.0.0.1:0") as local):
        yield local.scheduler_address


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_scheduler_address_is_checked():
    """`local`, tcp://host:port and host:port are addresses; anything else is bad input naming the value."""
    assert cluster.scheduler_address("local") == "local"
    assert cluster.scheduler_address("127.0.0.1:8786") == "tcp://127.0.0.1:8786"
    assert cluster.scheduler_address("tcp://node-3.lab:8786") == "tcp://node-3.lab:8786"
    for bad in ("nowhere", "tcp://host", "http://host:80", "host:99999", ""):
        with pytest.raises(InvalidInput, match="--scheduler must be"):
            cluster.scheduler_address(bad)


def test_unreachable_scheduler_is_bad_input():
    """A scheduler that does not answer is an InvalidInput with one line naming the address."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    with (pytest.raises(InvalidInput, match=f"cannot reach the Dask scheduler at {address}") as info,
          cluster.connect(address, timeout=1)):
        pass
    assert "\n" not in str(info.value)


def test_unreachable_scheduler_exits_2(cli):
    """`verisnn prove --scheduler` with nobody listening exits 2 with one error line."""
    r = cli("prove", "C4", "--scheduler", f"tcp://127.0.0.1:{_free_port()}")
    assert r.code == 2
    errors = [line for line in r.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot reach the Dask scheduler" in errors[0], r.err
    assert "Traceback" not in r.err


def test_cluster_results_equal_serial(scheduler):
    """Every claim of several families, in every mode, gets the same result on the cluster as in this process."""
    tasks = tasks_for(discover(FILES))
    serial = [_same(run_task(t.claim, t.size, CTX)) for t in tasks]
    seen = []
    outcomes = cluster.run(tasks, CTX, scheduler, paths=FILES, on_done=lambda o: seen.append(o.claim.id))
    assert [_same(o.result) for o in outcomes] == serial
    assert sorted(seen) == sorted(t.claim.id for t in tasks)  # streamed: one call per finished task
    assert all(o.matches for o in outcomes)


SLOW_CLAIMS = textwrap.dedent("""
    import time
    from fractions import Fraction
    from verisnn.claims.registry import claim
    from verisnn.core.results import Counterexample, Result, Verdict

    @claim("S1", expected="proved", sizes=[{"k": k} for k in range(8)])
    def slow(size, ctx):
        '''Takes a second; odd sizes are refuted with a counterexample that depends on the size.'''
        time.sleep(1)
        k = size["k"]
        if k % 2:
            x = (Fraction(k, 3),)
            return Result("S1", Verdict.REFUTED, 0.0, Counterexample((x,), ((Fraction(k),),), f"k = {k} is odd"))
        return Result("S1", Verdict.PROVED, 0.0, reason=f"k = {k} is even")

    @claim("S2-bug", expected="proved", default=False)
    def bug(size, ctx):
        '''An encoding that disagrees with the simulator.'''
        from verisnn.core.errors import InternalError
        raise InternalError("the encoding says 1, the simulator 2")

    @claim("S3-crash", expected="proved", default=False)
    def crash(size, ctx):
        '''Kills the worker process that runs it, every time.'''
        import os, signal
        os.kill(os.getpid(), signal.SIGKILL)
""")


@pytest.fixture(scope="module")
def slow_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("claims") / "slow_claims.py"
    path.write_text(SLOW_CLAIMS)
    return path


def test_worker_killed_mid_run_loses_nothing(scheduler, slow_file):
    """A worker killed while it runs a task: the scheduler reruns the task elsewhere and the results equal serial."""
    claims = discover([slow_file])
    tasks = tasks_for(select(claims, ["S1"]))
    serial = [_same(run_task(t.claim, t.size, CTX)) for t in tasks]
    killed = []

    with distributed.Client(scheduler) as spy:
        pids = spy.run(os.getpid)

        def kill_a_busy_worker(outcome) -> None:
            if killed:
                return
            busy = [w for w, keys in spy.processing().items() if keys and w in pids]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(busy[0])

        outcomes = cluster.run(tasks, CTX, scheduler, paths=[slow_file], on_done=kill_a_busy_worker)
        assert killed, "no worker was busy when the first result came back"
        spy.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker for the next tests
    assert [_same(o.result) for o in outcomes] == serial


def test_internal_error_on_a_worker_propagates(scheduler, slow_file):
    """An InternalError raised by a claim on a worker is raised by the driver, as in a serial run."""
    tasks = tasks_for(select(discover([slow_file]), ["S2-bug"]))
    with pytest.raises(InternalError, match="the encoding says 1"):
        cluster.run(tasks, CTX, scheduler, paths=[slow_file])


def test_task_that_keeps_killing_workers_is_unknown(scheduler, slow_file):
    """A task that kills every worker it lands on is given up by the scheduler and reported unknown, never proved."""
    tasks = tasks_for(select(discover([slow_file]), ["S3-crash"]))
    [outcome] = cluster.run(tasks, CTX, scheduler, paths=[slow_file])
    assert str(outcome.result.verdict) == "unknown"
    assert "workers died" in outcome.result.reason
    with distributed.Client(scheduler) as spy:
        spy.wait_for_workers(2, timeout=60)


def test_cli_local_cluster_equals_serial(cli):
    """`verisnn prove --scheduler local -j 2 --json` prints the same results as `-j 1`, in the same order."""
    args = ("prove", "C4", "C5", "--path", THEOREMS / "c4_order.py", "--path", THEOREMS / "c5_discontinuity.py", "--json")
    serial = cli(*args, "-j", "1")
    local = cli(*args, "-j", "2", "--scheduler", "local")
    assert serial.code == local.code == 0, local.err
    assert _untimed(local.json["results"]) == _untimed(serial.json["results"])


def test_no_thread_left_behind():
    """The cluster runs leave no non-daemon thread that would keep the process alive."""
    alive = [t.name for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    assert not alive, alive


def _lemma_pair(perturb: bool):
    from dataclasses import replace as dc_replace
    from fractions import Fraction

    from verisnn.analyses.emulation import emulate, random_relu
    from verisnn.core.domain import Box
    from verisnn.core.model import Network

    box = Box.uniform(-1, 1, 2)
    relu = random_relu(2, [6], 1, seed=3)
    snn = emulate(relu, box).network
    if perturb:  # one data weight off by 1/1000: a lemma fails
        syn = list(snn.synapses)
        syn[0] = dc_replace(syn[0], weight=syn[0].weight + Fraction(1, 1000))
        snn = Network(snn.inputs, snn.neurons, tuple(syn), snn.outputs, snn.references, snn.kernel, snn.codes)
    return snn, relu, box


@pytest.mark.parametrize("perturb", [False, True], ids=["emulation", "perturbed"])
def test_lemmas_on_the_cluster_equal_serial(scheduler, perturb):
    """One task per neuron lemma: every lemma's result (witness values included) equals the serial check's."""
    from verisnn.analyses.equivalence import check_lemma, compositional_lemmas
    from verisnn.smt.context import fresh_context
    from verisnn.solvers import SolverOptions

    snn, relu, box = _lemma_pair(perturb)
    lemmas = compositional_lemmas(snn, relu, box)
    options = SolverOptions(timeout=120)
    serial = []
    for lemma in lemmas:
        fresh_context()
        serial.append(_same(check_lemma(lemma, options)))
    with cluster.lemma_checker(scheduler, 1, snn, relu, box) as check:
        got = [_same(r) for r in check(lemmas, options)]
    assert got == serial
    assert any(r["verdict"] != "proved" for r in got) == perturb


@pytest.mark.parametrize("perturb", [False, True], ids=["emulation", "perturbed"])
def test_compositional_proof_on_the_cluster_equals_serial(scheduler, perturb):
    """check_compositional with the cluster's lemma checker gives the serial result (proved, or the same failed lemma)."""
    from verisnn.analyses.equivalence import check_compositional
    from verisnn.solvers import SolverOptions

    snn, relu, box = _lemma_pair(perturb)
    options = SolverOptions(timeout=120)
    serial = check_compositional(snn, relu, box, options)
    with cluster.lemma_checker(scheduler, 1, snn, relu, box) as check:
        distributed_result = check_compositional(snn, relu, box, options, check=check)
    assert _same(distributed_result) == _same(serial)
    assert str(serial.verdict) == ("unknown" if perturb else "proved")


def test_cli_equiv_on_a_local_cluster_equals_serial(cli, tmp_path):
    """`verisnn equiv --strategy compositional --scheduler local` prints the serial run's JSON document."""
    from verisnn.io import save_network, save_relu

    snn, relu, _ = _lemma_pair(True)
    save_network(snn, tmp_path / "snn.json")
    save_relu(relu, tmp_path / "relu.json")
    args = ("equiv", tmp_path / "snn.json", tmp_path / "relu.json", "--domain", "-1:1", "--strategy", "compositional",
            "--json")
    serial = cli(*args)
    local = cli(*args, "--scheduler", "local", "-j", "2")
    assert serial.code == local.code == 1, local.err
    assert _untimed(local.json) == _untimed(serial.json)
    assert cli(*args, "--scheduler", "nowhere").code == 2


# --- region enumeration: one task per subtree of the split tree --------------------------------------------------
def _region_networks():
    """A positive and a signed spiking network, and a ReLU network whose hyperplanes pass through points of the walk."""
    from verisnn.claims.generators import positive_linear, signed
    from verisnn.core.model import relu_network

    relu = relu_network([([[1, 0], [0, 1], [1, 1], [1, -1]], [0, 0, 0, 0]), ([[1, -1, 1, 1]], [0])])
    return {"positive": (positive_linear([2, 4, 3], seed=1), "-4:4"), "signed": (signed([2, 3, 2], seed=2), "-2:2"),
            "relu-ties": (relu, "-1:1")}


def _in_process(docs, answer):
    """Walk every subtree task here, last first, through its JSON text both ways (what a worker gets and sends)."""
    import json

    from verisnn.analyses.regions.subtrees import walk_subtree

    queue = list(enumerate(docs))
    total = len(queue)
    while queue:
        i, doc = queue.pop()
        for more in answer(i, json.loads(json.dumps(walk_subtree(json.loads(json.dumps(doc)))))):
            queue.append((total, more))
            total += 1


def _region_doc(rm) -> dict:
    doc = rm.to_json()
    doc.pop("seconds")
    return doc


@pytest.mark.parametrize("name", ["positive", "signed", "relu-ties"])
def test_subtrees_merged_equal_the_serial_walk(name, monkeypatch):
    """Any frontier, any task length, subtrees walked from JSON in any order: the serial pieces, tree and certificate."""
    import json

    from verisnn.analyses.regions import certificate, enumerate_regions, walk
    from verisnn.core.domain import parse_domain

    net, domain = _region_networks()[name]
    box = parse_domain(domain, net.dimension)
    ties = []
    real = walk._perturb
    monkeypatch.setattr(walk, "_perturb", lambda *a: ties.append(1) or real(*a))
    serial = enumerate_regions(net, box)
    assert ties or name != "relu-ties"  # the per-node generator is exercised
    for width, seconds in ((1, None), (3, None), (1000, None), (1, 0), (3, 0)):  # 0 s: every task splits one cell
        got = enumerate_regions(net, box, distribute=_in_process, frontier=width, task_seconds=seconds)
        assert got.regions == serial.regions and got.verified
        assert [r.steps for r in got.regions] == [r.steps for r in serial.regions]  # not compared by ==
        assert _region_doc(got) == _region_doc(serial)
        assert json.dumps(certificate(got)) == json.dumps(certificate(serial))
    bare = enumerate_regions(net, box, distribute=_in_process, frontier=3, task_seconds=0, keep_tree=False)
    assert bare.tree is None and [r.steps for r in bare.regions] == [r.steps for r in serial.regions]
    assert _region_doc(bare) == _region_doc(serial)  # without split trees sent: the same map


def test_perturbation_depends_on_the_node_only():
    """The generator of a node is a function of (seed, unit, point): the same draws in any process, in any order."""
    from fractions import Fraction

    from verisnn.analyses.regions.walk import node_rng

    p = (Fraction(1, 3), Fraction(-2))
    assert node_rng(0, 2, p).random() == node_rng(0, 2, p).random()
    assert node_rng(0, 2, p).random() != node_rng(1, 2, p).random() != node_rng(0, 3, p).random()


def _regions_cli(cli, tmp_path, net_name: str, *extra: str, cert: str = "cert.json"):
    from verisnn.core.model import ReluNetwork
    from verisnn.io import save_network, save_relu

    net, domain = _region_networks()[net_name]
    path = tmp_path / f"{net_name}.json"
    (save_relu if isinstance(net, ReluNetwork) else save_network)(net, path)
    r = cli("regions", path, "--domain", domain, "--json", "--certificate", tmp_path / cert, *extra)
    assert r.code == 0, r.err
    doc = r.json
    doc.pop("seconds")
    doc.pop("certificate")
    return doc, (tmp_path / cert).read_bytes()


@pytest.mark.parametrize("name", ["positive", "relu-ties"])
def test_cli_regions_on_clusters_equal_serial(cli, tmp_path, scheduler, name):
    """`verisnn regions --json --certificate` on a local cluster and on a tcp scheduler: the serial output, byte for byte."""
    serial = _regions_cli(cli, tmp_path, name, cert="serial.json")
    assert _regions_cli(cli, tmp_path, name, "--scheduler", "local", "-j", "2", cert="local.json") == serial
    assert _regions_cli(cli, tmp_path, name, "--scheduler", scheduler, cert="tcp.json") == serial


def test_regions_worker_killed_mid_run_gives_the_same_map(scheduler):
    """A worker killed while it holds subtree tasks: the scheduler reruns them and the map equals the serial one."""
    import time

    from verisnn.analyses.regions import enumerate_regions
    from verisnn.claims.generators import positive_linear
    from verisnn.core.domain import Box

    net, box = positive_linear([3, 5, 4], seed=4, delays=False), Box.uniform(-4, 4, 3)
    serial = enumerate_regions(net, box)
    killed: list[str] = []
    with distributed.Client(scheduler) as spy, cluster.subtree_walker(scheduler, 1) as (distribute, width):
        pids = spy.run(os.getpid)

        def kill_a_busy_worker() -> None:
            deadline = time.monotonic() + 30
            while not killed and time.monotonic() < deadline:
                busy = [w for w, keys in spy.processing().items() if keys and w in pids]
                if busy:
                    time.sleep(0.2)  # into the middle of its task
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(busy[0])
                time.sleep(0.01)

        def distribute_and_kill(docs, answer):
            killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
            killer.start()
            try:
                distribute(docs, answer)
            finally:
                killer.join()

        got = enumerate_regions(net, box, distribute=distribute_and_kill, frontier=width, task_seconds=0.5)
        assert killed, "no worker was busy during the run"
        spy.wait_for_workers(2, timeout=60)
    assert got.regions == serial.regions
    assert _region_doc(got) == _region_doc(serial)


def test_regions_unreachable_scheduler_exits_2(cli, tmp_path):
    """`verisnn regions --scheduler` with nobody listening exits 2 with one error line."""
    from verisnn.io import save_network

    save_network(_region_networks()["positive"][0], tmp_path / "net.json")
    r = cli("regions", tmp_path / "net.json", "--domain", "-1:1", "--scheduler", f"tcp://127.0.0.1:{_free_port()}")
    assert r.code == 2
    errors = [line for line in r.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot reach the Dask scheduler" in errors[0], r.err
    assert "Traceback" not in r.err
    assert cli("regions", tmp_path / "net.json", "--scheduler", "nowhere").code == 2


def test_bad_subtree_task_on_a_worker_is_bad_input(scheduler):
    """A subtree task whose input is malformed fails on the worker as InvalidInput on the driver (exit 2), not unknown."""
    from verisnn.analyses.regions.subtrees import SUBTREE_FORMAT

    bad = {"format": SUBTREE_FORMAT, "network": {"format": "verisnn.snn/1", "inputs": "nope"}, "domain": None,
           "lp": "vertex", "timeout": 10, "seed": 0, "affines": [], "cell": {}}
    with cluster.subtree_walker(scheduler, 1) as (distribute, _), pytest.raises(InvalidInput, match="on a worker"):
        distribute([bad], lambda i, result: [])


BAD_INPUT_CLAIM = textwrap.dedent("""
    from verisnn.claims.registry import claim
    from verisnn.core.errors import InvalidInput

    @claim("B1", expected="proved", sizes=[{"k": 1}])
    def bad(size, ctx):
        '''Rejects its size, as a claim does with a size it cannot run.'''
        raise InvalidInput(f"size k = {size['k']} is not allowed here")
""")


def test_cli_prove_bad_input_on_a_worker_exits_2(cli, tmp_path):
    """A claim that rejects its input on a worker: `prove --scheduler local` exits 2 with one line, as serially."""
    path = tmp_path / "bad_claim.py"
    path.write_text(BAD_INPUT_CLAIM)
    for extra in ((), ("--scheduler", "local", "-j", "1")):
        r = cli("prove", "B1", "--path", path, *extra)
        errors = [line for line in r.err.splitlines() if line.startswith("error:")]
        assert r.code == 2 and len(errors) == 1 and "k = 1 is not allowed" in errors[0], (extra, r.err)


def test_bad_lemma_task_is_bad_input():
    """A lemma task with a malformed box answers with bad input, which the driver raises as InvalidInput."""
    from verisnn.io import network_to_json, relu_to_json

    snn, relu, _ = _lemma_pair(False)
    value = cluster.lemma_task(network_to_json(snn), relu_to_json(relu), [["x", "1"], ["-1", "1"]], 0, "?", {})
    assert "invalid_input" in value
    with pytest.raises(InvalidInput, match="on a worker"):
        cluster._lemma_result(value, None)


# --- verify: one task per property ----------------------------------------------------------------------------------
def test_cli_verify_on_clusters_equals_serial(cli, tmp_path, scheduler):
    """`verisnn verify --scheduler` (local, and the test's tcp scheduler) prints the serial JSON: proofs and an exact
    counterexample, on an ONNX ReLU network and on a spiking network; a bad address is exit 2."""
    digits = Path("examples/digits")
    props = [digits / f"digits_16x16_img{k}_eps0.1.vnnlib" for k in (0, 1)]
    snn_prop = tmp_path / "snn.vnnlib"
    snn_prop.write_text("(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n"
                        "(assert (>= X_0 0))\n(assert (<= X_0 3))\n(assert (>= X_1 0))\n(assert (<= X_1 3))\n"
                        "(assert (<= Y_0 0.5))\n")  # fact_sum fires at t >= 1/2 here: sat only at x = (0, 0)
    late = tmp_path / "late.vnnlib"
    late.write_text(snn_prop.read_text().replace("(<= Y_0 0.5)", "(< Y_0 0.5)"))  # unsat
    for net, files in ((digits / "digits_16x16.onnx", props), (Path("examples/fact_sum.json"), [snn_prop, late])):
        args = ("verify", net, *files, "--json")
        serial = cli(*args)
        for where in ("local", scheduler):
            got = cli(*args, "--scheduler", where, "-j", "2")
            assert got.code == serial.code == 1, got.err
            assert _untimed(got.json) == _untimed(serial.json)
        verdicts = [r["verdict"] for r in serial.json["results"]]
        assert sorted(verdicts) == ["proved", "refuted"], verdicts
    assert cli("verify", "examples/fact_sum.json", late, "--scheduler", "nowhere").code == 2
