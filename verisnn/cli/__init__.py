"""The ``verisnn`` command line."""

from verisnn.cli.main import main

__all__ = ["main"]
