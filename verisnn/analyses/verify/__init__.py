"""``verify``: VNN-LIB properties on ReLU networks, spiking networks and coded spiking networks.

A VNN-LIB file asserts what a counterexample looks like; ``verify`` returns one
:class:`~verisnn.core.results.Result` per property: ``proved`` (VNN-COMP ``unsat``: no input in the
property's region satisfies the assertions), ``refuted`` (``sat``, with the exact inputs and outputs,
re-evaluated by the network's exact semantics) or ``unknown`` with the reason.  See docs/verify.md.
"""

from __future__ import annotations

from verisnn.analyses.verify.relu import verify_relu
from verisnn.analyses.verify.snn import verify_snn
from verisnn.analyses.verify.twin import verify_via_twin
from verisnn.core.errors import InvalidInput
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.results import Result
from verisnn.io.vnnlib import Property
from verisnn.solvers import SolverOptions


def verify(net: Network | ReluNetwork, prop: Property, options: SolverOptions | None = None,
           twin: ReluNetwork | None = None) -> Result:
    """Decide ``prop`` on ``net`` (ReLU or spiking, see the module docstring).

    ``twin``: a ReLU network the spiking ``net`` should equal on the box; the property is decided on it
    and transferred only with an exact equivalence proof (:mod:`verisnn.analyses.verify.twin`).
    """
    opts = options if options is not None else SolverOptions()
    if twin is not None:
        if isinstance(net, ReluNetwork):
            raise InvalidInput("a twin is for spiking networks; NET is already a ReLU network")
        return verify_via_twin(net, twin, prop, opts)
    if isinstance(net, ReluNetwork):
        return verify_relu(net, prop, opts)
    return verify_snn(net, prop, opts)


def vnncomp_text(result: Result) -> str:
    """The VNN-COMP result file: ``unsat``, ``sat`` with ``((X_0 v) ... (Y_0 v))``, ``unknown`` or ``timeout``."""
    from verisnn.core.results import Verdict

    if result.verdict is Verdict.PROVED:
        return "unsat\n"
    if result.verdict is Verdict.UNKNOWN:
        return ("timeout" if "timeout" in result.reason else "unknown") + "\n"
    ce = result.counterexample
    assert ce is not None
    rows = [f"(X_{i} {_number(v)})" for i, v in enumerate(ce.inputs[0])]
    rows += [f"(Y_{j} {_number(v)})" for j, v in enumerate(ce.outputs[0])]
    return "sat\n(" + "\n ".join(rows) + ")\n"


def _number(v: object) -> str:
    """An exact SMT-LIB number: a terminating decimal, ``(/ p q)`` otherwise, ``+inf`` spelled as text."""
    from fractions import Fraction

    if isinstance(v, float):
        return "+inf" if v > 0 else "-inf"
    f = Fraction(v)  # type: ignore[arg-type]
    sign = "-" if f < 0 else ""
    f = abs(f)
    d = f.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return f"(/ {sign}{f.numerator} {f.denominator})" if not sign else f"(- (/ {f.numerator} {f.denominator}))"
    digits = max(twos, fives)
    scaled = f.numerator * (10 ** digits) // f.denominator
    if digits == 0:
        return f"{sign}{scaled}"
    text = str(scaled).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


__all__ = ["verify", "verify_relu", "verify_snn", "verify_via_twin", "vnncomp_text"]
