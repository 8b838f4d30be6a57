"""``verisnn regions``: exact count of causal (or ReLU activation) regions, the pieces, a picture."""

from __future__ import annotations

import sys

import click

from verisnn.core import affine as af
from verisnn.core.domain import parse_domain
from verisnn.io.formats import load_any
from verisnn.core.model import Network
from verisnn.analyses.regions import SolverUnknown, enumerate_regions, patterns_by_dimension, prove_pieces
from verisnn.cli.commands.common import echo_json, json_option, network_argument

MAX_LISTED = 40
MINIMIZE_UP_TO = 2000  # pieces whose redundant constraints are dropped before printing


@click.command("regions")
@network_argument
@click.option("--domain", "-d", "domain_text", default=None, metavar="LO:HI[,LO:HI...]",
              help="Box of input times: lo:hi for every input, or one interval per input (lo:lo fixes an input). "
                   "Default: all of Q^d.")
@click.option("--plot", "plot_path", default=None, type=click.Path(dir_okay=False),
              help="Write a PNG: the 2-D slice through the first two non-degenerate inputs, and output 0 along "
                   "a line with its breakpoints.")
@click.option("--prove-cover", is_flag=True,
              help="Also ask z3 to prove in one query that the pieces cover the domain.")
@click.option("--prove-pieces", is_flag=True,
              help="Also prove every piece with the network encoding (pattern and affine outputs on the open piece).")
@click.option("--lower-dim", "lower_dim", is_flag=True,
              help="Also list the patterns realized only on lower-dimensional sets (boundaries, ties, faces of "
                   "the box); up to 3 free inputs.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Wall-clock seconds per solver call; a timeout gives 'unknown', never a count.")
@json_option
def regions_command(net: str, domain_text: str | None, plot_path: str | None, prove_cover: bool,
                    prove_pieces: bool, lower_dim: bool, timeout: float, as_json: bool) -> None:
    """Count the causal regions of NET exactly and list its pieces (pattern, polyhedron, affine outputs).

    The count is the number of causal patterns realized on a set with nonempty interior (relative to
    the domain; lower-dimensional patterns are not counted).  A pattern whose region is not convex
    (signed weights, finite kernels) is listed as several pieces.  Every piece is replayed in the
    exact simulator, and each split of the enumeration ends with a solver proof that the pieces
    cover it.  ReLU networks (verisnn.relu/1 or ONNX) get their activation regions.
    """
    network = load_any(net)
    box = parse_domain(domain_text, network.dimension) if domain_text is not None else None
    if plot_path is not None and box is None:
        raise click.UsageError("--plot needs a --domain (a box to draw)")
    try:
        rm = enumerate_regions(network, box, timeout=timeout)
        if rm.pieces <= MINIMIZE_UP_TO:
            rm = rm.minimized(timeout)
        if prove_cover:
            rm = rm.prove_cover(timeout)
        proved_pieces = prove_pieces_of(rm, timeout) if prove_pieces else None
        lower = None
        if lower_dim:
            full = set(rm.patterns)
            lower = {p: k for p, k in patterns_by_dimension(network, box, timeout=timeout).items() if p not in full}
    except SolverUnknown as exc:
        if as_json:
            echo_json({"verdict": "unknown", "reason": str(exc)})
        else:
            click.echo(f"unknown: {exc}")
        sys.exit(1)
    picture = None
    if plot_path is not None:
        from verisnn.report.plot import plot_regions

        picture = plot_regions(network, box, plot_path, title=net, timeout=timeout)  # type: ignore[arg-type]
    if as_json:
        doc = rm.to_json()
        if proved_pieces is not None:
            doc["pieces_proved"] = proved_pieces
        if picture is not None:
            doc["plot"] = str(picture.path)
        if lower is not None:
            doc["lower_dimensional"] = [{"pattern": rm.label(p), "dimension": k} for p, k in lower.items()]
        echo_json(doc)
        return
    where = rm.space.description
    kind = "causal" if isinstance(network, Network) else "activation"
    click.echo(f"{rm.count} {kind} regions on {where} ({rm.pieces} pieces, {rm.lp_checks} exact LP checks, "
               f"{rm.seconds:.2f}s)")
    checks = ["every piece replayed in the exact simulator", "coverage proved by z3 at every split"]
    if rm.covered:
        checks.append("coverage of the whole domain proved by z3 in one query")
    if proved_pieces is not None:
        checks.append(f"{proved_pieces} pieces proved with the network encoding")
    click.echo("checks: " + "; ".join(checks))
    names = rm.space.names
    for k, r in enumerate(rm.regions[:MAX_LISTED], start=1):
        outs = ", ".join(rm.output_text(r))
        click.echo(f"piece {k}: pattern {rm.label(r.pattern)}")
        click.echo(f"  outputs: {outs}")
        click.echo(f"  interior point: [{', '.join(str(v) for v in r.x)}]")
        if r.constraints:
            click.echo("  where: " + ", ".join(af.constraint_text(g, names) for g in r.constraints))
    if rm.pieces > MAX_LISTED:
        click.echo(f"... {rm.pieces - MAX_LISTED} more pieces (use --json for all)")
    if lower is not None:
        click.echo(f"{len(lower)} more patterns only on lower-dimensional sets"
                   + "".join(f"\n  {rm.label(p)}  (dimension {k})" for p, k in lower.items()))
    if picture is not None:
        click.echo(f"picture: {picture.path}")


def prove_pieces_of(rm, timeout: float) -> int:  # type: ignore[no-untyped-def]
    from verisnn.solvers import SolverOptions

    if not isinstance(rm.network, Network):
        raise click.UsageError("--prove-pieces is for spiking networks")
    return prove_pieces(rm, SolverOptions(timeout=timeout))


COMMANDS = [regions_command]
