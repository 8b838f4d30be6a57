"""Region certificates: written by the enumeration, re-checked by the independent checker, tampering caught."""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import networks

from verisnn.analyses.regions import LP_BACKENDS, certificate, enumerate_regions, one_layer
from verisnn.analyses.regions.farkas import check as farkas_ok
from verisnn.analyses.regions.farkas import farkas
from verisnn.checker import NotCertificate, StepFailed, check_certificate
from verisnn.claims.generators import positive_linear, signed
from verisnn.core.domain import Box
from verisnn.core.model import relu_network

F = Fraction


def _cert(net, box=None):
    return certificate(enumerate_regions(net, box))


def test_farkas_exact():
    """x > 1 and x < 0 is empty (multipliers found and checked); x > 0 and x < 1 is not."""
    lam = farkas([(F(-1), F(1)), (F(0), F(-1))])
    assert lam is not None and farkas_ok([(F(-1), F(1)), (F(0), F(-1))], lam)
    assert farkas([(F(0), F(1)), (F(1), F(-1))]) is None
    assert farkas([(F(0), F(1), F(0)), (F(0), F(0), F(1)), (F(1), F(-1), F(-1))]) is None
    assert farkas([(F(0), F(1), F(0)), (F(0), F(0), F(1)), (F(-1), F(-1), F(-1))]) is not None
    assert farkas([(F(0), F(1), F(1)), (F(0), F(-1), F(-1))]) is not None


@pytest.mark.parametrize("make, box", [
    (lambda: one_layer([[1, 1]], [1]), Box.uniform(-3, 3, 2)),
    (lambda: one_layer([[1, 2, 3]], [2]), None),
    (lambda: positive_linear([2, 3, 2], 1), Box.uniform(0, 4, 2)),
    (lambda: signed([2, 3, 1], 1, {"name": "box", "delta": "2"}), Box.uniform(0, 3, 2)),
    (lambda: relu_network([([[1, -1], [-1, 1], [1, 1]], [0, 0, -1]), ([[1, 1, 1]], [0])]), Box.uniform(-2, 2, 2)),
])
def test_certificates_check(make, box):
    """Certificates of positive, signed finite-kernel and ReLU networks (box and Q^d) pass the checker."""
    net = make()
    rm = enumerate_regions(net, box)
    doc = json.loads(json.dumps(certificate(rm)))
    got = check_certificate(doc)
    assert (got.count, got.pieces) == (rm.count, rm.pieces)


def _positive_cert():
    return json.loads(json.dumps(_cert(positive_linear([2, 3, 2], 1, delays=False), Box.uniform(0, 4, 2))))


def _find_empty(node):
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            if "empty" in n:
                return n
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)
    return None


def test_tampering_is_caught():
    """A dropped piece, a changed number, a count off by one, a wrong Farkas multiplier: step failures."""
    good = _positive_cert()
    check_certificate(good)
    dropped = copy.deepcopy(good)
    dropped["pieces"].pop()
    with pytest.raises(StepFailed, match="piece"):
        check_certificate(dropped)
    off = copy.deepcopy(good)
    off["count"] += 1
    with pytest.raises(StepFailed, match="count"):
        check_certificate(off)
    moved = copy.deepcopy(good)
    moved["pieces"][0]["point"] = ["100", "100"]
    with pytest.raises(StepFailed, match="piece 0"):
        check_certificate(moved)
    out = copy.deepcopy(good)
    out["pieces"][1]["outputs"][0][0] = "12345"
    with pytest.raises(StepFailed, match="piece 1"):
        check_certificate(out)
    farkas_bad = copy.deepcopy(good)
    empty = _find_empty(farkas_bad["tree"])
    assert empty is not None
    empty["empty"][0][1] = "1000"
    with pytest.raises(StepFailed, match="empty"):
        check_certificate(farkas_bad)
    cut = copy.deepcopy(good)
    cut["tree"]["split"] = {"child": 0}  # the first neuron's split claims one part covers the whole cell
    with pytest.raises(StepFailed, match="not inside child"):
        check_certificate(cut)


def test_not_a_certificate():
    """Wrong format or keys are 'not a certificate'; a wrong key inside is a step failure, never a crash."""
    good = _positive_cert()
    with pytest.raises(NotCertificate):
        check_certificate([1, 2])
    with pytest.raises(NotCertificate, match="format"):
        check_certificate({**good, "format": "verisnn.regions-cert/9"})
    with pytest.raises(NotCertificate, match="timing"):
        check_certificate({**good, "timing": 3})
    inner = copy.deepcopy(good)
    inner["pieces"][0]["pointt"] = inner["pieces"][0].pop("point")
    with pytest.raises(StepFailed, match="'point' missing"):
        check_certificate(inner)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_tampering_never_crashes(data):
    """Any one value of the file replaced by a random JSON value: the checker accepts or names a step, never crashes."""
    doc = _positive_cert()
    paths = []
    stack = [((), doc)]
    while stack:
        path, node = stack.pop()
        paths.append(path)
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))
    path = data.draw(st.sampled_from([p for p in paths if p]))
    value = data.draw(st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["0", "1/2", "-7", "x"]),
                                st.just([]), st.just({})))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        check_certificate(doc)
    except (StepFailed, NotCertificate):
        pass


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(max_inputs=2, max_layers=2, max_width=2))
def test_certificates_of_random_networks_check(net):
    """Every kernel, signed weights, delays, references: the certificate of the enumeration passes the checker."""
    rm = enumerate_regions(net, Box.uniform(0, 3, net.dimension))
    got = check_certificate(json.loads(json.dumps(certificate(rm))))
    assert got.count == rm.count and got.pieces == rm.pieces


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(max_inputs=2, max_layers=2, max_width=2))
def test_lp_backends_agree(net):
    """Every LP backend gives the same count and the same pieces (patterns, constraint sets, outputs)."""
    box = Box.uniform(0, 3, net.dimension)
    maps = [enumerate_regions(net, box, lp=lp) for lp in LP_BACKENDS]

    def summary(rm):
        return sorted((rm.label(r.pattern), tuple(sorted(r.constraints)), r.outputs) for r in rm.regions)

    assert all(rm.count == maps[0].count and summary(rm) == summary(maps[0]) for rm in maps)


