"""Helpers shared by the CLI commands: options, file loading, JSON output."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click


def json_option(f: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")(f)


def echo_json(doc: Any) -> None:
    click.echo(json.dumps(doc, indent=2))


network_argument = click.argument("net", type=click.Path(dir_okay=False))
