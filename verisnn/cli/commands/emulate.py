"""``verisnn emulate`` (ReLU network -> coded SNN, C7) and ``verisnn equiv`` (exact equivalence on a box)."""

from __future__ import annotations

import sys
import time

import click

from verisnn.analyses.emulation import emulate, min_delta
from verisnn.cli.options import domain_option, json_option, solver_options
from verisnn.cli.render import echo_json, show
from verisnn.core.domain import parse_domain
from verisnn.core.errors import InvalidInput, plural
from verisnn.core.kernels import BUILTINS, Kernel
from verisnn.core.model import ReluNetwork
from verisnn.core.numbers import fmt
from verisnn.io import load, load_relu, save_network
from verisnn.solvers import SolverOptions


@click.command("emulate")
@click.argument("relu", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Where to write the coded spiking network (JSON, docs/formats.md).")
@domain_option(required=True, help="Input box the emulation must be exact on: lo:hi for every input, or one per "
                                   "input.")
@click.option("--kernel", "kernel_name", default="linear", show_default=True,
              type=click.Choice(["linear", *BUILTINS]),
              help="Response kernel of the spiking network (docs/model.md).")
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
    click.echo(f"wrote {output}: {plural(s.neurons, 'neuron')}, {plural(s.layers, 'spiking layer')}, "
               f"{plural(s.references, 'reference')}, {plural(s.synapses, 'synapse')}")
    click.echo(f"  from a ReLU network with N={plural(s.relu_units, 'ReLU unit')}, L={plural(s.depth, 'affine layer')}, "
               f"d={plural(s.input_dim, 'input')}, {plural(s.outputs, 'output')} "
               f"(neurons 2N+n, layers 2L-1, references <= 2L-1)")
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
@domain_option(required=True, help="Input box (values): lo:hi for every input, or one interval per input.")
@click.option("--strategy", type=click.Choice(["auto", "monolithic", "compositional"]), default="auto",
              show_default=True, help="auto: compositional for an emulation and its ReLU network, else monolithic.")
@solver_options(timeout=300.0)
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.option("--scheduler", metavar="tcp://HOST:PORT|local", default=None,
              help="Check the compositional lemmas on a Dask cluster, one task each; see docs/cluster.md.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True,
              help="Workers of --scheduler local.")
@json_option
def equiv_command(first: str, second: str, domain: str, strategy: str, options: SolverOptions, quiet: bool,
                  scheduler: str | None, jobs: int, as_json: bool) -> None:
    """Decide exactly whether FIRST and SECOND compute the same outputs on --domain (docs/verdicts.md).

    Each may be a spiking network (decoded through its codes) or a ReLU network (JSON or .onnx).
    Exit 0 if proved, 1 if refuted (the counterexample is replayed in both exact evaluators) or
    unknown (timeout, or a compositional lemma that does not hold on its intervals).
    """
    from verisnn.analyses.equivalence import check_equivalence
    from verisnn.claims import cluster

    a = load(first)
    b = load(second)
    box = parse_domain(domain, a.dimension)
    progress = None
    if not quiet and not as_json and sys.stderr.isatty():
        progress = _progress()
    with cluster.equivalence_checker(scheduler, jobs, a, b, box, strategy) as check:
        result = check_equivalence(a, b, box, strategy, options, progress, check)
    if progress is not None:
        click.echo("", err=True)
    kinds = " vs ".join("ReLU" if isinstance(n, ReluNetwork) else "SNN" for n in (a, b))
    show(result, as_json, extra={"first": first, "second": second, "domain": box.to_json()},
         suffix=f" [{kinds}, {result.details.get('strategy', strategy)}, {result.seconds:.2f}s]",
         labels=("first", "second"))


def _progress():
    start = time.perf_counter()  # timing

    def show(done: int, total: int, label: str) -> None:
        elapsed = time.perf_counter() - start  # timing
        click.echo(f"\r  lemma {done}/{total} ({elapsed:.1f}s) {label[:50]:<50}", err=True, nl=False)

    return show
