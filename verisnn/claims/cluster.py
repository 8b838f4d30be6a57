"""Work on a Dask cluster: claim sweeps (one task per claim and size), compositional equivalence proofs
(one task per neuron lemma, :func:`lemma_checker`) and region enumeration (one task per subtree of
the split tree, :func:`subtree_walker`), JSON in and out, results as they finish.

``--scheduler tcp://host:port`` sends the tasks to a running Dask scheduler; ``--scheduler local``
starts a :class:`distributed.LocalCluster` of ``jobs`` one-thread worker processes on 127.0.0.1
and stops it afterwards.  A task is ``(claim file paths, claim id, size, run options)``, all plain
JSON values: the worker re-discovers the claims from the files and sends back the result as its
JSON document, which the driver rebuilds into a :class:`~verisnn.core.results.Result` (details
stay in their JSON form).  Tasks are pure and idempotent, so a task lost with a dead worker is
simply run again by the scheduler; one that kills its workers over and over (out of memory) is
reported *unknown*.  Bad input found on a worker is bad input (exit 2), as in a serial run; an
internal error found there is raised by the driver (exit 3).  See docs/cluster.md.

Dask is an optional extra (``pip install 'verisnn[cluster]'``); it is imported only when a
scheduler is asked for.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from verisnn.analyses.equivalence import check_lemma, compositional_lemmas
from verisnn.analyses.regions.subtrees import Distribute, walk_subtree
from verisnn.claims.registry import Outcome, RunContext, discover
from verisnn.claims.runner import Task, run_task
from verisnn.core.domain import Box
from verisnn.core.errors import InternalError, InvalidInput, VerisnnError
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.numbers import Time, parse_rational, parse_time
from verisnn.core.results import Counterexample, Result, Verdict
from verisnn.io import network_from_json, network_to_json, relu_from_json, relu_to_json
from verisnn.smt.context import fresh_context
from verisnn.smt.lemmas import Lemma
from verisnn.solvers import SolverOptions
from verisnn.solvers.lp import LPUndecided

LOCAL = "local"
_ONE_AT_A_TIME = threading.Lock()
_ADDRESS = re.compile(r"^(tcp://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")

#: how often a task that raised (not one whose worker died: the scheduler reschedules those) is run again
RETRIES = 2
#: seconds to wait for a scheduler to answer, and for a remote scheduler to have a worker
CONNECT_TIMEOUT = 10.0


#: a local cluster's monitoring, less often (an idle 2-worker cluster took 0.10 of a core with Dask's defaults,
#: 0.06 with these); nothing here changes what a task computes
QUIET_WORKERS = {"distributed.admin.system-monitor.interval": "5s", "distributed.worker.memory.monitor-interval": "1s",
                 "distributed.worker.profile.enabled": False}


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InvalidInput("--scheduler needs Dask: pip install 'verisnn[cluster]' (or 'dask[distributed]')") from None
    return distributed


def scheduler_address(text: str) -> str:
    """``local``, or a ``tcp://host:port`` address (``host:port`` means tcp); anything else is bad input."""
    text = text.strip()
    if text == LOCAL:
        return text
    m = _ADDRESS.match(text)
    if not m or not 0 < int(m.group(3)) < 65536:
        raise InvalidInput(f"--scheduler must be 'local' or tcp://host:port, got {text!r}")
    return text if m.group(1) else "tcp://" + text


@contextmanager
def connect(address: str, jobs: int = 1, timeout: float = CONNECT_TIMEOUT) -> Iterator[Any]:
    """A Dask client of the scheduler at ``address``, or of a new local cluster for ``local``.

    The local cluster has ``jobs`` worker processes with one thread each, listening on 127.0.0.1
    only, without a dashboard; it is stopped when the block ends.  A scheduler that refuses the
    connection, does not answer within ``timeout`` seconds, or has no worker by then, is an
    :class:`InvalidInput`.
    """
    address = scheduler_address(address)
    distributed = _distributed()
    if address == LOCAL:
        import dask  # installed with distributed

        with dask.config.set(QUIET_WORKERS):
            cluster = distributed.LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                               host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                               silence_logs=logging.CRITICAL)
        with cluster, distributed.Client(cluster) as client:
            yield client
        return
    _probe(address, timeout)
    try:
        client = distributed.Client(address, timeout=timeout)
    except (OSError, TimeoutError):
        raise InvalidInput(f"cannot reach the Dask scheduler at {address} (no answer within {timeout:g}s)") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError):
            raise InvalidInput(f"the Dask scheduler at {address} has no worker after {timeout:g}s") from None
        yield client


