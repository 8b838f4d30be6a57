"""Solver backends other than z3 (one file per backend); :mod:`verisnn.solve` dispatches to them."""
