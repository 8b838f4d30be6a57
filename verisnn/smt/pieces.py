"""Solver formulas about region pieces: a piece's pattern and outputs, and the cover of a domain.

Pieces are open polyhedra ``{g > 0}`` over free variables; network inputs are affine functions
of those variables.  These functions only build z3 terms; they are decided in the solver layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import z3

from verisnn.core.model import Network
from verisnn.semantics.simulate import Activation
from verisnn.smt.snn import NetworkEncoding, encode
from verisnn.smt.terms import affine

Affine = tuple[Fraction, ...]


class AffineTerms:
    """z3 terms of affine functions over named real variables (cached)."""

    def __init__(self, names: Sequence[str]) -> None:
        self.vars = [z3.Real(name) for name in names]
        self._terms: dict[Affine, z3.ArithRef] = {}

    def term(self, a: Affine) -> z3.ArithRef:
        t = self._terms.get(a)
        if t is None:
            t = self._terms[a] = affine(a[1:], a[0], self.vars)
        return t

    def positive(self, g: Affine) -> z3.BoolRef:
        return self.term(g) > 0


def piece_encoding(net: Network, names: Sequence[str], inputs: Sequence[Affine], bounds: Sequence[Affine]
                   ) -> tuple[AffineTerms, NetworkEncoding, list[z3.BoolRef]]:
    """The network encoding with its inputs affine in ``names``, and the open domain ``bounds``."""
    terms = AffineTerms(names)
    enc = encode(net, tag="piece", inputs=[terms.term(a) for a in inputs])
    return terms, enc, [terms.positive(b) for b in bounds]


def piece_differs(net: Network, terms: AffineTerms, enc: NetworkEncoding, constraints: Sequence[Affine],
                  pattern: Sequence[Activation | None], outputs: Sequence[Affine | None]) -> list[z3.BoolRef]:
    """Constraints satisfiable iff some point of the open piece has another pattern or other outputs.

    Conjoin them with the encoding's constraints and the domain: unsat proves the piece (the jump
    flag is not part of the query: it follows from the times).
    """
    differs: list[z3.BoolRef] = []
    for v, act in zip(net.order, pattern):
        fires = enc.fires[v]
        if act is None:
            differs.append(fires)
            continue
        same = [fires]
        for k in range(len(net.incoming[v])):
            c = enc.causal[(v, k)]
            same.append(c if k in act.causal else z3.Not(c))
        for k, p in zip(act.causal, act.pieces):
            same.append(enc.in_piece(v, k, p))
        differs.append(z3.Not(z3.And(same)))
    for o, a in zip(net.outputs, outputs):
        if a is not None:
            differs.append(enc.time[o] != terms.term(a))
    return [terms.positive(g) for g in constraints] + [z3.Or(differs)]


def outside_every_cell(names: Sequence[str], bounds: Sequence[Affine], cells: Sequence[Sequence[Affine]]
                       ) -> list[z3.BoolRef]:
    """Constraints satisfiable iff a point of the closed domain lies outside every closed cell."""
    terms = AffineTerms(names)
    out = [terms.term(b) >= 0 for b in bounds]
    for cell in cells:
        out.append(z3.Or([terms.term(g) < 0 for g in cell]) if cell else z3.BoolVal(False))
    return out
