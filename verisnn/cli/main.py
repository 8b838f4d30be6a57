"""The ``verisnn`` command line (click): an explicit list of commands, one module each in ``commands/``.

Exit codes (docs/verdicts.md): 0 proved / ok, 1 refuted or unknown, 2 bad input or usage (one line on
stderr, no traceback), 3 internal error (a bug in verisnn; set VERISNN_DEBUG=1 for a traceback),
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click

from verisnn import __version__
from verisnn.cli.commands.certify import certify_command
from verisnn.cli.commands.check import check_command
from verisnn.cli.commands.emulate import emulate_command, equiv_command
from verisnn.cli.commands.prove import list_command, prove_command
from verisnn.cli.commands.regions import regions_command
from verisnn.cli.commands.simulate import simulate_command
from verisnn.cli.commands.verify import verify_command
from verisnn.core.errors import InternalError, VerisnnError

COMMANDS = (simulate_command, check_command, prove_command, list_command, emulate_command, equiv_command,
            regions_command, certify_command, verify_command)


def _fail(code: int, message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def _interrupted() -> NoReturn:
    _fail(130, "interrupted")


class VerisnnGroup(click.Group):
    """A group that turns user errors into exit code 2 with one line on stderr."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Usage errors are one line (``error: verisnn CMD: message``), Ctrl-C is exit 130."""
        try:
            value = super().main(args, prog_name or "verisnn", complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "verisnn"
            _fail(2, f"error: {where}: {_one_line(exc.format_message())} (see '{where} --help')")
        except click.exceptions.Abort:
            _interrupted()
        except click.ClickException as exc:
            _fail(exc.exit_code, f"error: {_one_line(exc.format_message())}")
        if not standalone_mode:
            return value
        sys.exit(value if isinstance(value, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VerisnnError as exc:
            _fail(2, f"error: {_one_line(str(exc))}")
        except InternalError as exc:
            if os.environ.get("VERISNN_DEBUG"):
                raise
            _fail(3, f"internal error (a bug in verisnn, please report): {_one_line(str(exc))}")
        except KeyboardInterrupt:
            _interrupted()
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:  # e.g. `verisnn regions ... | head`: the reader left, nothing to report
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:  # a file the user named cannot be read or written
            where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
            _fail(2, f"error: cannot use{where}: {exc.strerror or exc}")
        except RecursionError:
            _fail(2, "error: network too deep for this command")
        except Exception as exc:
            if os.environ.get("VERISNN_DEBUG"):
                raise
            _fail(3, f"internal error (a bug in verisnn, please report): {type(exc).__name__}: {_one_line(str(exc))}")


def _one_line(text: str) -> str:
    return " ".join(text.split())


@click.group(cls=VerisnnGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="verisnn")
def main() -> None:
    """verisnn: formal verification of spiking neural networks (SRM, linear response; docs/model.md).

    Networks compute with firing times; verisnn simulates them exactly (rationals), proves or
    refutes properties with SMT solvers (z3, cvc5), and checks the claims of docs/claims.md.
    Exit codes (docs/verdicts.md): 0 proved/ok, 1 refuted/unknown, 2 bad input, 3 internal error,
    130 interrupted.
    """


for _command in COMMANDS:
    main.add_command(_command)
