"""The compositional equivalence proof of a coded SNN and a ReLU network: one solver lemma per neuron.

The SNN must follow the naming of :mod:`verisnn.analyses.emulation.layout` (affine neuron
``a<l>_<i>`` and ReLU gadget ``g<l>_<i>`` for unit ``i`` of layer ``l``).  The names and the bases
(read off one exact simulation at the box centre) are only hints for an inductive invariant;
nothing about the construction is trusted.  With interval bounds ``Y_l`` of the ReLU network's
hidden values on the box (:func:`verisnn.semantics.relu.pre_activation_ranges`), every neuron gets
one lemma (:mod:`verisnn.smt.lemmas`), stated with the ReLU network's own weights:

* affine neuron of unit ``i`` of layer ``l``: for every ``y`` in ``Y_{l-1}`` (the box for
  ``l = 1``), if each source fires at its invariant time (``base_j + y_j``; inputs at their code
  times; references at theirs), the neuron fires exactly at ``base - z_i(y)`` (for an output: at
  the time its output code gives the value ``z_i(y)``);
* gadget of unit ``i`` of layer ``l``: for every ``z`` in the interval of ``z_{l,i}``, if its
  sources fire at their invariant times, it fires exactly at ``base + max(0, z)``.

A neuron's firing time depends only on its sources' times, so by induction over the layers every
neuron fires at its invariant time for every ``x`` in the box, and the decoded outputs are the
ReLU outputs.  A lemma that fails makes the compositional proof *unknown* (the intervals
over-approximate the reachable values, so a failed lemma is no counterexample).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction

from verisnn.analyses.emulation.layout import affine_name, gadget_name
from verisnn.analyses.equivalence.sides import check_shapes, input_times
from verisnn.core.domain import Box
from verisnn.core.model import Network, ReluNetwork
from verisnn.core.numbers import fmt, is_finite
from verisnn.core.results import Result, Verdict
from verisnn.semantics.relu import pre_activation_ranges, relu_range, trace
from verisnn.semantics.simulate import simulate
from verisnn.smt.context import fresh_context
from verisnn.smt.lemmas import Lemma, lemma_constraints
from verisnn.smt.terms import exact
from verisnn.solvers import SolverOptions, Status, decide

Progress = Callable[[int, int, str], None]
LemmaCheck = Callable[[Sequence[Lemma], SolverOptions], Iterable[Result]]
Known = Mapping[str, tuple[int, Fraction, int]]  # node -> (variable index, base, sign): time = base + sign * value


class NotCompositional(Exception):
    """The pair does not have the structure the compositional strategy needs (a reason, not an error)."""


def check_lemma(lemma: Lemma, options: SolverOptions | None = None) -> Result:
    """Whether one lemma holds: proved (unsat), refuted (with the source values where it fails) or unknown."""
    start = _time.perf_counter()
    cons, ys = lemma_constraints(lemma)
    ans = decide(cons, options or SolverOptions())
    seconds = _time.perf_counter() - start  # timing
    subject = f"lemma {lemma.label}"
    if ans.status is Status.SAT:
        values = tuple(exact(ans.model, y) for y in ys)
        vals = ", ".join(fmt(v) for v in values)  # type: ignore[arg-type]
        return Result(subject, Verdict.REFUTED, seconds, reason=f"lemma {lemma.label} fails at source values [{vals}]",
                      details={"witness": [fmt(v) for v in values]})  # type: ignore[arg-type]
    if ans.status is Status.UNSAT:
        return Result(subject, Verdict.PROVED, seconds, reason=f"{lemma.neuron} fires at its target ({ans.solver})")
    return Result(subject, Verdict.UNKNOWN, seconds, reason=ans.reason or f"{ans.solver}: unknown")


def neuron_lemma(snn: Network, v: str, label: str, ranges: Sequence[tuple[Fraction, Fraction]], known: Known,
                 target: tuple[tuple[Fraction, ...], Fraction] | None = None,
                 relu_target: tuple[tuple[Fraction, ...], Fraction, Fraction] | None = None) -> Lemma:
    """The lemma of neuron ``v`` whose sources are ``known`` (affine in the variables) or references."""
    n = len(ranges)
    arrivals, weights, kernels = [], [], []
    refs = snn.reference_times
    for s in snn.incoming[v]:
        if s.source in refs:
            arrivals.append(((Fraction(0),) * n, refs[s.source] + s.delay))
        elif s.source in known:
            j, base, sign = known[s.source]
            coef = [Fraction(0)] * n
            coef[j] = Fraction(sign)
            arrivals.append((tuple(coef), base + s.delay))
        else:
            raise NotCompositional(f"neuron '{v}' has a source '{s.source}' outside the previous layer")
        weights.append(s.weight)
        kernels.append(snn.kernel_of(s))
    return Lemma(v, label, tuple(ranges), tuple(arrivals), tuple(weights), tuple(kernels), snn.thresholds[v],
                 target, relu_target)


def compositional_lemmas(snn: Network, relu: ReluNetwork, box: Box) -> list[Lemma]:
    """The lemmas of the compositional proof (raises NotCompositional if the structure is missing)."""
    if snn.codes is None:
        raise NotCompositional("the spiking network has no codes")
    if len(snn.outputs) != relu.n_outputs or snn.dimension != relu.dimension:
        raise NotCompositional("the networks have different shapes")
    intervals = pre_activation_ranges(relu, box)
    L = len(relu.layers)
    x_mid = box.center()
    sim = simulate(snn, input_times(snn, x_mid))
    pre_mid = trace(relu, x_mid).pre  # ReLU values at the centre, to read the invariant bases off the simulation
    neurons = set(snn.incoming)
    in_codes = {c.node: c for c in snn.codes.inputs}
    out_codes = {c.node: c for c in snn.codes.outputs}
    known: dict[str, tuple[int, Fraction, int]] = {}
    for j, name in enumerate(snn.inputs):
        c = in_codes.get(name)
        known[name] = (j, Fraction(0), 1) if c is None else (j, c.base, c.sign)
    ranges = list(zip(box.lo, box.hi))
    lemmas: list[Lemma] = []
    for li, layer in enumerate(relu.layers, start=1):
        nxt: dict[str, tuple[int, Fraction, int]] = {}
        last = li == L
        for i, (row, b) in enumerate(zip(layer.weights, layer.bias)):
            name = snn.outputs[i] if last else affine_name(li, i)
            if name not in neurons:
                raise NotCompositional(f"no neuron '{name}' for unit {i} of layer {li}")
            if last:
                c = out_codes.get(name)
                base, sign = (Fraction(0), 1) if c is None else (c.base, c.sign)
            else:
                t = sim.times[name]
                if not is_finite(t):
                    raise NotCompositional(f"neuron '{name}' is silent at the box centre")
                base, sign = t + pre_mid[li - 1][i], -1  # type: ignore[operator]
            target = (tuple(sign * a for a in row), base + sign * b)
            lemmas.append(neuron_lemma(snn, name, f"{name} = {'output' if last else 'affine'} unit {i} of layer {li}",
                                       ranges, known, target))
            if not last:
                g = gadget_name(li, i)
                if g not in neurons:
                    raise NotCompositional(f"no gadget neuron '{g}' for unit {i} of layer {li}")
                tg = sim.times[g]
                if not is_finite(tg):
                    raise NotCompositional(f"gadget '{g}' is silent at the box centre")
                gbase = tg - max(pre_mid[li - 1][i], Fraction(0))  # type: ignore[operator]
                lemmas.append(neuron_lemma(snn, g, f"{g} = relu of unit {i} of layer {li}", [intervals[li - 1][i]],
                                           {name: (0, base, -1)}, None, ((Fraction(1),), Fraction(0), gbase)))
                nxt[g] = (i, gbase, 1)
        if not last:
            known = nxt
            ranges = [relu_range(r) for r in intervals[li - 1]]
    return lemmas


def check_compositional(snn: Network, relu: ReluNetwork, box: Box, options: SolverOptions | None = None,
                        progress: Progress | None = None, check: LemmaCheck | None = None) -> Result:
    """Prove ``snn == relu`` on ``box`` lemma by lemma (see the module docstring); never refutes.

    ``check`` checks the lemmas elsewhere (e.g. one task per lemma on a cluster, docs/cluster.md)
    and yields their results in lemma order; by default each is checked here, in a fresh z3
    context, so a lemma's answer does not depend on the lemmas checked before it.
    """
    check_shapes(snn, relu, box)
    options = options or SolverOptions()
    start = _time.perf_counter()
    try:
        lemmas = compositional_lemmas(snn, relu, box)
    except NotCompositional as exc:
        return Result("equiv", Verdict.UNKNOWN, _time.perf_counter() - start,  # timing
                      reason=f"compositional strategy not applicable: {exc}", details={"strategy": "compositional"})
    results = iter(check(lemmas, options)) if check is not None else None
    for k, lemma in enumerate(lemmas):
        if progress is not None:
            progress(k, len(lemmas), lemma.label)
        if results is None:
            fresh_context()
        result = check_lemma(lemma, options) if results is None else next(results)
        if result.verdict is not Verdict.PROVED:
            why = result.reason if result.verdict is Verdict.REFUTED else f"lemma {lemma.label}: {result.reason}"
            return Result("equiv", Verdict.UNKNOWN, _time.perf_counter() - start, reason=why,  # timing
                          details={"strategy": "compositional", "lemmas_proved": k, "lemmas": len(lemmas)})
    if progress is not None:
        progress(len(lemmas), len(lemmas), "done")
    return Result("equiv", Verdict.PROVED, _time.perf_counter() - start,  # timing
                  reason=f"{len(lemmas)} neuron lemmas proved ({options.solver}), composed over "
                         f"{len(relu.layers)} layers",
                  details={"strategy": "compositional", "lemmas": len(lemmas)})
