"""The UI's imports run one way: cli -> app -> screens -> widgets -> control -> core, with no cycle
among the modules above the core (module level or inside functions), and the main screen's plain
objects (reader.control) never import Textual or Rich."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "reader"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in ROOT.rglob("*.py")}


def imports(name: str) -> set[str]:
    """The reader modules `name` imports, anywhere in it (functions and TYPE_CHECKING blocks too)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            if node.level:
                source = f"{base}.{node.module}" if node.module else base
            else:
                assert node.module is not None
                source = node.module
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)  # `from . import questions`
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imports(name) for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read_the_way_python_imports() -> None:
    assert "reader.screens.questions" in GRAPH["reader.screens.main"]  # `from . import questions`
    assert "reader.keymap" in GRAPH["reader.app"] and "reader.keymap" in GRAPH["reader.screens.help"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_above_the_core() -> None:
    above_core = {name: {m for m in targets if not m.startswith("reader.core")}
                  for name, targets in GRAPH.items() if not name.startswith("reader.core")}
    assert cycles(above_core) == []


# Modules outside these (the package, __main__, idle_gc, synth) stand beside them, outside any cycle.
LAYERS = ["reader.cli", "reader.app", "reader.screens", "reader.keymap", "reader.widgets", "reader.messages",
          "reader.control", "reader.core"]


def layer(name: str) -> int | None:
    matches = (i for i, prefix in enumerate(LAYERS) if name == prefix or name.startswith(prefix + "."))
    return next(matches, None)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) is not None))
def test_imports_only_run_down_the_layers(name: str) -> None:
    here = layer(name)
    assert here is not None
    upward = sorted(target for target in GRAPH[name] if (above := layer(target)) is not None and above < here)
    assert upward == []


def test_the_plain_objects_do_not_import_textual_or_rich() -> None:
    modules = sorted(name for name in MODULES if name.startswith("reader.control."))
    assert "reader.control.folders" in modules and "reader.control.story" in modules
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "                        if m == 'textual' or m.startswith(('textual.', 'rich')))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
