"""The claim runner: runs claims at their sizes, in this process or in worker processes.

Each (claim, size) pair is one task.  With ``jobs > 1`` tasks run in separate processes (claims
are re-discovered there from the same files), so one long NRA query does not hold up the table.
A solver limit is a claim's own *unknown* result; a claim that runs out of memory or recursion
depth is reported *unknown* with the reason.  A claim that raises
:class:`~verisnn.core.errors.VerisnnError` (a network file it names does not exist, a malformed
size) is a user error: it propagates as :class:`~verisnn.core.errors.InvalidInput` naming the
claim and its file.  An :class:`~verisnn.core.errors.InternalError` (an encoding that disagrees
with the simulator) is never turned into a verdict and propagates.  Ctrl-C stops the workers
(which ignore SIGINT themselves, so they print nothing) and raises ``KeyboardInterrupt``.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from verisnn.claims.registry import Claim, Outcome, RunContext, discover
from verisnn.core.errors import InternalError, InvalidInput, VerisnnError
from verisnn.core.results import Result, Verdict
from verisnn.smt.context import fresh_context


@dataclass(frozen=True)
class Task:
    claim: Claim
    size: Mapping[str, Any]


def tasks_for(claims: Sequence[Claim], size_override: Mapping[str, Any] | None = None) -> list[Task]:
    """One task per claim and default size (or per claim at ``size_override``)."""
    out = []
    for c in claims:
        sizes = [dict(size_override)] if size_override else list(c.sizes)
        out.extend(Task(c, s) for s in sizes)
    return out


def run_task(claim: Claim, size: Mapping[str, Any], ctx: RunContext) -> Result:
    """Run one claim at one size; running out of memory or depth is *unknown*, a user error is InvalidInput."""
    fresh_context()  # the same result whatever ran before in this process (serial, pool or cluster worker)
    t0 = time.perf_counter()
    try:
        result = claim.run(dict(size), ctx)
    except InternalError:
        raise
    except VerisnnError as exc:
        where = f" in {claim.file}" if claim.file else ""
        raise InvalidInput(f"claim {claim.id}{where}: {exc}") from None
    except (MemoryError, RecursionError) as exc:
        return Result(claim.id, Verdict.UNKNOWN, time.perf_counter() - t0, reason=f"{type(exc).__name__}: {exc}",
                      size=dict(size), mode=claim.mode)
    if not isinstance(result, Result):
        raise InternalError(f"claim {claim.id} returned {type(result).__name__}, not a Result")
    # the claim declares its mode and size; results built by generic solvers do not know them
    return replace(result, subject=claim.id, mode=claim.mode, size=dict(result.size) or dict(size))


def _quiet_worker() -> None:
    """Workers leave Ctrl-C to the parent, which stops them; so they never print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker(paths: Sequence[str], claim_id: str, size: Mapping[str, Any], ctx: RunContext) -> Result:
    claims = {c.id: c for c in discover(paths)}
    return run_task(claims[claim_id], size, ctx)


def run(
    tasks: Sequence[Task],
    ctx: RunContext,
    jobs: int = 1,
    paths: Sequence[str | Path] = (),
    on_start: Callable[[Task], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run ``tasks``; report progress through the callbacks; outcomes in task order."""
    outcomes: dict[int, Outcome] = {}
    if jobs <= 1 or len(tasks) <= 1:
        for i, task in enumerate(tasks):
            if on_start:
                on_start(task)
            outcomes[i] = Outcome(task.claim, run_task(task.claim, task.size, ctx))
            if on_done:
                on_done(outcomes[i])
        return [outcomes[i] for i in range(len(tasks))]
    str_paths = [str(p) for p in paths]
    pool = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_quiet_worker)
    try:
        futures = {}
        for task in _longest_first(tasks):
            futures[pool.submit(_worker, str_paths, task.claim.id, task.size, ctx)] = (tasks.index(task), task)
            if on_start:
                on_start(task)
        for fut in cf.as_completed(futures):
            i, task = futures[fut]
            try:
                result = fut.result()
            except BrokenProcessPool:  # a worker died (out of memory, killed): its task is unknown
                result = Result(task.claim.id, Verdict.UNKNOWN, 0.0, reason="the worker process died (out of memory?)",
                                size=dict(task.size), mode=task.claim.mode)
            outcomes[i] = Outcome(task.claim, result)
            if on_done:
                on_done(outcomes[i])
    except BaseException:  # Ctrl-C, a user error in a claim, a bug: stop the other tasks now, not after them
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return [outcomes[i] for i in range(len(tasks))]


def _stop(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel what has not started, end the running workers, and release the pool's queues."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        if process.is_alive():
            process.terminate()
    for process in workers:
        process.join(timeout=5)


def _longest_first(tasks: Sequence[Task]) -> Iterator[Task]:
    """Parametric claims first: they are the slow ones, so start them early."""
    yield from sorted(tasks, key=lambda t: t.claim.mode != "parametric")
