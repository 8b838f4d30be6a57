"""One renderer of results for every command: text for people, JSON for programs, and the exit code.

Exit codes (docs/verdicts.md): 0 proved / ok, 1 refuted or unknown.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

import click

from verisnn.core.numbers import fmt
from verisnn.core.results import Counterexample, Result, Verdict, jsonable


def echo_json(doc: Any) -> None:
    """Print one JSON document (exact numbers as strings) on stdout."""
    click.echo(json.dumps(jsonable(doc), indent=2))


def vector(values: Sequence[Any]) -> str:
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def result_doc(result: Result, subject: str = "claim", extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The result's JSON document; ``subject`` renames its ``claim`` key (e.g. ``property``), ``extra`` adds keys."""
    doc = result.to_json()
    if subject != "claim":
        doc[subject] = doc.pop("claim")
    doc.update(extra or {})
    return doc


def counterexample_lines(cex: Counterexample, labels: Sequence[str] | None = None) -> list[str]:
    """The counterexample's inputs and outputs, one line each.

    Without ``labels``: one line per network copy (``input k: [x] -> outputs [y]``).  With labels
    (one per copy, sharing the first input): ``x = [...]`` and then ``label: [outputs]`` per copy.
    """
    if labels is None:
        return [f"  input {k}: {vector(x)} -> outputs {vector(y)}" for k, (x, y) in enumerate(zip(cex.inputs,
                                                                                               cex.outputs))]
    width = max(len(label) for label in labels) + 1
    lines = [f"  x = {vector(cex.inputs[0])}"]
    lines += [f"  {label + ':':<{width}} {vector(y)}" for label, y in zip(labels, cex.outputs)]
    return lines


def result_lines(result: Result, suffix: str = "", labels: Sequence[str] | None = None) -> list[str]:
    """The result as text: its one-line summary (plus ``suffix``) and the counterexample's numbers."""
    lines = [f"{result}{suffix}"]
    if result.counterexample is not None:
        lines += counterexample_lines(result.counterexample, labels)
    return lines


def exit_code(result: Result) -> int:
    return 0 if result.verdict is Verdict.PROVED else 1


def show(result: Result, as_json: bool, *, subject: str = "claim", extra: Mapping[str, Any] | None = None,
         suffix: str = "", labels: Sequence[str] | None = None) -> NoReturn:
    """Print ``result`` as JSON or text and exit 0 (proved) or 1 (refuted, unknown)."""
    if as_json:
        echo_json(result_doc(result, subject, extra))
    else:
        for line in result_lines(result, suffix, labels):
            click.echo(line)
    sys.exit(exit_code(result))


def show_unknown(reason: str, as_json: bool) -> NoReturn:
    """An answer that is not a count or a proof: ``unknown: reason`` (or its JSON), exit 1."""
    if as_json:
        echo_json({"verdict": "unknown", "reason": reason})
    else:
        click.echo(f"unknown: {reason}")
    sys.exit(1)


class StatusLine:
    """One status line on stderr, rewritten in place with the seconds since it was made; ``done`` clears it."""

    def __init__(self) -> None:
        self.start = time.monotonic()  # timing
        self.shown = False

    def show(self, text: str) -> None:
        self.shown = True
        click.echo(f"\r  {text} ({time.monotonic() - self.start:.0f}s)\033[K", err=True, nl=False)

    def done(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False)
