"""cvc5 as a second solver: it reads the query as SMT-LIB 2 text (the same text ``--smt2`` writes).

Going through the text on purpose: every cvc5 answer is also a check that the exported SMT-LIB
means what the z3 terms mean.  Model values come back as exact Fractions / bools, keyed by the
declared symbol names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import cvc5


@dataclass
class Cvc5Answer:
    status: str  # "sat", "unsat" or "unknown"
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
        return Cvc5Answer("unsat")
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
        return Cvc5Answer("sat", values)
    return Cvc5Answer("unknown", reason=f"cvc5: {result.getUnknownExplanation()}".lower().replace("_", " "))
