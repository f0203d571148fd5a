"""The shape of the code, read from its source with `ast`: no import cycle, imports only downward
(cli -> app -> screens -> widgets -> control -> core), a core and plain objects without Textual or Rich
(read from the source, and checked again by importing them), no file or class too long, and a main
screen that holds its jobs rather than mixing them in.

Every import counts, at module level or inside a function (and under `if TYPE_CHECKING:`), since each
one ties the two modules together for whoever reads or changes them. Each failure lists every offender.
This is the one import-graph test of the project.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "reader"
MAX_FILE_LINES = 500
MAX_CLASS_LINES = 350

# A module may import modules of its own layer or of a lower one, never of a higher one: cli -> app ->
# screens -> keymap -> widgets -> messages -> control -> core. The other modules at the top of the package
# ("base": the package itself, the idle collector, the crash log, the corpus generator) sit beside the
# core and import only it. The core imports only itself, and `control` (plain objects the screens hold)
# only itself and the core.
LAYERS = {
    "cli": 8,
    "app": 7,
    "screens": 6,
    "keymap": 5,
    "widgets": 4,
    "messages": 3,
    "control": 2,
    "core": 1,
    "base": 1,
}
NAMED = {
    "reader.cli": "cli",
    "reader.__main__": "cli",
    "reader.app": "app",
    "reader.keymap": "keymap",
    "reader.messages": "messages",
}
ONLY = {"core": {"core"}, "control": {"control", "core"}, "base": {"base", "core"}}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool


def modules() -> dict[str, Module]:
    """Every module of the package by its dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        name = ".".join(parts)
        found[name] = Module(name, path, is_package)
    return found


MODULES = modules()


def layer(name: str) -> str:
    if name in NAMED:
        return NAMED[name]
    parts = name.split(".")
    if len(parts) >= 2 and parts[1] in ("screens", "widgets", "control", "core"):
        return parts[1]
    return "base"


def imported_names(module: Module) -> Iterator[tuple[str, int]]:
    """(absolute name of what is imported, line) for every import statement anywhere in the module:
    `from x import y` gives x.y when that is a module, and x itself (whose `__init__` runs first)."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), str(module.path))
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            yield base, node.lineno
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if candidate in MODULES:
                    yield candidate, node.lineno


def internal_imports(module: Module) -> Iterator[tuple[str, int]]:
    """The modules of the package this one imports (the nearest enclosing module for a name that is
    not itself a module), with the line of the import."""
    for name, line in imported_names(module):
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name.startswith("reader") and name != module.name:
            yield name, line


def where(module: Module, line: int) -> str:
    return f"{module.path.relative_to(PACKAGE.parent)}:{line}"


GRAPH = {name: sorted({target for target, _ in internal_imports(module)}) for name, module in MODULES.items()}


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (or a module importing itself):
    Tarjan's algorithm, iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root, targets in graph.items():
        if root in index:
            continue
        work = [(root, iter(targets))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        found.append(sorted(component))
    return found


def describe_cycle(component: list[str]) -> str:
    members = set(component)
    edges = dict.fromkeys(
        f"{source} -> {target} (line {line})"
        for source in component
        for target, line in internal_imports(MODULES[source])
        if target in members
    )
    return f"cycle among {', '.join(component)}: " + "; ".join(edges)


def test_the_graph_sees_imports_inside_functions() -> None:
    """The walk is real: it finds the cli's import of the app inside a function, and relative imports."""
    assert "reader.app" in GRAPH["reader.cli"]
    assert "reader.core.record" in GRAPH["reader.core.library"]
    assert cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert cycles({"a": ["a"], "b": []}) == [["a"]]


def test_the_graph_is_read_the_way_python_imports(tmp_path: Path) -> None:
    """`from . import questions` imports a module (and its package); the keymap is its own module, which
    the app and the help screen both import; imports under `if TYPE_CHECKING:` and inside functions
    count."""
    assert "reader.screens.questions" in GRAPH["reader.screens.main"]
    assert "reader.screens" in GRAPH["reader.screens.main"]
    assert "reader.keymap" in GRAPH["reader.app"] and "reader.keymap" in GRAPH["reader.screens.help"]
    source = tmp_path / "probe.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from ..app import ReaderApp\n"
        "def later():\n"
        "    from . import help\n"
        "    import reader.core.text\n",
        encoding="utf-8",
    )
    probe = Module("reader.screens.probe", source, is_package=False)
    assert sorted(internal_imports(probe)) == [
        ("reader.app", 3), ("reader.core.text", 6), ("reader.screens", 5), ("reader.screens.help", 5),
    ]


