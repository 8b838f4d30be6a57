"""smt layer."""
