"""A spiking network verified through a ReLU twin that it is proved equal to on the property's box.

``verify_via_twin(snn, relu, prop)`` first tries the SNN's own symbolic bounds and attack
(:func:`verisnn.analyses.verify.snn.verify_snn` without the solver); if they do not decide, it decides
``prop`` on the ReLU network
(:func:`verisnn.analyses.verify.relu.verify_relu`).  A counterexample there is replayed in the exact
simulator of the SNN and reported only if it is one for the SNN as well.  A proof transfers only
with an exact proof that the two networks compute the same values on the property's input box
(:func:`verisnn.analyses.equivalence.check_equivalence`; for an emulation built by ``verisnn
emulate`` the compositional strategy proves it one neuron at a time).  Anything else is unknown.
"""

from __future__ import annotations

import time

from verisnn.analyses.equivalence import check_equivalence
from verisnn.analyses.verify.relu import verify_relu
from verisnn.analyses.verify.snn import _cex, snn_values, verify_snn
from verisnn.core.domain import Box
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.results import Result, Verdict
from verisnn.io.vnnlib import Property
from verisnn.solvers import SolverOptions


def verify_via_twin(snn: Network, relu: ReluNetwork, prop: Property, options: SolverOptions) -> Result:
    """Decide ``prop`` on ``snn`` through ``relu`` (see the module docstring)."""
    start = time.perf_counter()  # timing
    prop.check_sizes(snn.dimension, len(snn.outputs), "the SNN")
    direct = verify_snn(snn, prop, options, solver=False)
    if direct.verdict is not Verdict.UNKNOWN:
        return direct
    on_twin = verify_relu(relu, prop, options)
    size = {"inputs": snn.dimension, "outputs": len(snn.outputs), "neurons": len(snn.neurons),
            "synapses": len(snn.synapses), "twin_unstable": on_twin.size.get("unstable")}
    details = {"method": "twin", "twin": {"verdict": str(on_twin.verdict), "method": on_twin.details.get("method"),
                                          "seconds": round(on_twin.seconds, 3)}}  # timing
    if on_twin.verdict is Verdict.UNKNOWN:
        return Result(prop.name, Verdict.UNKNOWN, time.perf_counter() - start,  # timing
                      reason=f"unknown on the ReLU twin: {on_twin.reason}", size=size, details=details)
    if on_twin.verdict is Verdict.REFUTED:
        assert on_twin.counterexample is not None
        x = on_twin.counterexample.inputs[0]
        y = snn_values(snn, x)  # exact simulation of the SNN itself
        if prop.holds(x, y):
            return Result(prop.name, Verdict.REFUTED, time.perf_counter() - start, _cex(prop, x, y),  # timing
                          size=size, details=details)
        return Result(prop.name, Verdict.UNKNOWN, time.perf_counter() - start,  # timing
                      reason="the ReLU twin's counterexample is not one of the SNN (they differ there)", size=size,
                      details=details)
    t_eq = time.perf_counter()  # timing
    eq = check_equivalence(snn, relu, Box(prop.lo, prop.hi), "auto", options)
    details["equivalence"] = {"verdict": str(eq.verdict), "strategy": eq.details.get("strategy"),
                              "seconds": round(time.perf_counter() - t_eq, 3)}  # timing
    if eq.verdict is Verdict.PROVED:
        return Result(prop.name, Verdict.PROVED, time.perf_counter() - start,  # timing
                      reason=f"proved on the ReLU twin ({on_twin.details.get('method')}) and the SNN equals the twin "
                             f"on the input box ({eq.reason})", size=size, details=details)
    return Result(prop.name, Verdict.UNKNOWN, time.perf_counter() - start,  # timing
                  reason=f"proved on the ReLU twin, but equality with the SNN on the box is {eq.verdict}: "
                         f"{eq.reason or eq.counterexample}", size=size, details=details)
