"""Shared fixtures: run the real ``verisnn`` command."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


def run_cli(*args: str, timeout: float = 300) -> Run:
    """Run ``python -m verisnn ARGS`` in a subprocess (the real command, end to end)."""
    proc = subprocess.run([sys.executable, "-m", "verisnn", *map(str, args)], capture_output=True, text=True, check=False,
                          timeout=timeout, cwd=ROOT)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    return run_cli
