"""The shared solver terms: one kernel term and one affine term agree with exact arithmetic."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import kernels, rationals

from verisnn.smt.terms import affine, exact, kernel_term, q
from verisnn.solvers import SolverOptions, decide


@settings(max_examples=120, deadline=None)
@given(kernel=kernels(), s=rationals(-2, 5, (1, 2, 3, 4)))
def test_kernel_term_is_the_kernel(kernel, s):
    """``kernel_term(eps, s)`` and its left limit equal ``eps(s)`` and ``eps(s^-)`` exactly (every kernel family)."""
    import z3  # tests may talk to z3; the library goes through verisnn.smt

    for left, want in ((False, kernel(s)), (True, kernel.left_limit(s))):
        got = z3.simplify(kernel_term(kernel, q(s), left))
        assert got.as_fraction() == want, (kernel, s, left)


@settings(max_examples=60, deadline=None)
@given(coef=st.lists(rationals(-3, 3), min_size=1, max_size=3), const=rationals(-3, 3), data=st.data())
def test_affine_term(coef, const, data):
    """``affine(coef, const, ys)`` evaluates to ``sum coef_k y_k + const`` in a solver model."""
    import z3

    values = [data.draw(rationals(-3, 3)) for _ in coef]
    ys = [z3.Real(f"y{k}") for k in range(len(coef))]
    ans = decide([y == q(v) for y, v in zip(ys, values)], SolverOptions())
    want = sum((c * v for c, v in zip(coef, values)), Fraction(const))
    assert exact(ans.model, affine(coef, const, ys)) == want
