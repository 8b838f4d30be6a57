"""Certificates in parts: a top file and part files, written one part at a time and checked part by part."""

from __future__ import annotations

import json
import shutil

import pytest

from verisnn.analyses.regions import certificate, enumerate_regions, write_certificate
from verisnn.checker import NotCertificate, StepFailed, check_certificate, check_file
from verisnn.claims.generators import positive_linear, signed
from verisnn.core.domain import Box
from verisnn.core.errors import InvalidInput
from verisnn.core.model import relu_network
from verisnn.io import network_to_json


@pytest.fixture(scope="module")
def region_map():
    rm = enumerate_regions(positive_linear([3, 3, 3], 1), Box.uniform(-2, 4, 3))
    assert rm.pieces > 30  # enough pieces for several parts
    return rm


def _parts(rm, folder, limit=8):
    path = folder / "cert.json"
    seen = []
    write_certificate(rm, path, part_pieces=limit, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] <= rm.pieces
    return path


def _refs(node):
    """The part references of a tree, in order."""
    out, work = [], [node]
    while work:
        n = work.pop()
        if "part" in n:
            out.append(n)
        elif "children" in n:
            work.extend(reversed(n["children"]))
    return out


@pytest.mark.parametrize("make, box", [
    (lambda: positive_linear([2, 6, 4], 1), Box.uniform(-2, 4, 2)),
    (lambda: signed([2, 3, 2], 2, {"name": "box", "delta": "2"}), Box.uniform(0, 3, 2)),
    (lambda: relu_network([([[1, -1], [-1, 1], [1, 1], [1, 2]], [0, 0, -1, 1]), ([[1, 1, 1, 1]], [0])]),
     Box.uniform(-2, 2, 2)),
])
def test_parts_check_like_one_file(make, box, tmp_path):
    """Written in parts of at most 4 pieces, the certificate proves what the one-file certificate proves, with 1 or 2 jobs."""
    rm = enumerate_regions(make(), box)
    path = _parts(rm, tmp_path, limit=4)
    top = json.loads(path.read_text())
    names = [ref["part"] for ref in _refs(top["tree"])]
    assert names and all(name.startswith("cert.parts/") for name in names)
    assert len(top["pieces"]) + sum(len(json.loads((tmp_path / n).read_text())["pieces"]) for n in names) == rm.pieces
    one = check_certificate(json.loads(json.dumps(certificate(rm))))
    assert check_file(path) == one == check_file(path, jobs=2)
    assert (one.count, one.pieces) == (rm.count, rm.pieces)


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_counts_every_part_and_piece(region_map, tmp_path, jobs):
    """Progress is reported once per part file, in order, and ends with all the parts and the pieces they hold."""
    path = _parts(region_map, tmp_path, limit=4)
    files = list((tmp_path / "cert.parts").rglob("*.json"))
    calls = []
    check_file(path, jobs, lambda *got: calls.append(got))
    assert [done for done, _, _ in calls] == list(range(1, len(files) + 1))
    assert all(done <= known <= len(files) for done, known, _ in calls)
    assert calls[-1] == (len(files), len(files), region_map.pieces)
    assert [pieces for _, _, pieces in calls] == sorted(pieces for _, _, pieces in calls)


def _files(folder):
    return {f.relative_to(folder): f.read_bytes() for f in sorted(folder.rglob("*.json"))}


