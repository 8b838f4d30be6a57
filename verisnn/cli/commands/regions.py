"""``verisnn regions``: exact count of causal (or ReLU activation) regions, the pieces, a certificate, a picture."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from verisnn.analyses.regions import (
    LP_BACKENDS,
    PART_PIECES,
    count_regions,
    parts_folder,
    patterns_by_dimension,
    write_certificate,
)
from verisnn.analyses.regions import prove_cover as cover_proof
from verisnn.analyses.regions import prove_pieces as pieces_proof
from verisnn.cli.options import json_option, network_argument, solver_options
from verisnn.cli.render import StatusLine, echo_json, show_unknown
from verisnn.core import affine as af
from verisnn.core.domain import parse_domain
from verisnn.core.errors import plural
from verisnn.core.model import Network
from verisnn.core.results import Verdict
from verisnn.io import load
from verisnn.solvers import SolverOptions

MAX_LISTED = 40  # pieces printed by default (--list)
MINIMIZE_UP_TO = 2000  # pieces whose redundant constraints are dropped before printing


@click.command("regions")
@network_argument
@click.option("--domain", "-d", "domain_text", default=None, metavar="LO:HI[,LO:HI...]",
              help="Box of input times: lo:hi for every input, or one interval per input (lo:lo fixes an input). "
                   "Default: all of Q^d.")
@click.option("--plot", "plot_path", default=None, type=click.Path(dir_okay=False),
              help="Write a picture (.png, .pdf, .svg, ...): the 2-D slice through the first two non-degenerate "
                   "inputs, and output 0 along a line with its breakpoints.")
@click.option("--certificate", "cert_path", default=None, type=click.Path(dir_okay=False),
              help="Write the proof of the count (verisnn.regions-cert/1, see docs/regions.md); check it with "
                   "`verisnn certify`. Above --part-pieces pieces it is written in parts, in the folder <stem>.parts next to it.")
@click.option("--list", "listed", type=click.IntRange(min=0), default=MAX_LISTED, show_default=True, metavar="N",
              help="Pieces to print in full, redundant constraints dropped (0: only the count and the checks, no LP "
                   "work after the count); --json lists every piece.")
@click.option("--part-pieces", type=click.IntRange(min=1), default=PART_PIECES, show_default=True,
              help="Most pieces in one file of a certificate in parts (smaller parts: less memory, more parallel checking).")
@click.option("--lp", type=click.Choice(list(LP_BACKENDS)), default=LP_BACKENDS[0], show_default=True,
              help="Exact LP backend of the enumeration: vertex (exact vertices, integer arithmetic), highs (HiGHS "
                   "float guide, every answer checked exactly) or z3 (exact QF_LRA). Same counts; see docs/lp.md.")
@click.option("--prove-cover", is_flag=True,
              help="Also ask the SMT solver to prove in one query that the pieces cover the domain.")
@click.option("--prove-pieces", is_flag=True,
              help="Also prove every piece with the network encoding (pattern and affine outputs on the open piece).")
@click.option("--lower-dim", "lower_dim", is_flag=True,
              help="Also list the patterns realized only on lower-dimensional sets (boundaries, ties, faces of "
                   "the box); up to 3 free inputs.")
@solver_options
@click.option("--scheduler", metavar="tcp://HOST:PORT|local", default=None,
              help="Walk the subtrees of the split tree on a Dask cluster ('local': a cluster of --jobs workers on "
                   "this machine), one task per subtree. With --lp vertex on a box the output is the serial run's; see "
                   "docs/cluster.md.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True,
              help="Workers of --scheduler local (one thread each; ignored for tcp://), and the processes that write "
                   "the parts of a --certificate in parts (the same files as with one).")
@json_option
def regions_command(net: str, domain_text: str | None, plot_path: str | None, cert_path: str | None,
                    listed: int, part_pieces: int, lp: str,
                    prove_cover: bool, prove_pieces: bool, lower_dim: bool, options: SolverOptions,
                    scheduler: str | None, jobs: int, as_json: bool) -> None:
    """Count the causal regions of NET exactly and list its pieces (pattern, polyhedron, affine outputs).

    The count is the number of causal patterns realized on a set with nonempty interior (relative to
    the domain; lower-dimensional patterns are not counted).  A pattern whose region is not convex
    (signed weights, finite kernels) is listed as several pieces.  The split tree of the enumeration
    covers the domain by construction, and every piece is replayed in the exact simulator.  ReLU
    networks (verisnn.relu/1 or ONNX) get their activation regions.  See docs/regions.md.

    With --scheduler the enumeration runs on a Dask cluster: the top levels of the split tree are
    walked here and every subtree below them is one task.  With the default LP backend on a box,
    the pieces, their order and the certificate are those of the serial run (docs/cluster.md).
    """
    network = load(net)
    box = parse_domain(domain_text, network.dimension) if domain_text is not None else None
    if plot_path is not None:
        from verisnn.report.plot import check_plot_path

        if box is None:
            raise click.UsageError("--plot needs a --domain (a box to draw)")
        check_plot_path(plot_path)
    if prove_pieces and not isinstance(network, Network):
        raise click.UsageError("--prove-pieces is for spiking networks")
    timeout = options.timeout
    progress = _Progress() if not as_json and sys.stderr.isatty() else None
    with _subtree_walker(scheduler, jobs) as (distribute, frontier):
        res = count_regions(network, box, timeout=timeout, lp=lp, distribute=distribute, frontier=frontier,
                            keep_tree=cert_path is not None,  # only a certificate reads the split tree
                            progress=progress)
    if res.verdict is not Verdict.PROVED:
        if progress is not None:
            progress.done()
        show_unknown(res.reason, as_json)
    rm = res.details["regions"]
    if cert_path is not None:
        if progress is not None:
            progress("certificate", 0)
        write_certificate(rm, cert_path, part_pieces=part_pieces, jobs=jobs, progress=None if progress is None else
                          lambda pieces: progress("certificate", pieces))  # type: ignore[misc]
    if progress is not None:
        progress.done()
    # redundant constraints are dropped for the listing (text: only the printed pieces) and the solver proofs
    if as_json or prove_cover or prove_pieces:
        if rm.pieces <= MINIMIZE_UP_TO:
            rm = rm.minimized(timeout, lp)
    elif listed:
        rm = rm.minimized(timeout, lp, first=listed)
    if prove_cover:
        rm = cover_proof(rm, options)
        if rm.covered is None:
            show_unknown("the solver did not decide the cover query", as_json)
    proved_pieces = None
    if prove_pieces:
        got = pieces_proof(rm, options)
        if got.verdict is not Verdict.PROVED:
            show_unknown(got.reason, as_json)
        proved_pieces = got.details["pieces"]
    lower = None
    if lower_dim:
        full = set(rm.patterns)
        lower = {p: k for p, k in patterns_by_dimension(network, box, timeout=timeout, lp=lp).items()
                 if p not in full}
    picture = None
    if plot_path is not None:
        from verisnn.report.plot import plot_regions

        picture = plot_regions(network, box, plot_path, title=net, timeout=timeout, lp=lp)  # type: ignore[arg-type]
    if as_json:
        doc = rm.to_json()
        if proved_pieces is not None:
            doc["pieces_proved"] = proved_pieces
        if picture is not None:
            doc["plot"] = str(picture.path)
        if cert_path is not None:
            doc["certificate"] = str(cert_path)
        if lower is not None:
            doc["lower_dimensional"] = [{"pattern": rm.label(p), "dimension": k} for p, k in lower.items()]
        echo_json(doc)
        return
    where = rm.space.description
    kind = "causal" if isinstance(network, Network) else "activation"
    click.echo(f"{plural(rm.count, kind + ' region')} on {where} ({plural(rm.pieces, 'piece')}, "
               f"{plural(rm.lp_checks, 'exact LP check')}, {rm.seconds:.2f}s)")
    checks = ["every piece replayed in the exact simulator", "the split tree covers the domain by construction"]
    if rm.covered:
        checks.append(f"coverage of the whole domain proved by {options.solver} in one query")
    if proved_pieces is not None:
        checks.append(f"{plural(proved_pieces, 'piece')} proved with the network encoding")
    click.echo("checks: " + "; ".join(checks))
    names = rm.space.names
    for k, r in enumerate(rm.regions[:listed], start=1):
        outs = ", ".join(rm.output_text(r))
        click.echo(f"piece {k}: pattern {rm.label(r.pattern)}")
        click.echo(f"  outputs: {outs}")
        click.echo(f"  interior point: [{', '.join(str(v) for v in r.x)}]")
        if r.constraints:
            click.echo("  where: " + ", ".join(af.constraint_text(g, names) for g in r.constraints))
    if rm.pieces > listed:
        click.echo(f"... {plural(rm.pieces - listed, 'more piece' if listed else 'piece')} not listed "
                   "(--list N prints N, --json all)")
    if lower is not None:
        click.echo(f"{plural(len(lower), 'more pattern')} only on lower-dimensional sets"
                   + "".join(f"\n  {rm.label(p)}  (dimension {k})" for p, k in lower.items()))
    if cert_path is not None:
        folder = parts_folder(rm, cert_path, part_pieces)
        parts = "" if folder is None else f" and its parts in {folder}{os.sep}"
        click.echo(f"certificate: {cert_path}{parts} (check it with `verisnn certify {cert_path}`)")
    if picture is not None:
        click.echo(f"picture: {picture.path}")


_PHASES = {"walk": "walking the split tree", "replay": "replaying every piece in the exact simulator",
           "certificate": "written to the certificate"}


class _Progress(StatusLine):
    """The status line of a region run (a terminal only): pieces found so far, the phase, the elapsed time."""

    def __init__(self) -> None:
        super().__init__()
        self.last = self.start

    def __call__(self, phase: str, pieces: int) -> None:
        now = time.monotonic()  # timing
        if phase == "walk" and now - self.last < 0.5:
            return
        self.last = now
        self.show(f"{plural(pieces, 'piece')}, {_PHASES[phase]}")


@contextmanager
def _subtree_walker(scheduler: str | None, jobs: int) -> Iterator[tuple[Any, int]]:
    """The cluster's subtree walker for --scheduler, or ``(None, 1)``: the walk runs in this process."""
    if scheduler is None:
        yield None, 1
        return
    from verisnn.claims import cluster

    with cluster.subtree_walker(scheduler, jobs) as walker:
        yield walker


COMMANDS = [regions_command]
