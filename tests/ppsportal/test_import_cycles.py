"""No import circle among the project's own modules.

The graph is read from the source (``ast``), not by importing: a node is a module of the project's
packages (migrations left out), an edge says module A imports module B. ``from pkg import name``
points at the submodule ``pkg.name`` when there is one, else at ``pkg``; a name not found goes to
its closest enclosing module. Imports under ``if TYPE_CHECKING:`` never run and do not count.

Module-level imports count, always: no circle is allowed among them.

Imports inside a function body count too (``test_no_circle_counting_deferred_imports``), with
no exception: an import deferred into a function is how a circle hides (the alerts outbox
dispatcher did so, and five more, each broken by giving a responsibility to the lower module).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("alerts", "interop", "partnerships", "ppsportal", "preparedness", "sso", "threats")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _resolve(name: str, modules) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(name: str, path: Path, modules, *, deferred: bool) -> set[str]:
    """The project modules this module imports (``deferred``: also inside function bodies)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                continue
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            counts = deferred or not inside
            if counts and isinstance(child, ast.Import):
                targets.update(_resolve(alias.name, modules) for alias in child.names)
            elif counts and isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                for alias in child.names:
                    submodule = f"{source}.{alias.name}"
                    targets.add(submodule if submodule in modules else _resolve(source, modules))
            visit(child, inside)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    targets.discard(None)
    targets.discard(name)
    return targets


@cache
def _graph(deferred: bool) -> dict[str, frozenset[str]]:
    modules = _modules()
    return {
        name: frozenset(_imports(name, path, modules, deferred=deferred))
        for name, path in modules.items()
    }


def _circles(graph) -> list[frozenset[str]]:
    """Strongly connected sets of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    members = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.add(member)
                        if member == node:
                            break
                    if len(members) > 1:
                        found.append(frozenset(members))
    return found


def _cycle_in(members: frozenset[str], graph) -> list[str]:
    """One closed path through the circle, for the failure message: a -> b -> ... -> a."""
    start = min(members)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for successor in sorted(graph[node] & members):
            if successor == start:
                return paths[node] + [start]
            if successor not in paths:
                paths[successor] = paths[node] + [successor]
                queue.append(successor)
    return sorted(members)  # pragma: no cover - a strongly connected set always closes


def _describe(circles, graph) -> str:
    return "\n".join(" -> ".join(_cycle_in(members, graph)) for members in circles)


def test_no_circle_among_module_level_imports():
    graph = _graph(deferred=False)
    circles = _circles(graph)
    assert not circles, "import circles (module-level imports):\n" + _describe(circles, graph)


def test_no_circle_counting_deferred_imports():
    graph = _graph(deferred=True)
    circles = _circles(graph)
    assert not circles, "import circles (counting imports inside functions):\n" + _describe(
        circles, graph
    )


def test_the_checker_finds_a_circle():
    """The checker itself: a circle of three, hidden behind a deferred import, is found."""
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert _circles(graph) == [frozenset({"a", "b", "c"})]
    assert _describe(_circles(graph), graph) == "a -> b -> c -> a"
    modules = _modules()
    tasks = _imports("alerts.tasks", modules["alerts.tasks"], modules, deferred=False)
    assert "alerts.delivery" in tasks
