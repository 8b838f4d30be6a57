"""The ``verisnn`` command line (click).  Commands live in :mod:`verisnn.commands`, one module each.

Exit codes (SPEC §5): 0 proved / ok, 1 refuted or unknown, 2 bad input or usage (one line on
stderr, no traceback), 3 internal error (a bug in verisnn; set VERISNN_DEBUG=1 for a traceback).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from verisnn import __version__
from verisnn.core.errors import InternalError, VerisnnError

COMMAND_MODULES = ("simulate", "check", "prove", "emulate", "regions")


class VerisnnGroup(click.Group):
    """A group that turns user errors into exit code 2 with one line on stderr."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VerisnnError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except InternalError as exc:
            if os.environ.get("VERISNN_DEBUG"):
                raise
            click.echo(f"internal error (a bug in verisnn, please report): {exc}", err=True)
            sys.exit(3)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:  # e.g. `verisnn regions ... | head`: the reader left, nothing to report
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:  # a file the user named cannot be read or written
            where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
            click.echo(f"error: cannot use{where}: {exc.strerror or exc}", err=True)
            sys.exit(2)
        except RecursionError:
            click.echo("error: network too deep for this command", err=True)
            sys.exit(2)
        except Exception as exc:
            if os.environ.get("VERISNN_DEBUG"):
                raise
            click.echo(f"internal error (a bug in verisnn, please report): {type(exc).__name__}: {exc}", err=True)
            sys.exit(3)


@click.group(cls=VerisnnGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="verisnn")
def main() -> None:
    """verisnn: formal verification of spiking neural networks (SRM, linear response).

    Networks compute with firing times; verisnn simulates them exactly (rationals), proves or
    refutes properties with SMT solvers (z3, cvc5), and checks the claims of the SNN
    expressivity papers.  Exit codes: 0 proved/ok, 1 refuted/unknown, 2 bad input.
    """


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f".commands.{_name}", __package__)
    except ModuleNotFoundError as _exc:  # a command whose module is not written yet
        if _exc.name != f"{__package__}.commands.{_name}":
            raise
        continue
    for _cmd in getattr(_module, "COMMANDS", ()):
        main.add_command(_cmd)
