"""No import cycles among the modules of ``bot/`` and ``intents/`` (read with ``ast``).

Module-level imports count, since those run when a module is first imported; imports
under ``if TYPE_CHECKING:`` are left out (they never run). Imports inside functions run
later, so they cannot break an import; but one that exists to dodge a cycle hides it,
so a second test counts them too and still finds none (the few left load a heavy
part, scikit-learn or the ``check`` command, only when it is used).
``from x import y`` counts ``x.y`` when that is a module.
Importing ``a.b.c`` also runs ``a`` and ``a.b``, except the packages the importing
module sits in (they are already being imported). The sandbox lives outside ``bot/``
(``sandbox/``), so it is not read here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "intents")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements that run at import time (not in functions or classes' methods)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node):
                yield from _top_level_imports(node.body)
            yield from _top_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _top_level_imports(block)
            for handler in node.handlers:
                yield from _top_level_imports(handler.body)
        elif isinstance(node, ast.With):
            yield from _top_level_imports(node.body)


def _absolute(module: str, node: ast.ImportFrom, *, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    keep = len(base) - node.level + (1 if is_package else 0)
    prefix = ".".join(base[:keep])
    return f"{prefix}.{node.module}" if node.module else prefix


def _local_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements inside functions (run when the function is called)."""
    for node in body:
        if isinstance(node, ast.If) and _is_type_checking(node):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                for statement in ast.walk(inner):
                    if isinstance(statement, ast.Import | ast.ImportFrom):
                        yield statement


def _targets(
    module: str, path: Path, known: dict[str, Path], *, local: bool = False
) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    found = list(_top_level_imports(tree.body))
    if local:
        found += _local_imports(tree.body)
    for node in found:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        base = _absolute(module, node, is_package=is_package)
        names.add(base)
        names.update(f"{base}.{alias.name}" for alias in node.names)
    ancestors = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
    targets: set[str] = set()
    for name in names:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix in known and prefix not in ancestors and prefix != module:
                targets.add(prefix)
    return targets


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def import_graph(*, local: bool = False) -> dict[str, set[str]]:
    """Each module of ``bot`` and ``intents`` → the modules its import runs (``local``:
    and the modules its functions import)."""
    known = _modules()
    return {name: _targets(name, path, known, local=local) for name, path in known.items()}


def test_graph_reads_the_packages() -> None:
    """The graph holds the router and sees its top-level imports."""
    graph = import_graph()
    assert "bot.grammar" in graph["bot.router"]


def test_graph_sees_imports_inside_functions() -> None:
    """Counting imports inside functions, the CLI reaches the check it loads on demand."""
    assert "bot.check" in import_graph(local=True)["bot.cli"]
    assert "bot.check" not in import_graph()["bot.cli"]


def test_no_import_cycles() -> None:
    """No group of modules imports itself back at import time."""
    assert _cycles(import_graph()) == []


def test_no_import_inside_a_function_dodges_a_cycle() -> None:
    """Counting the imports inside functions too, there is still no cycle."""
    assert _cycles(import_graph(local=True)) == []


#: The imports inside functions that load a heavy part only when it is used.
ON_DEMAND = {
    "bot.cli": {"bot.check"},
    "intents.__main__": {"intents.metrics", "intents.training"},
    "intents.persist": {"intents.training"},
}


def test_imports_inside_functions_are_only_the_on_demand_ones() -> None:
    """A first-party import inside a function is one of the few that load a heavy part late."""
    at_import, local = import_graph(), import_graph(local=True)
    late = {name: local[name] - at_import[name] for name in local if local[name] - at_import[name]}
    assert late == ON_DEMAND
