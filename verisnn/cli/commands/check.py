"""``verisnn check``: decide one property of a network on a box."""

from __future__ import annotations

import sys

import click

from verisnn.core.domain import parse_domain
from verisnn.io.formats import load_network
from verisnn.analyses.properties import PROPERTIES, check_property
from verisnn.core.results import Verdict
from verisnn.solvers import SolverOptions
from verisnn.cli.commands.common import echo_json, json_option, network_argument


@click.command("check")
@network_argument
@click.option("--property", "-p", "prop", required=True, metavar="P",
              help=f"One of {', '.join(PROPERTIES)}; lipschitz=L sets the constant (default 1).")
@click.option("--domain", "-d", "domain", required=True, metavar="LO:HI[,LO:HI...]",
              help="Box of input times: lo:hi for every input, or one interval per input.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Wall-clock seconds per solver call; a timeout gives 'unknown', never 'proved'.")
@click.option("--rlimit", type=click.IntRange(min=1), default=None, help="Deterministic z3 resource limit.")
@click.option("--solver", type=click.Choice(["z3", "cvc5", "both"]), default="z3", show_default=True,
              help="'both' re-checks with cvc5 and fails on disagreement.")
@click.option("--smt2", type=click.Path(dir_okay=False), default=None,
              help="Also write the query as SMT-LIB 2 to this file (re-check it with any solver).")
@json_option
def check_command(net, prop, domain, timeout, rlimit, solver, smt2, as_json) -> None:
    """Prove or refute property P of NET on a box of input times.

    Verdicts: proved (the negated property is unsatisfiable on the whole box), refuted (a
    counterexample the exact simulator reproduces, printed with the violated relation), unknown
    (timeout or solver unknown; never proved).  Continuity is decided exactly, with a jump witness.
    Exit 0 proved, 1 refuted/unknown, 2 bad input.
    """
    network = load_network(net)
    box = parse_domain(domain, network.dimension)
    result = check_property(network, prop, box, SolverOptions(solver, timeout, rlimit, smt2))
    if as_json:
        doc = result.to_json()
        doc["property"] = doc.pop("claim")
        doc["domain"] = box.to_json()
        echo_json(doc)
    else:
        click.echo(str(result))
        if result.counterexample is not None:
            cex = result.counterexample
            for k, (x, y) in enumerate(zip(cex.inputs, cex.outputs)):
                click.echo(f"  input {k}: [{', '.join(map(_f, x))}] -> outputs [{', '.join(map(_f, y))}]")
    sys.exit(0 if result.verdict is Verdict.PROVED else 1)


def _f(v) -> str:
    from verisnn.core.numbers import fmt

    return fmt(v)


COMMANDS = [check_command]
