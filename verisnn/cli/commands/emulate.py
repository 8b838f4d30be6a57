"""``verisnn emulate`` (ReLU network -> coded SNN, C7) and ``verisnn equiv`` (exact equivalence on a box)."""

from __future__ import annotations

import sys
import time

import click

from verisnn.core.domain import parse_domain
from verisnn.analyses.emulate import emulate, min_delta
from verisnn.core.errors import InvalidInput
from verisnn.io.formats import load_any, load_relu, save_network
from verisnn.core.kernels import BUILTINS, Kernel
from verisnn.core.model import ReluNetwork
from verisnn.core.numbers import fmt
from verisnn.core.results import Verdict, jsonable
from verisnn.solvers import SolverOptions
from verisnn.cli.commands.common import echo_json, json_option


@click.command("emulate")
@click.argument("relu", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Where to write the coded spiking network (JSON).")
@click.option("--domain", "-d", required=True, metavar="LO:HI[,LO:HI...]",
              help="Input box the emulation must be exact on: lo:hi for every input, or one per input.")
@click.option("--kernel", "kernel_name", default="linear", show_default=True,
              type=click.Choice(["linear", "box", "saturating", "triangle"]),
              help="Response kernel of the spiking network.")
@click.option("--delta", default=None, metavar="D",
              help="delta of a finite kernel (default for saturating/triangle: the smallest exact one).")
@json_option
def emulate_command(relu: str, output: str, domain: str, kernel_name: str, delta: str | None, as_json: bool) -> None:
    """Build a coded SNN equal to the ReLU network RELU (JSON or .onnx) exactly on --domain (claim C7).

    Inputs use the positive code with base 0 (input x spikes at time x); outputs use negative
    codes (value = base - firing time).  Outside the box the SNN may differ: prove the result
    with `verisnn equiv SNN RELU --domain ...`.
    """
    network = load_relu(relu)
    box = parse_domain(domain, network.dimension)
    em = emulate(network, box)
    gap, gap_exact = min_delta(em, exact=kernel_name != "linear")
    if kernel_name != "linear":
        kernel = _finite_kernel(kernel_name, delta, gap, gap_exact)
        em = emulate(network, box, kernel)
    save_network(em.network, output)
    doc = {
        "output": output,
        "size": em.size.to_json(),
        "bases": [fmt(b) for b in em.bases],
        "kernel": em.network.kernel.to_json(),
        "min_delta": fmt(gap),
        "min_delta_exact": gap_exact,
        "domain": box.to_json(),
    }
    if as_json:
        echo_json(doc)
        return
    s = em.size
    click.echo(f"wrote {output}: {s.neurons} neurons, {s.layers} spiking layers, {s.references} references, "
               f"{s.synapses} synapses")
    click.echo(f"  from a ReLU network with N={s.relu_units} ReLU units, L={s.depth} affine layers, d={s.input_dim} "
               f"inputs, {s.outputs} outputs (neurons 2N+n, layers 2L-1, references <= 2L-1)")
    click.echo(f"  exact on {box}; finite kernels need delta {'>=' if gap_exact else '>= (bound)'} {fmt(gap)}")


def _finite_kernel(name: str, delta: str | None, gap, gap_exact: bool) -> Kernel:
    if delta is None:
        if name == "box":
            raise InvalidInput(f"the box kernel needs --delta greater than {fmt(gap)} (the largest causal gap)")
        return BUILTINS[name](gap)
    return BUILTINS[name](delta)


@click.command("equiv")
@click.argument("first", type=click.Path(dir_okay=False))
@click.argument("second", type=click.Path(dir_okay=False))
@click.option("--domain", "-d", required=True, metavar="LO:HI[,LO:HI...]", help="Input box (values).")
@click.option("--strategy", type=click.Choice(["auto", "monolithic", "compositional"]), default="auto",
              show_default=True, help="auto: compositional for an emulation and its ReLU network, else monolithic.")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Wall-clock seconds per solver call.")
@click.option("--solver", type=click.Choice(["z3", "cvc5", "both"]), default="z3", show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@json_option
def equiv_command(first: str, second: str, domain: str, strategy: str, timeout: float, solver: str, quiet: bool,
                  as_json: bool) -> None:
    """Decide exactly whether FIRST and SECOND compute the same outputs on --domain.

    Each may be a spiking network (decoded through its codes) or a ReLU network (JSON or .onnx).
    Exit 0 if proved, 1 if refuted (the counterexample is replayed in both exact evaluators) or
    unknown (timeout, or a compositional lemma that does not hold on its intervals).
    """
    from verisnn.analyses.equiv import check_equivalence

    a = load_any(first)
    b = load_any(second)
    dim = a.dimension
    box = parse_domain(domain, dim)
    options = SolverOptions(solver=solver, timeout=timeout)
    progress = None
    if not quiet and not as_json and sys.stderr.isatty():
        progress = _progress()
    result = check_equivalence(a, b, box, strategy, options, progress)
    if progress is not None:
        click.echo("", err=True)
    if as_json:
        doc = result.to_json()
        doc["first"] = first
        doc["second"] = second
        doc["domain"] = box.to_json()
        echo_json(jsonable(doc))
    else:
        kinds = " vs ".join("ReLU" if isinstance(n, ReluNetwork) else "SNN" for n in (a, b))
        click.echo(f"{result} [{kinds}, {result.details.get('strategy', strategy)}, {result.seconds:.2f}s]")
        if result.verdict is Verdict.REFUTED and result.counterexample is not None:
            ce = result.counterexample
            click.echo(f"  x = [{', '.join(fmt(v) for v in ce.inputs[0])}]")
            click.echo(f"  first:  [{', '.join(fmt(v) for v in ce.outputs[0])}]")
            click.echo(f"  second: [{', '.join(fmt(v) for v in ce.outputs[1])}]")
    sys.exit(0 if result.verdict is Verdict.PROVED else 1)


def _progress():
    start = time.perf_counter()  # timing

    def show(done: int, total: int, label: str) -> None:
        elapsed = time.perf_counter() - start  # timing
        click.echo(f"\r  lemma {done}/{total} ({elapsed:.1f}s) {label[:50]:<50}", err=True, nl=False)

    return show


COMMANDS = [emulate_command, equiv_command]
