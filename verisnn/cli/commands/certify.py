"""``verisnn certify``: check a region (or PWL) certificate with the independent checker."""

from __future__ import annotations

import sys

import click

from verisnn.checker import PWL_FORMAT, NotCertificate, StepFailed, check_file
from verisnn.cli.options import json_option
from verisnn.cli.render import StatusLine, echo_json
from verisnn.core.errors import plural


@click.command("certify")
@click.argument("certificate", type=click.Path(dir_okay=False))
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Check the part files of a certificate in parts in this many processes at once.")
@json_option
def certify_command(certificate: str, jobs: int, as_json: bool) -> None:
    """Check CERTIFICATE (verisnn.regions-cert/1 or verisnn.pwl-cert/1) exactly, trusting no solver.

    Exit 0 when the file proves its count (and, for a PWL certificate, that the network is
    piecewise linear with those pieces), 1 naming the first step that fails, 2 when the file is
    not a certificate.  A large certificate comes in parts (the file and the folder <stem>.parts
    next to it); every part it refers to is checked too.  See docs/regions.md.
    """
    status = StatusLine() if not as_json and sys.stderr.isatty() else None

    def progress(done: int, known: int, pieces: int) -> None:
        if status is not None:
            status.show(f"{done} of {plural(known, 'part')} checked, {plural(pieces, 'piece')}")

    try:
        got = check_file(certificate, jobs, progress)
    except NotCertificate as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except StepFailed as exc:
        if status is not None:
            status.done()
        if as_json:
            echo_json({"verdict": "refuted", "certificate": certificate, "failed": str(exc)})
        else:
            click.echo(f"certificate rejected: {exc}")
        sys.exit(1)
    if status is not None:
        status.done()
    if as_json:
        echo_json({"verdict": "proved", "certificate": certificate, "format": got.format, "count": got.count,
                   "pieces": got.pieces, "domain": got.domain, "derived": got.derived, "replayed": got.replayed})
        return
    what = (f"the network is piecewise linear on {got.domain} with {plural(got.pieces, 'piece')} "
            f"({plural(got.count, 'pattern')})" if got.format == PWL_FORMAT else
            f"{plural(got.count, 'region')} on {got.domain} ({plural(got.pieces, 'piece')})")
    click.echo(f"certificate proves: {what}")
    click.echo(f"checked exactly: split tree and Farkas certificates, every interior point replayed; "
               f"{got.derived} of {got.derived + got.replayed} neuron conditions derived by the checker"
               + (f", {got.replayed} checked as listed" if got.replayed else ""))


COMMANDS = [certify_command]
