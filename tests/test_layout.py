"""The package layout: imports point down the data flow, no import circles, none hidden in a function.

The import graph is read from the source (``ast``), every ``import`` statement counted wherever it stands, so a
circle cannot hide behind a function-local import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"

#: The stages in data-flow order: a module may import only from its own stage and the stages before it.
#: (``attribution`` needs only the core; ``evaluation`` scores what ``model`` and ``attribution`` produce;
#: ``reporting`` renders what ``evaluation`` and ``labelling`` wrote; the CLI sits on top of everything.)
FLOW = ("paths", "schema", "jsonl", "config", "encoders", "text", "attribution", "annotation", "model", "labelling", "evaluation",
        "reporting", "cli")
#: Where a function-local import of the package is allowed: the CLI imports a command's library when that
#: command runs, so that `stance --help` does not load torch. Nothing else may import lazily from the package.
LAZY_ALLOWED = {"pipeline.cli"}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level:
        base = importer.split(".") if is_package else importer.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("pipeline"):
        return []
    found = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]  # from pkg import module
    return found or ([target] if target in MODULES else [])


def imports(name: str) -> list[tuple[str, bool]]:
    """(imported pipeline module, whether the import statement is inside a function) for one module."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            local = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.ImportFrom):
                out.extend((t, in_function) for t in _resolve(name, path.name == "__init__.py", child))
            elif isinstance(child, ast.Import):
                out.extend((a.name, in_function) for a in child.names if a.name in MODULES)
            visit(child, local)

    visit(tree, False)
    return out


#: The top-level package exports its API lazily (``__getattr__``) and is left out of the graph.
GRAPH = {m: sorted({t for t, _ in imports(m) if t != "pipeline"}) for m in MODULES if m != "pipeline"}


def stage(module: str) -> str:
    return module.split(".")[1]


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = dfs(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = dfs(node)
            if found:
                return found
    return None


def stage_graph() -> dict[str, list[str]]:
    edges: dict[str, set[str]] = {}
    for m, targets in GRAPH.items():
        edges.setdefault(stage(m), set()).update(stage(t) for t in targets if stage(t) != stage(m))
    return {s: sorted(t) for s, t in edges.items()}


def test_every_module_belongs_to_a_stage():
    assert {stage(m) for m in GRAPH} <= set(FLOW)


def test_no_import_circle_between_modules():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_no_import_circle_between_stages():
    cycle = find_cycle(stage_graph())
    assert cycle is None, "import circle between stages: " + " -> ".join(cycle or [])


def test_imports_point_down_the_flow():
    upward = [f"{s} imports {t}" for s, targets in stage_graph().items() for t in targets if FLOW.index(t) > FLOW.index(s)]
    assert not upward, upward


def test_no_function_local_import_of_the_package():
    lazy = [f"{m} imports {t} inside a function" for m in MODULES if m not in LAZY_ALLOWED
            for t, local in imports(m) if local]
    assert not lazy, lazy


def test_the_checks_see_a_circle():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": []}) is None


@pytest.mark.parametrize("name", ["load_config", "train", "evaluate", "load_model", "Labeller", "label_paths"])
def test_the_package_exports_the_public_api(name):
    import pipeline

    assert name in pipeline.__all__ and callable(getattr(pipeline, name))
