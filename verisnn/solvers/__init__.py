"""The solver layer: backends (z3, cvc5, both) behind one protocol, and verdicts from constraints.

Only this package and :mod:`verisnn.smt` talk to z3 or cvc5.  Analyses build queries with
:mod:`verisnn.smt` and decide them here.
"""

from verisnn.smt.query import Query
from verisnn.solvers.base import Answer, Backend, Limits, Optimum, OptStatus, Status
from verisnn.solvers.options import SolverOptions
from verisnn.solvers.registry import NAMES, backend
from verisnn.solvers.verdict import answers, decide, optimize, solve

__all__ = ["NAMES", "Answer", "Backend", "Limits", "OptStatus", "Optimum", "Query", "SolverOptions", "Status",
           "answers", "backend", "decide", "optimize", "solve"]