def test_no_import_cycle() -> None:
    found = cycles(GRAPH)
    assert not found, "import cycles:\n" + "\n".join(describe_cycle(component) for component in found)


def test_imports_only_go_down_the_layers() -> None:
    offenders = []
    for name, module in MODULES.items():
        own = layer(name)
        for target, line in internal_imports(module):
            other = layer(target)
            if LAYERS[other] > LAYERS[own]:
                offenders.append(f"{where(module, line)}: {own} {name} imports {other} {target}")
            elif own in ONLY and other not in ONLY[own]:
                offenders.append(f"{where(module, line)}: {own} {name} imports {other} {target}")
    assert not offenders, (
        "imports against the layers (cli -> app -> screens -> keymap -> widgets -> messages ->"
        " control -> core):\n" + "\n".join(offenders)
    )


def test_the_layers_are_read_as_meant() -> None:
    assert [
        layer(n) for n in ("reader.cli", "reader.screens.main", "reader.core.index", "reader.idle_gc")
    ] == ["cli", "screens", "core", "base"]
    assert any(layer(target) == "core" for target in GRAPH["reader.app"])


@pytest.mark.parametrize("layer_name", ["core", "control"])
def test_the_core_never_imports_textual_or_rich(layer_name: str) -> None:
    offenders = [
        f"{where(module, line)}: imports {imported}"
        for name, module in MODULES.items()
        if layer(name) == layer_name
        for imported, line in imported_names(module)
        if imported.split(".")[0] in ("textual", "rich")
    ]
    assert not offenders, f"{layer_name} imports a UI library:\n" + "\n".join(offenders)


@pytest.mark.parametrize("layer_name", ["core", "control"])
def test_importing_the_core_loads_no_textual_or_rich(layer_name: str) -> None:
    """Checked again at run time, in a fresh interpreter: importing every module of the layer loads
    neither Textual nor Rich, not even through a third-party library."""
    names = sorted(name for name in MODULES if layer(name) == layer_name)
    assert len(names) > 3
    code = (
        "import importlib, json, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "                        if m in ('textual', 'rich') or m.startswith(('textual.', 'rich.')))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_no_file_too_long() -> None:
    offenders = []
    for module in MODULES.values():
        lines = len(module.path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_FILE_LINES:
            offenders.append(f"{module.path.relative_to(PACKAGE.parent)}: {lines} lines")
    assert not offenders, f"files over {MAX_FILE_LINES} lines:\n" + "\n".join(offenders)


def test_no_class_too_long() -> None:
    offenders = []
    for module in MODULES.values():
        tree = ast.parse(module.path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = (node.end_lineno or node.lineno) - start + 1
                if length > MAX_CLASS_LINES:
                    offenders.append(f"{where(module, node.lineno)}: class {node.name}, {length} lines")
    assert not offenders, f"classes over {MAX_CLASS_LINES} lines:\n" + "\n".join(offenders)


def test_the_main_screen_is_a_screen_and_nothing_else() -> None:
    """The main screen's jobs are objects it holds (reader.control, screens/layout.py, screens/arrange.py)
    and delegates to, not mixins: its one base is Textual's Screen, in its source and at run time."""
    from textual.screen import Screen

    from reader.screens.main import MainScreen

    tree = ast.parse(MODULES["reader.screens.main"].path.read_text(encoding="utf-8"))
    (node,) = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "MainScreen"]
    assert [ast.unparse(base) for base in node.bases] == ["Screen[None]"] and not node.keywords
    mixed_in = [cls.__qualname__ for cls in MainScreen.__mro__[1:] if cls not in Screen.__mro__]
    assert not mixed_in, f"MainScreen inherits from {', '.join(mixed_in)}"
    assert MainScreen.__mro__[1:] == Screen.__mro__
