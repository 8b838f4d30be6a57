"""Checking certificate files: one file, or a top file and the part files its tree refers to.

A large certificate is written in parts (docs/regions.md): the top file has the usual keys, and
in its tree a subtree may be replaced by ``{"part": name, "cell": [g, ...]}``.  ``name`` is a
path relative to the top file's folder; the part file is ``{"format": "verisnn.regions-part/1",
"level": k, "pieces": [...], "tree": node}``, whose tree root is a cell of unit ``k`` with
exactly the constraints ``cell`` (which the parent's split was checked against), and whose
pieces are numbered from 0.  Every part is checked like the top file's tree (it may refer to
parts in turn), each part at most once; then the distinct patterns of all pieces, over all
files, must number ``count``.  Parts are read one at a time, so memory is that of the largest
part; with ``jobs > 1`` that many parts are checked at once in worker processes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from verisnn.checker.reading import Affine, NotCertificate, StepFailed, affine, index, items, obj
from verisnn.checker.regions import Checked, Context, Tally, check_header, check_tree, checked, context

PART_FORMAT = "verisnn.regions-part/1"
PART_KEYS = ("format", "level", "pieces", "tree")
_NAME = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")


def _read(path: Path) -> Any:
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise NotCertificate(f"cannot read {str(path)!r}: {exc}") from None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise NotCertificate(f"{str(path)!r} is not JSON: {exc}") from None


def part_path(folder: Path, name: Any, where: str) -> Path:
    """The file of a part reference: a relative path below the top file's folder (no ``..``, no ``/`` first)."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name.split("/"):
        raise StepFailed(f"{where}: part name {name!r} is not a relative file name below the certificate's folder")
    return folder / name


def check_part(ctx: Context, path: Path, name: str, level: int, cell: tuple[Affine, ...]) -> Tally:
    """One part file: its format and keys, its level and root cell as referred to, then its tree and pieces."""
    where = f"part {name}"
    try:
        doc = _read(path)
    except NotCertificate as exc:
        raise StepFailed(f"{where}: {exc}") from None
    if not isinstance(doc, Mapping) or doc.get("format") != PART_FORMAT:
        raise StepFailed(f"{where}: not a certificate part ('format' must be {PART_FORMAT})")
    obj(doc, PART_KEYS, where)
    if index(doc["level"], len(ctx.units), f"{where} level") != level:
        raise StepFailed(f"{where}: level {doc['level']}, but it is referred to at unit {level}")
    root = doc["tree"]
    raw = root.get("cell") if isinstance(root, Mapping) else None
    got = tuple(affine(g, ctx.domain.n, f"{where} tree cell") for g in items(raw, f"{where} tree cell"))
    if got != cell:
        raise StepFailed(f"{where}: its tree's cell is not the cell it is referred to with")
    return check_tree(ctx, root, level, doc["pieces"], f"{where} ")


_WORKER: dict[str, Any] = {}


def _start_worker(network: Any, domain: Any, variables: Any) -> None:
    _WORKER["ctx"] = context(network, domain, variables)


def _worker_part(path: Path, name: str, level: int, cell: tuple[Affine, ...]) -> Tally:
    return check_part(_WORKER["ctx"], path, name, level, cell)


def check_file(path: str | Path, jobs: int = 1,
               progress: Callable[[int, int, int], None] | None = None) -> Checked:
    """Read and check a certificate file and its parts (NotCertificate for unreadable or non-JSON files).

    With ``jobs > 1`` the parts are checked in that many worker processes.  ``progress(done, known,
    pieces)`` is called after each checked part: parts checked, parts referred to so far, pieces checked.
    """
    top = Path(path)
    doc = _read(top)
    ctx = check_header(doc)
    tally = check_tree(ctx, doc["tree"], 0, doc["pieces"])
    pending = list(tally.parts)
    seen: set[Path] = set()

    def take(refs: list[tuple[str, int, tuple[Affine, ...], str]]) -> list[tuple[Path, str, int, tuple]]:
        out = []
        for name, level, cell, where in refs:
            file = part_path(top.parent, name, where)
            if file.resolve() in seen:
                raise StepFailed(f"{where}: part {name} is referred to twice")
            seen.add(file.resolve())
            out.append((file, name, level, cell))
        return out

    todo = take(pending)
    done_parts = [0]

    def finished(got: Tally) -> None:
        tally.add(got)
        todo.extend(take(got.parts))
        done_parts[0] += 1
        if progress is not None:
            progress(done_parts[0], len(seen), tally.pieces)

    if jobs <= 1:
        while todo:
            finished(check_part(ctx, *todo.pop(0)))
        return checked(doc, ctx, tally)
    pool = ProcessPoolExecutor(jobs, initializer=_start_worker,
                               initargs=(doc["network"], doc["domain"], doc["variables"]))
    try:
        running: set[Future] = set()
        while todo or running:
            while todo and len(running) < 2 * jobs:
                running.add(pool.submit(_worker_part, *todo.pop(0)))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                finished(future.result())  # a StepFailed of a worker is raised here
    finally:
        pool.shutdown(cancel_futures=True)
    return checked(doc, ctx, tally)
