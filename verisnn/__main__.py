"""``python -m verisnn`` runs the CLI."""

from .cli import main

main()
