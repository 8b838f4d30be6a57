"""The package's shape: layers import only downwards, solvers stay in their layer, no cycles, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "verisnn"

#: lowest first; a module may import from its own layer and the layers before it
LAYERS = ("core", "io", "semantics", "checker", "smt", "solvers", "analyses", "report", "claims", "cli")
SOLVER_LAYERS = ("smt", "solvers")
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(path: Path, module: str) -> list[tuple[str, int]]:
    """Every module named by an import anywhere in the file (function-level imports too)."""
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((name, node.lineno))
            found.extend((f"{name}.{a.name}", node.lineno) for a in node.names)
    return found


MODULES = _modules()


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def _resolve(name: str) -> str | None:
    """The project module an imported name lives in (``verisnn.core.model.Network`` -> ``verisnn.core.model``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def test_every_module_belongs_to_a_layer():
    """Apart from the package's entry points, every module sits in one of the named layers."""
    loose = [m for m in MODULES if _layer(m) is None and m not in ("verisnn", "verisnn.__main__")]
    assert not loose, f"modules outside the layers {LAYERS}: {loose}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layers_import_only_downwards(module):
    """A module imports only from its own layer and the layers below it."""
    own = _layer(module)
    if own is None:
        return
    bad = []
    for name, line in _imports(MODULES[module], module):
        target = _resolve(name)
        layer = _layer(target) if target else None
        if layer is not None and LAYERS.index(layer) > LAYERS.index(own):
            bad.append(f"line {line}: {name} ({layer} is above {own})")
    assert not bad, "\n".join(bad)


def test_only_the_solver_layers_import_solvers():
    """z3 and cvc5 are imported only in verisnn/smt and verisnn/solvers; theorem modules never import them."""
    bad = []
    files = [(m, p) for m, p in MODULES.items() if _layer(m) not in SOLVER_LAYERS]
    files += [(f"theorems.{p.stem}", p) for p in sorted((ROOT / "theorems").glob("*.py"))]
    for module, path in files:
        for name, line in _imports(path, module):
            if name.split(".")[0] in ("z3", "cvc5"):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not bad, "\n".join(sorted(set(bad)))


def test_no_import_cycles():
    """The module import graph (function-level imports included) has no cycle."""
    graph = {m: set() for m in MODULES}
    for m, path in MODULES.items():
        for name, _ in _imports(path, m):
            target = _resolve(name)
            if target and target != m and not m.startswith(target + ".") and target != "verisnn":
                graph[m].add(target)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            cycle = visit(m)
            assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_are_small(module):
    """No module is over 500 lines."""
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(ROOT)} has {lines} lines"
