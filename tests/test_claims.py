"""The claim table: every claim at its default sizes gets its expected verdict, and the runner works.

Each claim and its broken variants run here, so a claim whose check cannot fail is caught: its
broken variant would come out proved.
"""

import json

import pytest

from verisnn.claims.registry import RunContext, discover, select
from verisnn.claims.runner import run_task, tasks_for
from verisnn.core.errors import InvalidInput
from verisnn.core.results import Verdict

CLAIMS = discover()
TASKS = tasks_for(CLAIMS)


#: claims outside the default table (larger sizes) run in the slow tier
PARAMS = [pytest.param(t, marks=() if t.claim.default else pytest.mark.slow,
                       id=f"{t.claim.id}-{json.dumps(t.size, separators=(',', ':'))}") for t in TASKS]


@pytest.mark.parametrize("task", PARAMS)
def test_claim_gets_expected_verdict(task):
    """The claim's verdict at this size is the expected one; refutations carry a replayed counterexample."""
    result = run_task(task.claim, task.size, RunContext(timeout=120))
    assert result.verdict == task.claim.expected, str(result)
    if result.verdict is Verdict.REFUTED:
        assert result.counterexample is not None or result.details.get("witness")
        if task.claim.mode == "parametric" and result.counterexample is not None:
            assert result.counterexample.network is not None


def test_every_claim_family_has_a_broken_variant():
    """Every claim that is expected proved has at least one broken variant (or is itself one)."""
    proved = {c.id.split("-")[0] for c in CLAIMS if c.expected is Verdict.PROVED and c.broken_of is None}
    broken = {c.broken_of.split("-")[0] for c in CLAIMS if c.broken_of}
    assert proved <= broken, f"claims without a broken variant: {sorted(proved - broken)}"


def test_select_and_errors():
    """Selecting C1 takes its variants; an unknown id is a clear error."""
    ids = {c.id for c in select(CLAIMS, ["C1"])}
    assert "C1" in ids and "C1-param-signed" in ids
    with pytest.raises(InvalidInput, match="unknown claim 'C99'"):
        select(CLAIMS, ["C99"])


def test_user_claim_file(tmp_path, cli):
    """A user's own claim file is discovered with --path and run by `verisnn prove`."""
    (tmp_path / "my_claims.py").write_text(
        "from fractions import Fraction\n"
        "from verisnn.claims.registry import claim\n"
        "from verisnn.core.model import layered\n"
        "from verisnn.semantics.simulate import realize\n"
        "from verisnn.core.results import Result, Verdict, Counterexample\n"
        "@claim('U1', expected='refuted')\n"
        "def my_claim(size, ctx):\n"
        "    '''A false conjecture: the (1,1) neuron always fires at t1 + 1.'''\n"
        "    net = layered(2, [{'weights': [[1, 1]], 'thresholds': [1]}])\n"
        "    x = (Fraction(0), Fraction(0))\n"
        "    t = realize(net, x)[0]\n"
        "    cex = Counterexample((x,), ((t,),), f'fires at {t}, not 1')\n"
        "    return Result('U1', Verdict.REFUTED if t != 1 else Verdict.PROVED, 0.0, cex if t != 1 else None)\n"
    )
    r = cli("prove", "--path", tmp_path, "--json", "-j", "1")
    assert r.code == 0, r.err
    doc = r.json
    assert doc["ok"] and doc["results"][0]["claim"] == "U1" and doc["results"][0]["verdict"] == "refuted"
    assert cli("list", "--path", tmp_path).out.count("U1") == 1


def test_prove_cli_json_and_exit_codes(cli):
    """`verisnn prove C1 --json` exits 0 with every verdict as expected; bad options exit 2."""
    r = cli("prove", "C1", "--json", "-j", "1")
    assert r.code == 0, r.err
    doc = r.json
    assert doc["ok"] and all(x["matches"] for x in doc["results"])
    assert {x["mode"] for x in doc["results"]} >= {"instance", "parametric", "symbolic"}
    assert cli("prove", "C99").code == 2
    assert cli("prove", "--timeout", "-1").code == 2
    assert cli("prove", "C1", "--size", "d=").code == 2


def test_parametric_claims_recheck_in_cvc5(cli):
    """`--solver both` re-checks parametric (NRA) claims in cvc5 through the SMT-LIB export."""
    r = cli("prove", "C1-param", "C9-param", "--size", "d=2", "--solver", "both", "--json", "-j", "1")
    assert r.code == 0, r.err
    results = {x["claim"]: x for x in r.json["results"]}
    assert "z3 and cvc5" in results["C1-param"]["reason"]
    assert results["C9-param"]["verdict"] == "proved" and results["C9-param-signed"]["verdict"] == "refuted"
