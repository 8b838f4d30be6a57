"""CLI commands, one module per concept; :mod:`verisnn.cli.main` lists them."""