def test_cli_certify(cli, tmp_path):
    """`verisnn regions --certificate` then `verisnn certify`: exit 0; tampered 1 naming the step; not JSON 2."""
    cert = tmp_path / "cert.json"
    run = cli("regions", "examples/fact_sum.json", "--domain", "-5:5", "--certificate", cert)
    assert run.code == 0, run.err
    ok = cli("certify", cert)
    assert ok.code == 0, ok.err
    assert ok.out.startswith("certificate proves: 3 regions on -5:5,-5:5 (3 pieces)")
    doc = json.loads(cert.read_text())
    doc["count"] = 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    run = cli("certify", bad)
    assert run.code == 1 and "count" in run.out
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    run = cli("certify", junk)
    assert run.code == 2 and run.err.count("\n") == 1
    as_json = cli("certify", cert, "--json")
    assert as_json.code == 0 and as_json.json["count"] == 3


def test_unknown_is_a_result():
    """A passed deadline gives an UNKNOWN Result with its reason, never a count (no exception escapes)."""
    import time

    from verisnn.analyses.regions import count_regions
    from verisnn.core.results import Verdict

    res = count_regions(positive_linear([2, 3, 2], 1), Box.uniform(0, 4, 2), deadline=time.monotonic() - 1)
    assert res.verdict is Verdict.UNKNOWN and "time" in res.reason and "count" not in res.details
    ok = count_regions(one_layer([[1, 1]], [1]))
    assert ok.verdict is Verdict.PROVED and ok.details["count"] == 3 and ok.details["regions"].pieces == 3


def test_pwl_certificate_of_c2_checks(tmp_path):
    """C2 writes a verisnn.pwl-cert/1 file per size into the certificate folder; the checker accepts it."""
    from verisnn.checker import PWL_FORMAT, check_file
    from verisnn.claims.registry import RunContext, discover
    from verisnn.claims.runner import run_task
    from verisnn.core.results import Verdict

    claim = next(c for c in discover() if c.id == "C2")
    size = {"widths": [2, 2, 1], "kernel": "box", "family": "positive", "strata": False}
    res = run_task(claim, size, RunContext(certificates=str(tmp_path)))
    assert res.verdict is Verdict.PROVED, res.reason
    (path,) = tmp_path.iterdir()
    got = check_file(path)
    assert got.format == PWL_FORMAT and got.pieces == res.details["pieces"] and got.count == res.details["count"]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(net=networks(max_inputs=3, max_layers=3, max_width=3))
def test_certificates_stress(net):
    """Slow: 300 random networks up to 3 inputs and 3 layers on [-1, 3]^d, every certificate passes the checker."""
    rm = enumerate_regions(net, Box.uniform(-1, 3, net.dimension))
    got = check_certificate(json.loads(json.dumps(certificate(rm))))
    assert got.count == rm.count and got.pieces == rm.pieces


def _exact_numbers(doc, keys=("conditions", "times", "empty")):
    """Paths of every exact number (a string) inside the given keys, anywhere in the document."""
    out, stack = [], [((), doc, False)]
    while stack:
        path, node, inside = stack.pop()
        if isinstance(node, dict):
            stack.extend(((*path, k), v, inside or k in keys) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v, inside) for i, v in enumerate(node))
        elif inside and isinstance(node, str):
            out.append(path)
    return out


@pytest.mark.parametrize("make, box", [
    (lambda: positive_linear([2, 3, 2], 1, delays=False), Box.uniform(0, 4, 2)),
    (lambda: positive_linear([2, 3, 2], 2), Box.uniform(-1, 4, 2)),
    (lambda: relu_network([([[1, -1], [-1, 1], [1, 1]], [0, 0, -1]), ([[1, 1, 1]], [0])]), Box.uniform(-2, 2, 2)),
])
def test_every_changed_number_is_caught(make, box):
    """Each exact number of every condition, firing time and Farkas multiplier, moved by 1/7: the check fails.

    The checker compares them in integer arithmetic (over common denominators); this pins that
    arithmetic down number by number: a multiplier, a constant, a coefficient of a condition or of
    a firing time changed by any amount no longer checks.
    """
    good = json.loads(json.dumps(_cert(make(), box)))
    check_certificate(good)
    paths = _exact_numbers(good)
    assert len(paths) > 50
    for path in paths:
        doc = copy.deepcopy(good)
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = str(Fraction(target[path[-1]]) + Fraction(1, 7))
        with pytest.raises(StepFailed):
            check_certificate(doc)
