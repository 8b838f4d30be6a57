"""``python -m verisnn`` runs the CLI."""

from verisnn.cli.main import main

main()
