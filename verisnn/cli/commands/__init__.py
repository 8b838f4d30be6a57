"""CLI commands, one module per concept; each module exports ``COMMANDS``."""
