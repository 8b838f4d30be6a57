"""cvc5 as a second solver: it reads the query as SMT-LIB 2 text (the same text ``--smt2`` writes).

Going through the text on purpose: every cvc5 answer is also a check that the exported SMT-LIB
means what the z3 terms mean.  Model values come back as exact Fractions / bools, keyed by the
declared symbol names.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import cvc5
import z3

from verisnn.core.errors import InternalError
from verisnn.smt.smtlib import assertions_only, constants, to_smt2
from verisnn.solvers.base import Answer, Limits, Optimum, Status
from verisnn.solvers.z3_backend import Z3Backend


@dataclass
class Cvc5Answer:
    status: Status
    values: dict[str, Fraction | bool] = field(default_factory=dict)
    reason: str = ""
    statistics: dict[str, object] = field(default_factory=dict)


def parse_smt2(text: str, options: dict[str, str] | None = None) -> tuple[cvc5.Solver, cvc5.SymbolManager]:
    """Parse SMT-LIB 2 ``text`` into a fresh cvc5 solver with ``options`` (raises RuntimeError on a parse error)."""
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("produce-models", "true")
    for key, value in (options or {}).items():
        solver.setOption(key, value)
    sm = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, sm)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "query")
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        cmd.invoke(solver, sm)
    return solver, sm


def check_smt2(text: str, timeout: float | None = None, rlimit: int | None = None) -> Cvc5Answer:
    """Decide the assertions of ``text`` (which must not contain ``check-sat``)."""
    options: dict[str, str] = {}
    if timeout is not None:
        options["tlimit-per"] = str(max(1, int(timeout * 1000)))  # timing
    if rlimit is not None:
        options["rlimit-per"] = str(int(rlimit))
    solver, sm = parse_smt2(text, options)
    result = solver.checkSat()
    if result.isUnsat():
        return Cvc5Answer(Status.UNSAT)
    if result.isSat():
        values: dict[str, Fraction | bool] = {}
        for term in sm.getDeclaredTerms():
            v = solver.getValue(term)
            if v.isBooleanValue():
                values[term.getSymbol()] = v.getBooleanValue()
            elif v.isRealValue():
                values[term.getSymbol()] = Fraction(v.getRealValue())
            elif v.isIntegerValue():
                values[term.getSymbol()] = Fraction(v.getIntegerValue())
        return Cvc5Answer(Status.SAT, values)
    return Cvc5Answer(Status.UNKNOWN, reason=f"cvc5: {result.getUnknownExplanation()}".lower().replace("_", " "))


class ValueModel:
    """A model given as exact values of named constants, with z3's ``eval`` interface.

    A term is evaluated by substituting the values and simplifying in z3; constants the solver
    never saw are completed with 0 / False.
    """

    def __init__(self, consts: Mapping[str, z3.ExprRef], values: Mapping[str, Fraction | bool]):
        self.pairs = []
        for name, c in consts.items():
            if name in values:
                v = values[name]
                if isinstance(v, bool):
                    self.pairs.append((c, z3.BoolVal(v)))
                else:
                    self.pairs.append((c, z3.RealVal(f"{v.numerator}/{v.denominator}")))

    def eval(self, term: z3.ExprRef, model_completion: bool = True) -> z3.ExprRef:
        v = z3.simplify(z3.substitute(term, *self.pairs)) if self.pairs else z3.simplify(term)
        rest = list(constants([v]).values())
        if rest and model_completion:
            zero = [(c, z3.BoolVal(False) if z3.is_bool(c) else z3.RealVal(0)) for c in rest]
            v = z3.simplify(z3.substitute(v, *zero))
        return v


class Cvc5Backend:
    """cvc5 on the SMT-LIB 2 text of the constraints; optima are z3's candidates (callers confirm them)."""

    name = "cvc5"

    def check(self, constraints: Sequence[z3.BoolRef], limits: Limits) -> Answer:
        text = assertions_only(to_smt2(constraints))
        start = time.perf_counter()
        try:
            ans = check_smt2(text, limits.timeout, limits.rlimit)
        except RuntimeError as exc:  # cvc5 refuses the text: our export is wrong
            raise InternalError(f"cvc5 could not read the SMT-LIB export: {exc}") from None
        seconds = time.perf_counter() - start  # timing
        model = ValueModel(constants(constraints), ans.values) if ans.status is Status.SAT else None
        return Answer(ans.status, self.name, model, ans.reason, ans.statistics, seconds)

    def optimize(self, constraints: Sequence[z3.BoolRef], objective: z3.ArithRef, maximize: bool,
                 limits: Limits) -> Optimum:
        return Z3Backend().optimize(constraints, objective, maximize, limits)