@pytest.mark.parametrize("limit", [4, 12])
def test_parts_written_by_two_jobs_are_the_same_bytes(region_map, tmp_path, limit):
    """Parts written by forked workers are byte for byte those of one job; progress still ends at every piece."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    write_certificate(region_map, one / "cert.json", part_pieces=limit)
    seen = []
    write_certificate(region_map, two / "cert.json", part_pieces=limit, progress=seen.append, jobs=2)
    assert len(_files(one)) > 2 and _files(one) == _files(two)
    assert seen == sorted(seen) and seen[-1] == region_map.pieces - len(json.loads((two / "cert.json").read_text())["pieces"])
    assert check_file(two / "cert.json", jobs=2).count == region_map.count


def test_a_failing_part_writer_fails_the_certificate(region_map, tmp_path):
    """A part a worker cannot write is an error naming it, and no top file is written without its parts."""
    (tmp_path / "cert.parts" / "00002.json").mkdir(parents=True)  # a folder where a part file goes
    with pytest.raises(InvalidInput, match="00002.json"):
        write_certificate(region_map, tmp_path / "cert.json", part_pieces=4, jobs=2)
    assert not (tmp_path / "cert.json").exists()


def test_small_maps_stay_one_file(region_map, tmp_path):
    path = tmp_path / "one.json"
    write_certificate(region_map, path)
    assert not (tmp_path / "one.parts").exists()
    assert not _refs(json.loads(path.read_text())["tree"])
    assert check_file(path).count == region_map.count


def _tampered(tmp_path, region_map, change):
    folder = tmp_path / "t"
    folder.mkdir()
    path = _parts(region_map, folder)
    top = json.loads(path.read_text())
    change(folder, top)
    path.write_text(json.dumps(top))
    return path


def _edit_part(k, edit):
    def change(folder, top):
        file = folder / _refs(top["tree"])[k]["part"]
        doc = json.loads(file.read_text())
        edit(doc)
        file.write_text(json.dumps(doc))
    return change


def _nest(folder, top):
    """Move a subtree of the first part into a part of its own, referred to from the first part."""
    file = folder / _refs(top["tree"])[0]["part"]
    doc = json.loads(file.read_text())
    node, level = doc["tree"], doc["level"]
    while not any("cell" in c for c in node["children"]):
        raise AssertionError("the first part has no inner cell")
    j = next(j for j, c in enumerate(node["children"]) if "cell" in c)
    inner = node["children"][j]
    pieces = []

    def renumber(n):
        if "piece" in n:
            pieces.append(doc["pieces"][n["piece"]])
            n["piece"] = len(pieces) - 1
        else:
            for c in n["children"]:
                renumber(c)
    renumber(inner)
    (folder / "cert.parts" / "inner.json").write_text(json.dumps(
        {"format": "verisnn.regions-part/1", "level": level + 1, "pieces": pieces, "tree": inner}))
    node["children"][j] = {"part": "cert.parts/inner.json", "cell": inner["cell"]}
    keep = [p for p in doc["pieces"] if p not in pieces]
    old = doc["pieces"]
    doc["pieces"] = keep

    def again(n):
        if "piece" in n:
            n["piece"] = keep.index(old[n["piece"]])
        elif "children" in n:
            for c in n["children"]:
                again(c)
    again(doc["tree"])
    file.write_text(json.dumps(doc))


def test_nested_parts_check(region_map, tmp_path):
    """A part may refer to parts in turn."""
    path = _tampered(tmp_path, region_map, _nest)
    got = check_file(path)
    assert (got.count, got.pieces) == (region_map.count, region_map.pieces)


def _drop_file(folder, top):
    (folder / _refs(top["tree"])[1]["part"]).unlink()


def _twice(folder, top):
    refs = _refs(top["tree"])
    refs[1]["part"] = refs[0]["part"]


def _escape(folder, top):
    _refs(top["tree"])[0]["part"] = "../cert.parts/00001.json"


def _other_cell(folder, top):
    ref = _refs(top["tree"])[0]
    ref["cell"] = ref["cell"][:-1]


def _pattern(doc):
    piece = next(p for p in doc["pieces"] if any(a and len(a["causal"]) > 1 for a in p["pattern"]))
    act = next(a for a in piece["pattern"] if a and len(a["causal"]) > 1)
    act["causal"] = act["causal"][:-1]


def _count(folder, top):
    top["count"] += 1


def _level(doc):
    doc["level"] += 1


def _farkas(doc):
    work = [doc["tree"]]
    while work:
        n = work.pop()
        if isinstance(n, dict) and "empty" in n:
            n["empty"][0][1] = "1000"
            return
        work.extend(n.values() if isinstance(n, dict) else n if isinstance(n, list) else [])
    raise AssertionError("no empty part in the first part")


def _format(doc):
    doc["format"] = "verisnn.regions-cert/1"


@pytest.mark.parametrize("change, match", [
    (_drop_file, "cannot read"),
    (_twice, "referred to twice"),
    (_escape, "not a relative file name"),
    (_other_cell, "not the cell it is referred to with|not inside child"),
    (_count, "count: the pieces have"),
    (_edit_part(0, _pattern), "part cert.parts/00001.json piece"),
    (_edit_part(0, _level), "level"),
    (_edit_part(1, _farkas), "part cert.parts/00002.json tree"),
    (_edit_part(0, _format), "not a certificate part"),
    (_edit_part(0, lambda doc: doc["pieces"].pop()), "part cert.parts/00001.json"),
])
def test_tampered_parts_fail(region_map, tmp_path, change, match):
    """A missing, repeated, escaping or changed part, or a count off by one, is a failed step naming it."""
    path = _tampered(tmp_path, region_map, change)
    for jobs in (1, 2):
        with pytest.raises(StepFailed, match=match):
            check_file(path, jobs=jobs)


def test_parts_need_their_file(region_map, tmp_path):
    """The top document alone (in memory) refers to files it cannot open: a failed step, not a proof."""
    path = _parts(region_map, tmp_path)
    with pytest.raises(StepFailed, match="part file"):
        check_certificate(json.loads(path.read_text()))
    shutil.rmtree(tmp_path / "cert.parts")
    with pytest.raises(StepFailed, match="cannot read"):
        check_file(path)
    (tmp_path / "junk.json").write_text("[1")
    with pytest.raises(NotCertificate):
        check_file(tmp_path / "junk.json")


def test_parts_folder_must_be_writable(region_map, tmp_path):
    blocker = tmp_path / "cert.parts"
    blocker.write_text("a file where the folder goes")
    with pytest.raises(InvalidInput, match="cert.parts"):
        write_certificate(region_map, tmp_path / "cert.json", part_pieces=8)
    with pytest.raises(InvalidInput, match="nowhere"):
        write_certificate(region_map, tmp_path / "nowhere" / "cert.json", part_pieces=8)


def test_cli_certify_parts(cli, tmp_path):
    """`verisnn regions --part-pieces` writes parts; `verisnn certify --jobs 2` accepts them; a changed part: exit 1."""
    net = tmp_path / "net.json"
    net.write_text(json.dumps(network_to_json(positive_linear([3, 3, 3], 1))))
    path = tmp_path / "cert.json"
    run = cli("regions", net, "--domain", "-2:4", "--certificate", path, "--part-pieces", "8")
    assert run.code == 0, run.err
    assert f"certificate: {path} and its parts in {tmp_path / 'cert.parts'}" in run.out
    count = int(run.out.split()[0])
    ok = cli("certify", path, "--jobs", "2")
    assert ok.code == 0, ok.err
    assert ok.out.startswith(f"certificate proves: {count} regions")
    _edit_part(0, _pattern)(tmp_path, json.loads(path.read_text()))
    bad = cli("certify", path)
    assert bad.code == 1 and "part cert.parts/00001.json" in bad.out
