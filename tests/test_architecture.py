"""The floors of docs/ARCHITECTURE.md: no import circle, gebieden imports nothing of allocatie,
the tools and the instance stay apart from what they must not know."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("allocatie", "gebieden", "tools")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str, top_level_only: bool) -> set[str]:
    """Modules of this repository imported by ``path`` (module level only, or anywhere)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                base = ".".join(module.split(".")[: -node.level] + [node.module])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _graph(top_level_only: bool) -> nx.DiGraph:
    files = {_module(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for module, path in files.items():
        for name in _imports(path, module, top_level_only):
            if name in files and name != module:
                graph.add_edge(module, name)
    return graph


def test_no_import_circle_at_module_level() -> None:
    cycles = list(nx.simple_cycles(_graph(top_level_only=True)))
    assert cycles == [], cycles


def test_gebieden_and_tools_import_no_product_code_they_must_not_know() -> None:
    graph = _graph(top_level_only=False)
    for module in graph:
        targets = set(graph.successors(module))
        if module.startswith("gebieden"):
            assert not {t for t in targets if t.startswith(("allocatie", "tools"))}, module
        if module.startswith("allocatie"):
            assert not {t for t in targets if t.startswith("tools")}, module
    assert "allocatie.validation" not in set(graph.successors("allocatie.instance"))


# The doors from allocatie to gebieden: the I/O floor, the reports (the comparison report
# draws maps too), the editor's map and onboarding (reading CBS geometry).
GEOMETRY_DOORS = ("allocatie.io", "allocatie.report", "allocatie.editor", "allocatie.onboarding",
                  "allocatie.compare.report")


def test_only_io_reports_editor_and_onboarding_import_gebieden() -> None:
    graph = _graph(top_level_only=False)
    through = sorted(module for module in graph if module.startswith("allocatie")
                     and any(t.split(".")[0] == "gebieden" for t in graph.successors(module))
                     and not module.startswith(GEOMETRY_DOORS))
    assert through == [], through