def _probe(address: str, timeout: float) -> None:
    """Fail at once when nothing listens at ``address`` (Dask would retry until its timeout)."""
    m = _ADDRESS.match(address)
    assert m is not None  # checked by scheduler_address
    try:
        socket.create_connection((m.group(2).strip("[]"), int(m.group(3))), timeout=timeout).close()
    except OSError:
        raise InvalidInput(f"cannot reach the Dask scheduler at {address} (nothing answers there)") from None


def prove_task(paths: Sequence[str], claim_id: str, size: Mapping[str, Any], options: Mapping[str, Any]) -> dict:
    """Run one claim at one size on a worker; its result as a JSON document (the same inputs, the same document).

    ``{"result": doc, "seconds": s}``, or ``{"internal_error": message}`` for an encoding that
    disagrees with the simulator (the driver raises it, as a serial run would).
    """
    with _ONE_AT_A_TIME:  # z3's default context is per process: tasks in one worker process run one by one
        return _prove_task(paths, claim_id, size, options)


def _prove_task(paths: Sequence[str], claim_id: str, size: Mapping[str, Any], options: Mapping[str, Any]) -> dict:
    try:
        claims = {c.id: c for c in discover(paths)}
        if claim_id not in claims:
            raise InvalidInput(f"claim {claim_id!r} is not in the claim files {list(paths) or ['theorems/']} here")
        result = run_task(claims[claim_id], size, RunContext(**options))
    except InternalError as exc:
        return {"internal_error": str(exc)}
    except VerisnnError as exc:  # bad input (e.g. the claim files are missing on this worker's machine): exit 2
        return _invalid(exc)
    return {"result": result.to_json(), "seconds": result.seconds}


def _invalid(exc: VerisnnError) -> dict:
    """The answer of a task whose input was bad: the driver raises it as :class:`InvalidInput` (exit 2)."""
    return {"invalid_input": f"on a worker: {exc}"}


def _raise_errors(value: Mapping[str, Any]) -> None:
    """Raise what a task reported instead of a result: bad input (exit 2) or an internal error (exit 3)."""
    if "invalid_input" in value:
        raise InvalidInput(value["invalid_input"])
    if "internal_error" in value:
        raise InternalError(value["internal_error"])


def stream(client: Any, fn: Callable[..., Any], calls: Sequence[tuple], priorities: Sequence[int] | None = None,
           ) -> Iterator[tuple[int, Any]]:
    """Submit ``fn(*args)`` for every ``args`` in ``calls``; yield ``(index, value)`` as each finishes.

    A task whose workers died too often (the scheduler gives up on it) yields the
    ``KilledWorker`` exception as its value; any other exception a task raised after its retries
    is raised here.
    """
    distributed = _distributed()
    priorities = priorities if priorities is not None else [0] * len(calls)
    pending = {client.submit(fn, *args, priority=priority, retries=RETRIES, pure=False): i
               for i, (args, priority) in enumerate(zip(calls, priorities, strict=True))}
    try:
        for future in distributed.as_completed(list(pending)):
            try:
                value = future.result()
            except distributed.KilledWorker as exc:
                value = exc
            yield pending[future], value
    finally:  # the caller stopped early (e.g. at the first lemma that fails): drop the rest
        client.cancel(list(pending))


