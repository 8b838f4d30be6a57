"""``verisnn check``: decide one property of a network on a box."""

from __future__ import annotations

import click

from verisnn.analyses.properties import PROPERTIES, check_property
from verisnn.cli.options import domain_option, json_option, network_argument, solver_options
from verisnn.cli.render import show
from verisnn.core.domain import parse_domain
from verisnn.io import load_network
from verisnn.solvers import SolverOptions


@click.command("check")
@network_argument
@click.option("--property", "-p", "prop", required=True, metavar="P",
              help=f"One of {', '.join(PROPERTIES)}; lipschitz=L sets the constant (default 1).")
@domain_option(required=True)
@solver_options(smt2=True)
@json_option
def check_command(net: str, prop: str, domain: str, options: SolverOptions, as_json: bool) -> None:
    """Prove or refute property P of NET on a box of input times (see docs/verdicts.md).

    Verdicts: proved (the negated property is unsatisfiable on the whole box), refuted (a
    counterexample the exact simulator reproduces, printed with the violated relation), unknown
    (timeout or solver unknown; never proved).  Continuity is decided exactly, with a jump witness.
    Exit 0 proved, 1 refuted/unknown, 2 bad input.
    """
    network = load_network(net)
    box = parse_domain(domain, network.dimension)
    result = check_property(network, prop, box, options)
    show(result, as_json, subject="property", extra={"domain": box.to_json()})
