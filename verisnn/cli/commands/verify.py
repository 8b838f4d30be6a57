"""``verisnn verify NET PROP.vnnlib [PROP ...]``: VNN-LIB properties on a ReLU network or a spiking network."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import click

from verisnn.analyses.verify import verify, vnncomp_text
from verisnn.cli.options import json_option, network_argument, solver_options
from verisnn.cli.render import echo_json, result_doc, vector
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.results import Result, Verdict, worst
from verisnn.io import load, load_relu, write_text
from verisnn.io.vnnlib import Property, load_vnnlib
from verisnn.solvers import SolverOptions


@click.command("verify")
@network_argument
@click.argument("properties", nargs=-1, required=True, type=click.Path(dir_okay=False))
@solver_options
@click.option("--vnncomp-result", "vnncomp", type=click.Path(dir_okay=False), default=None,
              help="Write the VNN-COMP result file (unsat / sat with the counterexample / unknown / timeout); "
                   "with several properties, one file per property: FILE.1, FILE.2, ...")
@click.option("--twin", type=click.Path(dir_okay=False), default=None,
              help="For a spiking NET: a ReLU network (JSON or .onnx) to decide the property on; a proof "
                   "transfers only with an exact proof that NET equals it on the property's box.")
@click.option("--scheduler", metavar="tcp://HOST:PORT|local", default=None,
              help="Decide the properties on a Dask cluster, one task per property ('local': a cluster of --jobs "
                   "workers on this machine); the results are the serial run's. See docs/cluster.md.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True,
              help="Workers of --scheduler local (one thread each); ignored without --scheduler and for tcp://.")
@json_option
def verify_command(net: str, properties: tuple[str, ...], options: SolverOptions, vnncomp: str | None,
                   twin: str | None, scheduler: str | None, jobs: int, as_json: bool) -> None:
    """Decide VNN-LIB PROPERTIES on NET: a ReLU network (JSON or .onnx), an SNN or a coded SNN (JSON).

    X_i / Y_j are the network's inputs and outputs: values for a ReLU network and a coded SNN, spike
    times for an SNN (a silent output is +inf).  The assertions describe a counterexample:
    'proved' = VNN-COMP unsat (none exists), 'refuted' = sat (the exact counterexample, re-evaluated
    exactly), 'unknown' with the reason.  Exit 0 if every property is proved, 1 otherwise, 2 on bad
    input.  See docs/verify.md.
    """
    network = load(net)
    twin_net = load_relu(twin) if twin is not None else None
    props = [load_vnnlib(p) for p in properties]  # every file is read before anything is decided
    kind = "ReLU" if isinstance(network, ReluNetwork) else ("coded SNN" if network.codes is not None else "SNN")
    results = []
    decided = _decide(network, props, properties, options, twin_net, scheduler, jobs)
    for k, (path, prop, result) in enumerate(zip(properties, props, decided), start=1):
        results.append(result)
        if vnncomp is not None:
            target = vnncomp if len(props) == 1 else f"{vnncomp}.{k}"
            write_text(target, vnncomp_text(result), "VNN-COMP result file")
        if as_json:
            continue
        how = result.details.get("method", "")
        click.echo(f"{result.verdict} {path} [{kind}, {how}, {result.seconds:.2f}s]"
                   + (f": {result.reason}" if result.reason and result.verdict is not Verdict.REFUTED else ""))
        if result.counterexample is not None:
            ce = result.counterexample
            for side, values in (("X", ce.inputs[0]), ("Y", ce.outputs[0])):
                click.echo(f"  {side} = {vector(values)}" if _short(values) else f"  {side} ~ {_approx(values)}  "
                           f"(exact values: --json or --vnncomp-result)")
    if as_json:
        docs = [result_doc(r, "property", {"file": p, "network": net, "kind": kind}) for p, r in zip(properties, results)]
        echo_json(docs[0] if len(docs) == 1 else {"results": docs, "verdict": str(worst([r.verdict for r in results]))})
    sys.exit(0 if worst([r.verdict for r in results]) is Verdict.PROVED else 1)


def _decide(network: Network | ReluNetwork, props: list[Property], paths: tuple[str, ...], options: SolverOptions,
            twin: ReluNetwork | None, scheduler: str | None, jobs: int) -> Iterator[Result]:
    """The properties' results in file order: here one by one, or on the cluster (printed in order as they arrive)."""
    if scheduler is None:
        for prop in props:
            yield verify(network, prop, options, twin)
        return
    from verisnn.claims import cluster

    texts = [Path(p).read_text() for p in paths]  # the workers may not see these files: the text travels
    done: dict[int, Result] = {}
    nxt = 0
    for i, result in cluster.verify_properties(scheduler, jobs, network, props, texts, options, twin):
        done[i] = result
        while nxt in done:
            yield done.pop(nxt)
            nxt += 1


def _short(values: tuple) -> bool:
    return all(isinstance(v, float) or Fraction(v).denominator < 10**6 for v in values)


def _approx(values: tuple) -> str:
    return "[" + ", ".join(f"{float(v):.6g}" for v in values) + "]"  # display only: the exact values are in --json


COMMANDS = [verify_command]
