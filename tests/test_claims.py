"""The claim table: every claim at its default sizes gets its expected verdict, and the runner works.

Each claim and its broken variants run here, so a claim whose check cannot fail is caught: its
broken variant would come out proved.
"""

import json
import re
import sys

import pytest

from verisnn.claims import registry
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


# -- sources: every claim names the paper and theorem it checks (issue 13) ---------------------------------------

PAPERS = ("arXiv 2308.08218", "arXiv 2609.11227")


def test_every_claim_names_its_source():
    """Every bundled claim has a one-line source naming a paper (or verisnn), also named in its module docstring.

    A broken variant's source names the claim it breaks; the paper ids in a source appear in the module's docstring.
    """
    for c in CLAIMS:
        assert c.source.strip() and "\n" not in c.source, c.id
        assert any(p in c.source for p in PAPERS) or c.source.startswith("verisnn"), (c.id, c.source)
        if c.broken_of:
            assert c.source.startswith((f"broken variant of {c.broken_of} (", f"paired check of {c.broken_of} (")), \
                (c.id, c.source)
        doc = " ".join((sys.modules[c.module].__doc__ or "").split())
        for paper in re.findall(r"\d{4}\.\d{5}", c.source):
            assert paper in doc, f"{c.id}: the docstring of {c.file} does not name arXiv {paper}"


def test_list_prints_sources(cli):
    """`verisnn list` prints a source line per claim, and `--json` has a "source" key equal to the registry's."""
    r = cli("list")
    assert r.code == 0, r.err
    sources = [line.strip().removeprefix("source: ") for line in r.out.splitlines() if line.startswith(" ")
               and line.strip().startswith("source: ")]
    assert sources == [c.source for c in CLAIMS]
    doc = cli("list", "--json").json
    assert {x["claim"]: x["source"] for x in doc} == {c.id: c.source for c in CLAIMS}


def test_bundled_claim_without_source_is_rejected(tmp_path, monkeypatch):
    """A claim in the bundled theorems/ without a source is bad input naming the claim and the file."""
    bundled = tmp_path / "theorems"
    bundled.mkdir()
    (bundled / "nosource.py").write_text(
        "from verisnn.claims.registry import claim\n"
        "@claim('X1', expected='proved')\n"
        "def x1(size, ctx):\n"
        "    '''No source given.'''\n"
    )
    monkeypatch.setattr(registry, "DEFAULT_PATH", bundled)
    with pytest.raises(InvalidInput, match=r'claim X1 in .*nosource\.py has no source: give @claim\(\.\.\., source="'):
        discover()


USER_CLAIM = ("from verisnn.claims.registry import claim\n"
              "from verisnn.core.results import Result, Verdict\n"
              "@claim('U5', expected='proved'{source})\n"
              "def u5(size, ctx):\n"
              "    '''Always proved.'''\n"
              "    return Result('U5', Verdict.PROVED, 0.0, reason='trivially')\n")


def test_user_claim_file_source_is_optional(tmp_path, cli):
    """In a user's claim file (--path) the source defaults to the file; one given is shown; a bad one is exit 2."""
    f = tmp_path / "mine.py"
    f.write_text(USER_CLAIM.format(source=""))
    doc = cli("list", "--path", f, "--json").json
    assert doc[0]["source"] == f"user claim file {f}"
    assert f"source: user claim file {f}" in cli("list", "--path", f).out
    assert cli("prove", "--path", f, "-j", "1").code == 0
    f.write_text(USER_CLAIM.format(source=", source='my notes, Lemma 2'"))
    assert cli("list", "--path", f, "--json").json[0]["source"] == "my notes, Lemma 2"
    for bad in ("''", "42", "'two\\nlines'"):
        f.write_text(USER_CLAIM.format(source=f", source={bad}"))
        r = cli("list", "--path", f)
        assert r.code == 2, (bad, r.out, r.err)
        assert len(r.err.strip().splitlines()) == 1 and "claim U5: source must be" in r.err, r.err
