"""``verisnn prove`` and ``verisnn list``: the claim table of docs/claims.md."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import click

from verisnn.claims import cluster
from verisnn.claims.registry import RunContext, discover, select, sized
from verisnn.claims.runner import Task, run, tasks_for
from verisnn.cli.options import json_option, solver_options
from verisnn.cli.render import echo_json
from verisnn.core.errors import InvalidInput, plural
from verisnn.io.files import make_directory
from verisnn.solvers import SolverOptions

path_option = click.option(
    "--path", "paths", multiple=True, type=click.Path(exists=False),
    help="Claim file or directory to load instead of the bundled theorems/ (repeatable).",
)


def _size(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        size = json.loads(text)
    except json.JSONDecodeError:
        size = {}
        for part in re.split(r",(?=\s*[A-Za-z_]\w*\s*=)", text):  # widths=[2,3,1],seed=0: split before keys
            key, sep, value = part.partition("=")
            if not sep:
                raise InvalidInput(f"--size must be JSON or key=value pairs like d=3,m=2, got {text!r}") from None
            if not value.strip():
                raise InvalidInput(f"--size value for {key.strip()!r} is empty in {text!r}")
            try:
                size[key.strip()] = json.loads(value)
            except json.JSONDecodeError:
                size[key.strip()] = value.strip()  # a bare word, e.g. kernel=box
    if not isinstance(size, dict):
        raise InvalidInput(f"--size must describe an object, got {text!r}")
    return size


def _size_text(size: dict) -> str:
    return ",".join(f"{k}={json.dumps(v, separators=(',', ':'))}" for k, v in size.items()) or "-"


def _one_line(outcome) -> str:
    r = outcome.result
    if r.counterexample is not None:
        text = str(r.counterexample)
    else:
        text = r.reason
    return text if len(text) <= 110 else text[:107] + "..."


@click.command("prove")
@click.argument("claims", nargs=-1)
@path_option
@click.option("--size", "size_text", metavar="JSON|k=v,...",
              help="Run the named claims at this size instead of their defaults, e.g. d=3 or '{\"d\": 3}'.")
@solver_options
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True,
              help="Run claims in this many separate processes.")
@click.option("--all", "include_all", is_flag=True, help="Also run claims that are not in the default table.")
@click.option("--certificates", "cert_dir", default=None, type=click.Path(file_okay=False),
              help="Write the certificate of every region claim (C2, C9) into this folder; check one with "
                   "`verisnn certify` (docs/regions.md).")
@click.option("--scheduler", metavar="tcp://HOST:PORT|local", default=None,
              help="Run the checks on a Dask cluster ('local': --jobs local workers); see docs/cluster.md.")
@json_option
def prove_command(claims, paths, size_text, options: SolverOptions, jobs, include_all, cert_dir, scheduler,
                  as_json) -> None:
    """Prove or refute the claims of docs/claims.md for concrete sizes (default: the whole default table).

    CLAIMS are ids like C1 C4; an id also selects its broken variants (C4-signed, ...).  Each
    verdict is compared with the claim's expected verdict; the exit code is 0 when all match,
    1 otherwise.  Broken variants are expected to be refuted: they show that a check can fail.
    """
    size = _size(size_text)
    if size is not None and not claims:
        raise InvalidInput("--size needs the claim ids it applies to, e.g. verisnn prove C9 --size d=4")
    found = discover(paths)
    chosen = select(found, claims) if (claims or not include_all) else found
    if size:
        chosen = sized(chosen, claims, size)
    tasks = tasks_for(chosen, size)
    if cert_dir is not None:
        make_directory(cert_dir, "certificate directory")
    ctx = RunContext(timeout=options.timeout, solver=options.solver, rlimit=options.rlimit,
                     certificates=None if cert_dir is None else str(Path(cert_dir).resolve()))
    total = len(tasks)
    done = [0]
    t0 = time.perf_counter()
    live = not as_json

    def start(task: Task) -> None:
        if live and jobs <= 1:
            click.echo(f"[{done[0] + 1}/{total}] {task.claim.id} {_size_text(task.size)} ...", err=True)

    def finish(outcome) -> None:
        done[0] += 1
        if live:
            mark = "ok" if outcome.matches else "MISMATCH"
            click.echo(f"[{done[0]}/{total}] {outcome.claim.id:<20} {_size_text(dict(outcome.result.size)):<24} "
                       f"{outcome.result.verdict!s:<8} {outcome.result.seconds:7.1f}s  {mark}", err=True)

    if live:
        click.echo(f"running {plural(total, 'check')} of {plural(len(chosen), 'claim')} with {plural(jobs, 'job')}, "
                   f"solver {ctx.solver}, timeout {ctx.timeout:g}s", err=True)
    if scheduler:
        outcomes = cluster.run(tasks, ctx, scheduler, jobs=jobs, paths=paths, on_done=finish)
    else:
        outcomes = run(tasks, ctx, jobs=jobs, paths=paths, on_start=start, on_done=finish)
    ok = all(o.matches for o in outcomes)
    if as_json:
        echo_json({"ok": ok, "seconds": round(time.perf_counter() - t0, 3),
                   "results": [o.to_json() for o in outcomes]})
    else:
        click.echo("")
        header = f"{'claim':<20} {'size':<24} {'mode':<10} {'verdict':<8} {'expected':<8} {'time':>7}  detail"
        click.echo(header)
        click.echo("-" * len(header))
        for o in outcomes:
            r = o.result
            flag = "" if o.matches else "  <-- expected " + str(o.claim.expected)
            click.echo(f"{o.claim.id:<20} {_size_text(dict(r.size)):<24} {r.mode:<10} {r.verdict!s:<8} "
                       f"{o.claim.expected!s:<8} {r.seconds:6.1f}s  {_one_line(o)}{flag}")
        matched = sum(o.matches for o in outcomes)
        click.echo(f"\n{matched}/{len(outcomes)} verdicts as expected in {time.perf_counter() - t0:.1f}s")
    sys.exit(0 if ok else 1)


@click.command("list")
@path_option
@json_option
def list_command(paths, as_json) -> None:
    """List the claims with their modes, default sizes, expected verdicts and sources (paper, theorem)."""
    found = discover(paths)
    if as_json:
        echo_json([{"claim": c.id, "title": c.title, "mode": c.mode, "expected": str(c.expected),
                    "sizes": list(c.sizes), "default": c.default, "broken_of": c.broken_of, "source": c.source}
                   for c in found])
        return
    width = max((len(c.id) for c in found), default=4) + 2
    for c in found:
        sizes = "; ".join(_size_text(dict(s)) for s in c.sizes)
        tag = "" if c.default else " (not in the default table)"
        click.echo(f"{c.id:<{width}} {c.mode:<10} expected {c.expected!s:<8} sizes {sizes}{tag}")
        click.echo(f"{'':<{width}} {c.title}")
        click.echo(f"{'':<{width}} source: {c.source}")