def run(
    tasks: Sequence[Task],
    ctx: RunContext,
    scheduler: str,
    jobs: int = 1,
    paths: Sequence[str | Path] = (),
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run ``tasks`` on the cluster at ``scheduler`` (``local``: ``jobs`` local workers); outcomes in task order.

    ``on_done`` is called as each result arrives (in completion order).  Parametric claims, the
    slow ones, get the highest priority, so they start first.
    """
    str_paths = [str(Path(p).resolve()) for p in paths]  # workers may run in other directories
    options = asdict(ctx)
    if options.get("certificates"):  # a folder the claims write to: the same one whatever the worker's directory
        options["certificates"] = str(Path(options["certificates"]).resolve())
    calls = [(str_paths, t.claim.id, dict(t.size), options) for t in tasks]
    priorities = [1 if t.claim.mode == "parametric" else 0 for t in tasks]
    outcomes: dict[int, Outcome] = {}
    internal: str | None = None
    with connect(scheduler, jobs) as client:
        for i, value in stream(client, prove_task, calls, priorities):
            task = tasks[i]
            if isinstance(value, Exception):
                result = Result(task.claim.id, Verdict.UNKNOWN, 0.0, size=dict(task.size), mode=task.claim.mode,
                                reason=f"the task's workers died ({type(value).__name__}; out of memory?)")
            elif "invalid_input" in value:
                _raise_errors(value)  # as a serial run would: the rest is cancelled
            elif "internal_error" in value:
                internal = internal or value["internal_error"]
                continue
            else:
                result = replace(result_from_json(value["result"], value["seconds"]), mode=task.claim.mode)
            outcomes[i] = Outcome(task.claim, result)
            if on_done:
                on_done(outcomes[i])
    if internal is not None:
        raise InternalError(internal)
    return [outcomes[i] for i in range(len(tasks))]


# --- compositional equivalence: one task per neuron lemma ------------------------------------------------------
LemmaChecker = Callable[[Sequence[Lemma], SolverOptions], Iterator[Result]]


@contextmanager
def lemma_checker(scheduler: str, jobs: int, snn: Network, relu: ReluNetwork, box: Box) -> Iterator[LemmaChecker]:
    """A checker of the compositional lemmas of ``snn == relu`` on ``box`` that runs one task per lemma.

    The checker takes the lemmas (as :func:`~verisnn.analyses.equivalence.compositional_lemmas`
    builds them) and yields their results in lemma order, each as soon as it and the lemmas
    before it are back; when the caller stops early (a lemma that fails) the rest is cancelled.
    The networks travel in their file format; each worker builds the same lemmas from them (in
    the same order) and checks the one it is given, in a fresh z3 context.
    """
    docs = (network_to_json(snn), relu_to_json(relu), box.to_json())
    with connect(scheduler, jobs) as client:

        def check(lemmas: Sequence[Lemma], options: SolverOptions) -> Iterator[Result]:
            opts = {"solver": options.solver, "timeout": options.timeout, "rlimit": options.rlimit,
                    "smt2": str(Path(options.smt2).resolve()) if options.smt2 else None}
            calls = [(*docs, k, lemma.label, opts) for k, lemma in enumerate(lemmas)]
            arrived: dict[int, Any] = {}
            k = 0
            for i, value in stream(client, lemma_task, calls):
                arrived[i] = value
                while k in arrived:
                    yield _lemma_result(arrived.pop(k), lemmas[k])
                    k += 1

        yield check


@contextmanager
def equivalence_checker(scheduler: str | None, jobs: int, a: Any, b: Any, box: Box,
                        strategy: str = "auto") -> Iterator[LemmaChecker | None]:
    """The :func:`lemma_checker` of an equivalence question, or None when there is nothing to distribute.

    Only the compositional strategy (``compositional``, or ``auto`` on a spiking and a ReLU
    network) has separate lemmas; without a scheduler, or for a monolithic question, it yields None
    and the question is checked in this process.
    """
    pair = (a, b) if isinstance(a, Network) and isinstance(b, ReluNetwork) else (b, a)
    if not scheduler or strategy == "monolithic" or not (isinstance(pair[0], Network)
                                                         and isinstance(pair[1], ReluNetwork)):
        if scheduler:
            scheduler_address(scheduler)  # a bad address is still bad input
        yield None
        return
    with lemma_checker(scheduler, jobs, pair[0], pair[1], box) as check:
        yield check


def lemma_task(snn_doc: Mapping[str, Any], relu_doc: Mapping[str, Any], box_doc: Sequence[Sequence[str]], k: int,
               label: str, options: Mapping[str, Any]) -> dict:
    """Check lemma ``k`` of the compositional proof on a worker; its result as a JSON document."""
    with _ONE_AT_A_TIME:
        try:
            lemmas = _lemmas(json.dumps([snn_doc, relu_doc, box_doc], sort_keys=True))
            if k >= len(lemmas) or lemmas[k].label != label:
                return {"internal_error": f"lemma {k} on the worker is not {label!r}: the lemmas were built differently"}
            fresh_context()
            result = check_lemma(lemmas[k], SolverOptions(**options))
        except InternalError as exc:
            return {"internal_error": str(exc)}
        except VerisnnError as exc:
            return _invalid(exc)
        return {"result": result.to_json(), "seconds": result.seconds}


@functools.lru_cache(maxsize=4)
def _lemmas(text: str) -> tuple[Lemma, ...]:
    """The lemmas of one (snn, relu, box) triple, built once per worker process."""
    snn_doc, relu_doc, box_doc = json.loads(text)
    box = Box(tuple(parse_rational(a, "box bound") for a, _ in box_doc),
              tuple(parse_rational(b, "box bound") for _, b in box_doc))
    return tuple(compositional_lemmas(network_from_json(snn_doc), relu_from_json(relu_doc), box))


def _lemma_result(value: Any, lemma: Lemma) -> Result:
    if isinstance(value, Exception):
        return Result(f"lemma {lemma.label}", Verdict.UNKNOWN, 0.0,
                      reason=f"the lemma's workers died ({type(value).__name__}; out of memory?)")
    _raise_errors(value)
    return result_from_json(value["result"], value["seconds"])


# --- region enumeration: one task per subtree of the split tree -------------------------------------------------
#: frontier cells per worker thread to start with; large subtrees are split further while they are walked
SUBTREES_PER_WORKER = 4


@contextmanager
def subtree_walker(scheduler: str, jobs: int) -> Iterator[tuple[Distribute, int]]:
    """``(distribute, frontier)`` for :func:`~verisnn.analyses.regions.enumerate_regions` on a Dask cluster.

    ``distribute`` runs every subtree task (:func:`~verisnn.analyses.regions.subtrees.subtree_task`)
    on the cluster, hands each answer back as it arrives and submits each task the answer
    yields at once; ``frontier`` asks for :data:`SUBTREES_PER_WORKER` subtrees per worker thread.  A task
    whose input is bad raises :class:`InvalidInput`, an internal error :class:`InternalError`; an
    undecided LP question or a task whose workers kept dying raises :class:`LPUndecided` (the
    count is then unknown).  An error cancels the other tasks.
    """
    distributed = _distributed()
    with connect(scheduler, jobs) as client:
        threads = max(1, sum(client.nthreads().values()))

        def distribute(tasks: Sequence[Mapping[str, Any]],
                       answer: Callable[[int, Mapping[str, Any]], Iterable[Mapping[str, Any]]]) -> None:
            index: dict[Any, int] = {}  # the tasks not answered yet, by their number
            running = distributed.as_completed()
            submitted = [0]

            def submit(doc: Mapping[str, Any]) -> None:
                future = client.submit(subtree_task, doc, retries=RETRIES, pure=False)
                index[future] = submitted[0]
                submitted[0] += 1
                running.add(future)

            for doc in tasks:
                submit(doc)
            try:
                for future in running:
                    try:
                        value = future.result()
                    except distributed.KilledWorker as exc:
                        value = exc
                    for doc in answer(index.pop(future), _subtree_answer(value)):
                        submit(doc)
                    future.release()  # its answer is merged: the cluster may forget it
            finally:
                client.cancel(list(index))

        yield distribute, SUBTREES_PER_WORKER * threads


def subtree_task(doc: Mapping[str, Any]) -> dict:
    """Walk one subtree of the split tree on a worker: ``{"result": doc}``, or what went wrong (JSON)."""
    with _ONE_AT_A_TIME:
        try:
            return {"result": walk_subtree(doc)}
        except LPUndecided as exc:
            return {"undecided": str(exc) or "LP undecided"}
        except InternalError as exc:
            return {"internal_error": str(exc)}
        except VerisnnError as exc:
            return _invalid(exc)


def _subtree_answer(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Exception):
        raise LPUndecided(f"a subtree's workers died ({type(value).__name__}; out of memory?)")
    _raise_errors(value)
    if "undecided" in value:
        raise LPUndecided(value["undecided"])
    return value["result"]


# --- verify: one task per property -------------------------------------------------------------------------
def verify_task(net_doc: Mapping[str, Any], relu: bool, text: str, name: str, options: Mapping[str, Any],
                twin_doc: Mapping[str, Any] | None) -> dict:
    """Decide one VNN-LIB property (its text) on a worker; the result as a JSON document.

    The network (and the twin) travel in the JSON file formats; the worker replays every
    counterexample exactly, as a serial run does.
    """
    from verisnn.analyses.verify import verify
    from verisnn.io.vnnlib import parse_vnnlib

    with _ONE_AT_A_TIME:
        try:
            net = relu_from_json(net_doc) if relu else network_from_json(net_doc)
            twin = relu_from_json(twin_doc) if twin_doc is not None else None
            fresh_context()
            result = verify(net, parse_vnnlib(text, name), SolverOptions(**options), twin)
        except InternalError as exc:
            return {"internal_error": str(exc)}
        except VerisnnError as exc:
            return _invalid(exc)
        return {"result": result.to_json(), "seconds": result.seconds}


def verify_properties(scheduler: str, jobs: int, net: Network | ReluNetwork, properties: Sequence[Any],
                      texts: Sequence[str], options: SolverOptions, twin: ReluNetwork | None = None
                      ) -> Iterator[tuple[int, Result]]:
    """Decide every property (parsed, with its VNN-LIB text) on the cluster; ``(index, result)`` as each finishes.

    A refuted result's counterexample is checked against its property again here.
    """
    relu = isinstance(net, ReluNetwork)
    doc = relu_to_json(net) if relu else network_to_json(net)  # type: ignore[arg-type]
    twin_doc = relu_to_json(twin) if twin is not None else None
    calls = [(doc, relu, text, prop.name, asdict(options), twin_doc) for prop, text in zip(properties, texts)]
    with connect(scheduler, jobs) as client:
        for i, value in stream(client, verify_task, calls):
            prop = properties[i]
            if isinstance(value, Exception):
                yield i, Result(prop.name, Verdict.UNKNOWN, 0.0,
                                reason=f"the task's workers died ({type(value).__name__}; out of memory?)")
                continue
            _raise_errors(value)
            result = result_from_json(value["result"], value["seconds"])
            ce = result.counterexample
            if result.verdict is Verdict.REFUTED and (ce is None or not prop.holds(ce.inputs[0], ce.outputs[0])
                                                      or (relu and tuple(net(ce.inputs[0])) != ce.outputs[0])):
                raise InternalError(f"{prop.name}: a worker's counterexample does not satisfy the property here")
            yield i, result


def result_from_json(doc: Mapping[str, Any], seconds: float | None = None) -> Result:
    """Rebuild a :class:`Result` from its JSON document (exact numbers from their text; details as JSON)."""
    cex = doc.get("counterexample")
    return Result(
        doc["claim"], Verdict[doc["verdict"].upper()], float(doc.get("seconds", 0.0) if seconds is None else seconds),  # timing
        counterexample=_counterexample(cex) if cex is not None else None, reason=doc.get("reason", ""),
        size=dict(doc.get("size", {})), mode=doc.get("mode", "instance"), details=dict(doc.get("details", {})),
    )


def _counterexample(doc: Mapping[str, Any]) -> Counterexample:
    return Counterexample(
        tuple(tuple(_time(v) for v in x) for x in doc["inputs"]),
        tuple(tuple(_time(v) for v in y) for y in doc["outputs"]),
        doc["relation"],
        network=doc.get("network"),
        parameters={k: parse_rational(v, f"parameter {k!r}", InternalError) for k, v in doc.get("parameters", {}).items()},
    )


def _time(text: str) -> Time | None:
    if text == "silent":  # what the JSON form writes for a missing time
        return None
    return parse_time(text, "a time in a worker's result", InternalError)


__all__ = ["LOCAL", "connect", "equivalence_checker", "lemma_checker", "lemma_task", "prove_task", "result_from_json", "run",
           "scheduler_address", "stream", "subtree_task", "subtree_walker", "verify_properties", "verify_task"]
