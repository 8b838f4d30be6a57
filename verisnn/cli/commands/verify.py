"""``verisnn verify NET PROP.vnnlib [PROP ...]``: VNN-LIB properties on a ReLU network or a spiking network."""

from __future__ import annotations

import sys
from fractions import Fraction

import click

from verisnn.analyses.verify import verify, vnncomp_text
from verisnn.cli.options import json_option, network_argument, solver_options
from verisnn.cli.render import echo_json, result_doc, vector
from verisnn.core.model import ReluNetwork
from verisnn.core.results import Verdict, worst
from verisnn.io import load, load_relu, write_text
from verisnn.io.vnnlib import load_vnnlib
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
@json_option
def verify_command(net: str, properties: tuple[str, ...], options: SolverOptions, vnncomp: str | None,
                   twin: str | None, as_json: bool) -> None:
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
    for k, (path, prop) in enumerate(zip(properties, props), start=1):
        result = verify(network, prop, options, twin_net)
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


def _short(values: tuple) -> bool:
    return all(isinstance(v, float) or Fraction(v).denominator < 10**6 for v in values)


def _approx(values: tuple) -> str:
    return "[" + ", ".join(f"{float(v):.6g}" for v in values) + "]"  # display only: the exact values are in --json


COMMANDS = [verify_command]
