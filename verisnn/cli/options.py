"""Click options shared by the commands, so that every command spells them the same way.

``solver_options`` adds ``--solver`` (choices from :data:`verisnn.solvers.NAMES`), ``--timeout`` and
``--rlimit`` (and ``--smt2`` when asked) and hands the command one ``options: SolverOptions`` keyword.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from verisnn.solvers import NAMES, SolverOptions

network_argument = click.argument("net", type=click.Path(dir_okay=False))


def json_option(f: Callable) -> Callable:
    """``--json``: the command prints one JSON document on stdout (keyword ``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")(f)


def domain_option(required: bool = True, help: str | None = None) -> Callable[[Callable], Callable]:
    """``--domain/-d LO:HI[,LO:HI...]`` (keyword ``domain``, text; parse it with ``parse_domain``)."""
    text = help or "Box of input times: lo:hi for every input, or one interval per input (see docs/formats.md)."
    return click.option("--domain", "-d", "domain", required=required, metavar="LO:HI[,LO:HI...]", help=text)


def solver_options(f: Callable | None = None, *, timeout: float = 60.0,
                   smt2: bool = False) -> Callable[..., Any]:
    """Add ``--solver``, ``--timeout``, ``--rlimit`` (and ``--smt2`` if ``smt2``); pass ``options=SolverOptions``.

    Use as ``@solver_options`` or ``@solver_options(timeout=300.0, smt2=True)`` below ``@click.command``.
    """
    with_smt2 = smt2

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def wrapper(*args: Any, solver: str, timeout: float, rlimit: int | None, smt2: str | None = None,
                    **kwargs: Any) -> Any:
            return command(*args, options=SolverOptions(solver, timeout, rlimit, smt2), **kwargs)

        added = [
            click.option("--solver", type=click.Choice(list(NAMES)), default=NAMES[0], show_default=True,
                         help="SMT solver; 'both' re-checks every query with cvc5 and fails on disagreement."),
            click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=timeout,
                         show_default=True,
                         help="Wall-clock seconds per solver call; a timeout gives 'unknown', never 'proved'."),
            click.option("--rlimit", type=click.IntRange(min=1), default=None,
                         help="Deterministic z3 resource limit per solver call (reproducible runs)."),
        ]
        if with_smt2:
            added.append(click.option("--smt2", type=click.Path(dir_okay=False), default=None,
                                      help="Also write the query as SMT-LIB 2 to this file (re-check it with "
                                           "any solver)."))
        for option in reversed(added):
            wrapper = option(wrapper)
        return wrapper

    return decorate(f) if f is not None else decorate
