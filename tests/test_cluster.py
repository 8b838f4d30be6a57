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
        return {k: _untimed(v) for k, v in doc.items() if k not in ("seconds", "solver")}
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
