"""Mutation testing of one module against its tests: does each small change to the code make a test fail?

Usage (from the repository root, in the project's virtualenv; not part of the normal test run)::

    python tools/mutation.py reader/core/query.py                 # its tests: tests/*/test_query*.py
    python tools/mutation.py reader/core/urls.py tests/core/test_urls.py tests/core/test_urls_refusal.py
    python tools/mutation.py --core                               # every module in CORE below
    python tools/mutation.py reader/core/dates.py --list          # the mutants, without running them
    python tools/mutation.py reader/core/dates.py --only 31       # only the mutants on line 31
    python tools/mutation.py reader/core/text.py --jobs 2         # two mutants at a time

Before the mutants, one run of every test, unmutated and traced, records which lines of the module
each test runs (in any thread it starts; lines run at import or collection count for every test).
A mutant then runs only the tests that run one of its lines, and a mutant on lines no test runs
survives without a run ("unrun"). `--all-tests` runs every test file for every mutant instead. The
tests must not depend on each other's order (the project's suite runs in random order already);
lines run only in a subprocess count as unrun, which can only lower a score.

Each mutant is one change, found by walking the module's syntax tree (stdlib `ast`) in a fixed order:

- a comparison made its boundary or opposite: `<` <-> `<=`, `>` <-> `>=`, `==` <-> `!=`, `in` <-> `not in`,
  `is` <-> `is not`;
- `and` <-> `or`; `+` <-> `-`, `*` <-> `/`, `//` -> `*`, `%` -> `//`, `&` <-> `|` (also in `+=` and the like);
- an integer constant plus or minus one, a float plus one, `True` <-> `False`;
- a condition negated (`if`, `while`, conditional expressions, comprehension filters), `not x` -> `x`, `-x` -> `x`;
- a statement inside a function deleted (replaced by `pass`).

Docstrings, annotations, decorators, imports, definitions and `...` bodies are left alone, and so are
statements at module level (deleting one only fails the import). For each mutant a child process is
forked; it loads the mutated module in place of the file (an import hook: nothing is written to
disk), runs `pytest -x -q -p no:cacheprovider` on the tests that run the mutant's lines, and its exit status says killed (a
test failed, or the run timed out: 5 times the unmutated run, at least 10 s) or survived. Hypothesis
runs derandomized and without its database, so a run gives the same answer every time, and without
shrinking (a failing example ends the run: the smallest one makes no difference to the outcome).

The run works on a copy of reader/, tests/ and seeds/ taken when it starts, so the worktree may be
edited meanwhile. The score is killed / (mutants - equivalent). Equivalent mutants (changes no test
could see, such as the size of a cache) are listed in tools/mutation_equivalents.toml by module,
source line and change (and the function, `scope`, where a line recurs in the module, and the nearest
non-blank line above, `after`, where it recurs in one function), each with the reason; they are not run. Entries that match no mutant any more are reported as stale.
The exit status is 0 when every module reaches --target (90% by default), 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import importlib.abc
import importlib.util
import os
import shutil
import signal
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "tools" / "mutation_equivalents.toml"
_STATE_TESTS = [  # the reading state's modules share their tests (the slowest last)
    "tests/core/test_state_memory.py", "tests/core/test_state_load.py", "tests/core/test_state_db.py",
    "tests/core/test_state_writer.py", "tests/core/test_state_damage.py", "tests/core/test_state.py",
    "tests/core/test_cli_state.py", "tests/core/test_state_file.py",
]
CORE = {
    "reader/core/query.py": ["tests/core/test_query.py"],
    "reader/core/query_syntax.py": ["tests/core/test_query.py"],
    "reader/core/dates.py": ["tests/core/test_dates.py"],
    "reader/core/history.py": ["tests/core/test_history.py"],
    "reader/core/sorting.py": ["tests/core/test_sorting.py"],
    "reader/core/text.py": ["tests/core/test_text.py"],
    "reader/core/urls.py": ["tests/core/test_urls.py", "tests/core/test_urls_refusal.py", "tests/core/test_links.py"],
    "reader/core/identity.py": ["tests/core/test_identity.py"],
    "reader/core/filter_names.py": ["tests/core/test_filter_names.py"],
    "reader/core/record.py": ["tests/core/test_record.py"],
    "reader/core/json_stream.py": ["tests/core/test_json_stream.py"],
    "reader/core/story_links.py": ["tests/core/test_story_links.py", "tests/core/test_index_build.py"],
    "reader/core/settings.py": ["tests/core/test_settings.py", "tests/app/test_theme_precedence.py"],
    "reader/core/settings_values.py": ["tests/core/test_settings_values.py", "tests/core/test_settings.py"],
    "reader/core/record_files.py": [
        "tests/core/test_record_files.py", "tests/core/test_folder_links.py", "tests/core/test_fast_paths.py",
        "tests/core/test_watch.py",
    ],
    "reader/core/parsing.py": ["tests/core/test_parsing.py"],
    "reader/core/fields.py": [
        "tests/core/test_fields.py", "tests/core/test_frontmatter.py", "tests/core/test_edge_dates.py",
    ],
    "reader/core/frontmatter.py": [
        "tests/core/test_frontmatter.py", "tests/core/test_fastyaml_forms.py", "tests/core/test_fastyaml.py",
    ],
    "reader/core/fastyaml.py": ["tests/core/test_fastyaml_forms.py", "tests/core/test_fastyaml.py"],
    "reader/core/query_sql.py": ["tests/core/test_query_sql.py"],
    "reader/core/words.py": ["tests/core/test_words_exact.py", "tests/core/test_words.py"],
    "reader/core/index_schema.py": [
        "tests/core/test_index_schema.py", "tests/core/test_index_rows.py", "tests/core/test_warm_listing_stale.py",
        "tests/core/test_stale_rows.py", "tests/core/test_edge_dates.py", "tests/core/test_query_sql.py",
        "tests/core/test_fast_paths.py", "tests/core/test_index.py", "tests/core/test_index_build.py",
        "tests/core/test_warm_listing.py",
    ],
    "reader/core/story_rows.py": ["tests/core/test_story_rows.py"],
    "reader/core/stories.py": [
        "tests/core/test_stories.py", "tests/core/test_story_text.py", "tests/core/test_story_explain.py",
    ],
    "reader/core/story_window.py": [
        "tests/core/test_story_window.py", "tests/core/test_stories.py", "tests/core/test_story_text.py",
    ],
    "reader/core/state.py": _STATE_TESTS,
    "reader/core/state_db.py": _STATE_TESTS,
    "reader/core/state_file.py": _STATE_TESTS,
    "reader/core/state_memory.py": _STATE_TESTS,
    "reader/core/state_writer.py": _STATE_TESTS,
    "reader/core/counts.py": [
        "tests/core/test_counts.py", "tests/core/test_story_rows.py", "tests/core/test_control_counting.py",
    ],
    "reader/core/library.py": [
        "tests/core/test_library.py", "tests/core/test_library_versions.py", "tests/core/test_grouping.py",
    ],
    "reader/core/watch.py": ["tests/core/test_watch.py", "tests/core/test_folder_links.py"],
    "reader/core/loader.py": [
        "tests/core/test_index.py", "tests/core/test_library.py", "tests/core/test_grouping.py",
        "tests/core/test_fast_paths.py", "tests/core/test_index_build.py", "tests/core/test_control_folders.py",
        "tests/core/test_story_groups.py",
    ],
    "reader/core/listing.py": [
        "tests/core/test_listing.py", "tests/core/test_story_rows.py", "tests/core/test_control_filtering.py",
        "tests/core/test_words.py",
    ],
    "reader/core/index_rows.py": [
        "tests/core/test_index_rows.py", "tests/core/test_index_build.py", "tests/core/test_index.py",
        "tests/core/test_library.py", "tests/core/test_fast_paths.py", "tests/core/test_grouping.py",
    ],
}

_COMPARE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
_BINARY: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd,
}
_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.In: "in",
    ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.Add: "+", ast.Sub: "-", ast.Mult: "*",
    ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.BitAnd: "&", ast.BitOr: "|", ast.And: "and", ast.Or: "or",
}
_UNDELETABLE = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass,
                ast.Global, ast.Nonlocal)


@dataclass(frozen=True)
class Mutant:
    """One change: where it is and what it does (applied to a fresh parse of the module by `apply`)."""

    number: int
    line: int
    column: int
    change: str
    source_line: str
    apply: Callable[[ast.Module], None]
    scope: str = ""
    """The function or class the change is in ("Class.method"; "" at module level)."""
    previous_line: str = ""
    """The nearest non-blank source line above (stripped), to tell apart a line that recurs in a function."""
    end_line: int = 0
    """The last line of the changed node: the tests that run any line from `line` to here are its tests."""


def _short(node: ast.AST, limit: int = 40) -> str:
    """The node's source on one line, cut to `limit` characters."""
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_ellipsis(statement: ast.stmt) -> bool:
    """Whether the statement is `...` (a stub's body: deleting it changes nothing)."""
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and statement.value.value is ...


def _is_docstring(statement: ast.stmt, body: list[ast.stmt]) -> bool:
    """Whether the statement is a string alone: a docstring, or an attribute's docstring after an
    assignment (`self.largest = 0`, then a string saying what it holds), which does nothing."""
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and isinstance(
        statement.value.value, str
    )


def _declarations(tree: ast.Module) -> set[int]:
    """The ids of every node inside an annotation (never evaluated: the modules use postponed
    annotations) or a decorator (declarations such as `@dataclass(slots=True)` or a cache's size)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        roots: list[ast.AST | None] = []
        if isinstance(node, ast.arg):
            roots.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            roots += [node.returns, *node.decorator_list]
        elif isinstance(node, ast.ClassDef):
            roots += node.decorator_list
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
        for root in roots:
            if root is not None:
                inside.update(id(n) for n in ast.walk(root))
    return inside


def _locate(tree: ast.Module, path: tuple[tuple[str, int | None], ...]) -> tuple[ast.AST, str, int | None]:
    """The parent, field and index that `path` (from `_sites`) names in a fresh parse."""
    node: ast.AST = tree
    for name, index in path[:-1]:
        value = getattr(node, name)
        node = value[index] if index is not None else value
    name, index = path[-1]
    return node, name, index


def _replace(tree: ast.Module, path: tuple[tuple[str, int | None], ...], make: Callable[[ast.AST], ast.AST]) -> None:
    parent, name, index = _locate(tree, path)
    if index is None:
        setattr(parent, name, make(getattr(parent, name)))
    else:
        getattr(parent, name)[index] = make(getattr(parent, name)[index])


def _walk(node: ast.AST, path: tuple[tuple[str, int | None], ...] = ()) -> Iterator[tuple[ast.AST, tuple]]:
    """Every node below `node` with its path of (field, index) steps, in source order."""
    for name, value in ast.iter_fields(node):
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, ast.AST):
                    step = (*path, (name, index))
                    yield item, step
                    yield from _walk(item, step)
        elif isinstance(value, ast.AST):
            step = (*path, (name, None))
            yield value, step
            yield from _walk(value, step)


def mutants(source: str) -> list[Mutant]:
    """Every mutant of the module's source, in source order."""
    tree = ast.parse(source)
    lines = source.splitlines()
    skip = _declarations(tree)
    found: list[tuple[int, int, str, Callable[[ast.Module], None], str, int]] = []

    scopes: dict[int, str] = {}

    def enter(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = f"{scope}.{child.name}" if scope else child.name
            scopes[id(child)] = inner
            enter(child, inner)

    enter(tree, "")

    def add(node: ast.AST, change: str, apply: Callable[[ast.Module], None]) -> None:
        found.append((node.lineno, node.col_offset, change, apply, scopes.get(id(node), ""),  # type: ignore[attr-defined]
                      getattr(node, "end_lineno", None) or node.lineno))  # type: ignore[attr-defined]

    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            in_function.update(id(n) for n in ast.walk(node) if n is not node)

    for node, path in _walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _COMPARE:
                    new = _COMPARE[type(op)]

                    def flip(tree: ast.Module, path: tuple = path, i: int = i, new: type = new) -> None:
                        _locate_node(tree, path).ops[i] = new()

                    left, right = _short(([node.left, *node.comparators])[i], 20), _short(node.comparators[i], 20)
                    add(node, f"`{left} {_SYMBOLS[type(op)]} {right}` -> `{left} {_SYMBOLS[new]} {right}`", flip)
        elif isinstance(node, ast.BoolOp):
            new_op = ast.Or if isinstance(node.op, ast.And) else ast.And

            def swap(tree: ast.Module, path: tuple = path, new_op: type = new_op) -> None:
                _locate_node(tree, path).op = new_op()

            add(node, f"`{_SYMBOLS[type(node.op)]}` -> `{_SYMBOLS[new_op]}`", swap)
        elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _BINARY:
            new_bin = _BINARY[type(node.op)]

            def arith(tree: ast.Module, path: tuple = path, new_bin: type = new_bin) -> None:
                _locate_node(tree, path).op = new_bin()

            suffix = "=" if isinstance(node, ast.AugAssign) else ""
            add(node, f"`{_SYMBOLS[type(node.op)]}{suffix}` -> `{_SYMBOLS[new_bin]}{suffix}`", arith)
        elif isinstance(node, ast.Constant):
            value = node.value
            replacements: list[object] = []
            if isinstance(value, bool):
                replacements = [not value]
            elif isinstance(value, int):
                replacements = [value + 1, value - 1]
            elif isinstance(value, float):
                replacements = [value + 1]
            for new_value in replacements:
                def constant(tree: ast.Module, path: tuple = path, new_value: object = new_value) -> None:
                    _replace(tree, path, lambda old: ast.copy_location(ast.Constant(new_value), old))

                add(node, f"`{value!r}` -> `{new_value!r}`", constant)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)) and not _is_condition(path):
            def drop(tree: ast.Module, path: tuple = path) -> None:
                _replace(tree, path, lambda old: old.operand)  # type: ignore[attr-defined]

            add(node, f"`{_short(node)}` -> `{_short(node.operand)}`", drop)
        if _is_condition(path) and not _is_plain_flip(node):
            def negate(tree: ast.Module, path: tuple = path) -> None:
                _replace(tree, path, _negated)

            add(node, f"negate `{_short(node)}`", negate)
        if isinstance(node, ast.stmt) and id(node) in in_function and not isinstance(node, _UNDELETABLE):
            parent = _locate_node(tree, path[:-1]) if len(path) > 1 else tree
            body = getattr(parent, path[-1][0])
            if not _is_docstring(node, body) and not _is_ellipsis(node):
                def delete(tree: ast.Module, path: tuple = path) -> None:
                    _replace(tree, path, lambda old: ast.copy_location(ast.Pass(), old))

                add(node, f"delete `{_short(node)}`", delete)
    found.sort(key=lambda item: (item[0], item[1]))
    # The same change twice on one line (two 80s) is told apart by its place on the line.
    counts: dict[tuple[int, str], int] = {}
    for line, _, change, _, _, _ in found:
        counts[line, change] = counts.get((line, change), 0) + 1
    seen: dict[tuple[int, str], int] = {}
    result = []
    for number, (line, column, change, apply, scope, end) in enumerate(found, 1):
        if counts[line, change] > 1:
            seen[line, change] = seen.get((line, change), 0) + 1
            change = f"{change} (#{seen[line, change]} on the line)"
        above = next((text.strip() for text in reversed(lines[: line - 1]) if text.strip()), "")
        result.append(Mutant(number, line, column, change, lines[line - 1].strip(), apply, scope, above, end))
    return result


def _locate_node(tree: ast.Module, path: tuple) -> ast.AST:
    parent, name, index = _locate(tree, path)
    value = getattr(parent, name)
    return value[index] if index is not None else value


def _is_condition(path: tuple) -> bool:
    """Whether the node at `path` is the condition of an if, while, conditional expression or
    comprehension filter (its last step says which field of its parent holds it)."""
    return bool(path) and path[-1][0] in ("test", "ifs")


def _is_plain_flip(node: ast.AST) -> bool:
    """Whether negating the condition is the same mutant as flipping its one comparison (`==`, `in`, `is`)."""
    return (
        isinstance(node, ast.Compare) and len(node.ops) == 1
        and isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot))
    )


def _negated(node: ast.AST) -> ast.AST:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return node.operand
    return ast.copy_location(ast.UnaryOp(ast.Not(), node), node)


def mutated_code(source: str, filename: str, mutant: Mutant | None) -> object:
    """The module compiled with the mutant applied (or unchanged for None)."""
    tree = ast.parse(source)
    if mutant is not None:
        mutant.apply(tree)
        ast.fix_missing_locations(tree)
    return compile(tree, filename, "exec")


class _Loader(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves one module from a code object instead of its file."""

    def __init__(self, name: str, filename: str, code: object) -> None:
        self.name, self.filename, self.code = name, filename, code

    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        if fullname != self.name:
            return None
        return importlib.util.spec_from_file_location(fullname, self.filename, loader=self)

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return None

    def exec_module(self, module) -> None:  # type: ignore[no-untyped-def]
        exec(self.code, module.__dict__)  # noqa: S102 - the mutated module itself


def snapshot() -> Path:
    """A copy of the code and tests as they are now, which the run uses: editing the worktree while
    mutants run changes nothing. (The caller removes it.)"""
    copy = Path(tempfile.mkdtemp(prefix="mutation-"))
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")
    for name in ("reader", "tests", "seeds"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, copy / name, ignore=skip)
    shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def _prepare(name: str, filename: str, quiet: bool) -> None:
    """In a forked child: work in the snapshot that holds `filename` (whose reader package is imported
    rather than the installed one), quietly, with Hypothesis derandomized."""
    base = Path(filename).parents[len(name.split(".")) - 1]
    os.chdir(base)
    sys.path.insert(0, str(base))
    if quiet:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    import hypothesis

    hypothesis.settings.register_profile(  # no shrinking: any failure kills, however small its example
        "mutation", derandomize=True, database=None, deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.reuse, hypothesis.Phase.generate],
    )
    hypothesis.settings.load_profile("mutation")


class _Only:
    """A pytest plugin that keeps only the tests named (by node id), in their usual order."""

    def __init__(self, keep: frozenset[str]) -> None:
        self.keep = keep

    def pytest_collection_modifyitems(self, config, items) -> None:  # type: ignore[no-untyped-def]
        dropped = [item for item in items if item.nodeid not in self.keep]
        items[:] = [item for item in items if item.nodeid in self.keep]
        config.hook.pytest_deselected(items=dropped)


def _child(name: str, filename: str, code: object, tests: list[str], quiet: bool,
           keep: frozenset[str] | None = None) -> int:
    """In the forked child: load the mutant in place of the module and run the tests (only those in
    `keep`, when given)."""
    _prepare(name, filename, quiet)
    import pytest

    sys.meta_path.insert(0, _Loader(name, filename, code))
    plugins = [] if keep is None else [_Only(keep)]
    return int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *tests], plugins=plugins))


BEFORE_TESTS = "<import>"
"""Where the lines run outside any test are filed: at import, collection, session set-up."""


def _trace_child(name: str, filename: str, tests: list[str], out: str) -> int:
    """In a forked child: run every test unmutated, tracing which lines of the module each one runs
    (in any thread it starts), and write {test node id: [lines]} to `out` as JSON."""
    import json
    import threading

    _prepare(name, filename, quiet=True)
    import pytest

    ran: dict[str, set[int]] = {}
    current = [BEFORE_TESTS]

    def local(frame, event, arg):  # type: ignore[no-untyped-def]
        if event == "line":
            ran.setdefault(current[0], set()).add(frame.f_lineno)
        return local

    def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
        if frame.f_code.co_filename != filename:
            return None
        ran.setdefault(current[0], set()).add(frame.f_lineno)
        return local

    class Follow:
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_protocol(self, item, nextitem):  # type: ignore[no-untyped-def]
            current[0] = item.nodeid
            # Again for each test: a trace function that fails (RecursionError in a test of deep
            # nesting) is turned off by Python, and every later test would then look as if it ran nothing.
            sys.settrace(tracer)
            yield
            current[0] = BEFORE_TESTS

    threading.settrace(tracer)
    sys.settrace(tracer)
    try:
        status = int(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:randomly", *tests], plugins=[Follow()]))
    finally:
        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]
    with open(out, "w", encoding="utf-8") as file:
        json.dump({test: sorted(lines) for test, lines in ran.items()}, file)
    return status


def _start(name: str, filename: str, code: object, tests: list[str], quiet: bool = True,
           keep: frozenset[str] | None = None) -> int:
    pid = os.fork()
    if pid == 0:
        status = 99
        try:
            status = _child(name, filename, code, tests, quiet, keep)
        except BaseException:  # noqa: BLE001 - any failure in the child is the mutant's doing
            status = 98
        finally:
            os._exit(status)
    return pid


def lines_run(name: str, filename: str, tests: list[str]) -> dict[str, set[int]] | None:
    """Which lines of the module each test runs (None when the tests fail unmutated)."""
    import json

    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    try:
        pid = os.fork()
        if pid == 0:
            status = 99
            try:
                status = _trace_child(name, filename, tests, out)
            except BaseException:  # noqa: BLE001
                status = 98
            finally:
                os._exit(status)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        with open(out, encoding="utf-8") as file:
            return {test: set(lines) for test, lines in json.load(file).items()}
    finally:
        os.unlink(out)


def tests_for(mutant: Mutant, ran: dict[str, set[int]]) -> frozenset[str] | None:
    """The tests that run any line of the mutant: None for every test (the lines also run outside
    any test, e.g. at import, so every test may see the change), empty when no test runs them."""
    span = set(range(mutant.line, max(mutant.line, mutant.end_line) + 1))
    if span & ran.get(BEFORE_TESTS, set()):
        return None
    return frozenset(test for test, lines in ran.items() if test != BEFORE_TESTS and span & lines)


@dataclass
class Result:
    mutant: Mutant
    outcome: str  # "killed", "timeout", "survived"


def _warm_up() -> None:
    """Import pytest, its plugins and Hypothesis once here, so that each forked child starts with them."""
    import importlib.metadata

    import hypothesis  # noqa: F401
    import pytest  # noqa: F401

    for entry in importlib.metadata.entry_points(group="pytest11"):
        try:
            importlib.import_module(entry.module)
        except Exception:  # noqa: BLE001 - a plugin that fails to import fails in the child the same way
            pass


def _module_name(module: str) -> str:
    return ".".join(Path(module).with_suffix("").parts)


def _in(mutant: Mutant) -> str:
    return f" in {mutant.scope}" if mutant.scope else ""


def _matches(entry: dict[str, str], mutant: Mutant) -> bool:
    """Whether an entry of the equivalents file names the mutant: its source line and change, and its
    function when the entry gives one (`scope`, for lines that recur in a module), and the line above it
    when the entry gives one (`after`, for a line that recurs in one function)."""
    return (
        entry["line"].strip() == mutant.source_line and entry["change"] == mutant.change
        and entry.get("scope", mutant.scope) == mutant.scope
        and entry.get("after", mutant.previous_line).strip() == mutant.previous_line
    )


def _load_equivalents(module: str) -> list[dict[str, str]]:
    if not EQUIVALENTS.exists():
        return []
    with EQUIVALENTS.open("rb") as file:
        data = tomllib.load(file)
    return [entry for entry in data.get("equivalent", []) if entry.get("module") == module]


def _run_all(
    name: str, filename: str, source: str, tests: list[str], pending: list[Mutant],
    running: dict[int, tuple[Mutant, float]], results: list[Result], *, jobs: int, limit: float, verbose: bool,
    ran: dict[str, set[int]] | None = None,
) -> None:
    """Run the pending mutants, `jobs` at a time, adding each outcome to `results`. With `ran` (which
    lines each test runs) a mutant runs only the tests that run its lines, and one that no test runs
    survives without a run."""
    base = Path(filename).parents[len(name.split(".")) - 1]
    while pending or running:
        while pending and len(running) < jobs:
            mutant = pending.pop()
            keep = None if ran is None else tests_for(mutant, ran)
            files = tests
            if keep is not None:
                if not keep:
                    results.append(Result(mutant, "unrun"))
                    if verbose:
                        print(f"  unrun    line {mutant.line}{_in(mutant)}: {mutant.change}", flush=True)
                    continue
                files = sorted({str(base / test.split("::")[0]) for test in keep})
            try:
                code = mutated_code(source, filename, mutant)
            except SyntaxError:  # (deleting a name's only binding under `nonlocal`): the import fails
                results.append(Result(mutant, "killed"))
                if verbose:
                    print(f"  killed   line {mutant.line}{_in(mutant)}: {mutant.change} (no compile)", flush=True)
                continue
            running[_start(name, filename, code, files, keep=keep)] = (mutant, time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG) if running else (0, 0)
        if pid == 0:
            now = time.monotonic()
            for child, (mutant, since) in list(running.items()):
                if now - since > limit:
                    os.kill(child, signal.SIGKILL)
                    os.waitpid(child, 0)
                    del running[child]
                    results.append(Result(mutant, "timeout"))
                    if verbose:
                        print(f"  timeout  line {mutant.line}{_in(mutant)}: {mutant.change}", flush=True)
            time.sleep(0.01)
            continue
        if pid not in running:
            continue
        mutant, _ = running.pop(pid)
        outcome = "survived" if os.waitstatus_to_exitcode(status) == 0 else "killed"
        results.append(Result(mutant, outcome))
        if verbose:
            print(f"  {outcome:8} line {mutant.line}{_in(mutant)}: {mutant.change}", flush=True)


def run_module(
    module: str, tests: list[str], *, base: Path, jobs: int, only: set[int] | None, verbose: bool,
    select: bool = True,
) -> float | None:
    """Run every mutant of `module` against `tests` in `base` (a `snapshot`) and print the outcome;
    the score, or None when the unmutated module already fails its tests."""
    module = (ROOT / module).resolve().relative_to(ROOT).as_posix()
    path = base / module
    _warm_up()
    source = path.read_text(encoding="utf-8")
    name, filename = _module_name(module), str(path)
    every = mutants(source)
    equivalents = _load_equivalents(module)
    used: set[int] = set()
    runnable, excluded = [], []
    for mutant in every:
        match = next(
            (i for i, e in enumerate(equivalents) if _matches(e, mutant)),
            None,
        )
        if match is not None:
            used.add(match)
            excluded.append((mutant, equivalents[match].get("why", "")))
        elif only is None or mutant.line in only:
            runnable.append(mutant)
    tests = [str(base / test) for test in tests]

    started = time.monotonic()
    pid = _start(name, filename, mutated_code(source, filename, None), tests)
    _, status = os.waitpid(pid, 0)
    baseline = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        print(f"{module}: the tests fail without any mutant (exit {os.waitstatus_to_exitcode(status)}); "
              "run them to see why")
        return None
    limit = max(10.0, 5 * baseline)
    ran = None
    if select:
        ran = lines_run(name, filename, tests)
        if ran is None:
            print(f"{module}: the tests fail when traced (set --all-tests to run every test per mutant)")
            return None

    results: list[Result] = []
    pending = list(reversed(runnable))
    running: dict[int, tuple[Mutant, float]] = {}
    try:
        _run_all(name, filename, source, tests, pending, running, results, jobs=jobs, limit=limit, verbose=verbose,
                 ran=ran)
    finally:
        for child in running:  # interrupted: stop the mutants still running
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)


    results.sort(key=lambda r: r.mutant.number)
    killed = sum(r.outcome in ("killed", "timeout") for r in results)
    timeouts = sum(r.outcome == "timeout" for r in results)
    survivors = [r.mutant for r in results if r.outcome in ("survived", "unrun")]
    unrun = {r.mutant.number for r in results if r.outcome == "unrun"}
    scored = len(results)
    score = 100.0 * killed / scored if scored else 100.0
    scope = "" if only is None else f" (lines {', '.join(map(str, sorted(only)))} only)"
    print(f"{module}{scope}: {len(every)} mutants, {len(excluded)} equivalent (not run), {scored} run: "
          f"{killed} killed ({timeouts} by timeout), {len(survivors)} survived ({len(unrun)} on lines no test runs) -> "
          f"{score:.1f}% of non-equivalent mutants killed  [tests took {baseline:.1f} s unmutated]")
    for mutant in survivors:
        if mutant.number in unrun:
            print(f"  unrun     line {mutant.line}{_in(mutant)}: {mutant.change}    | {mutant.source_line}")
            continue
        print(f"  survived  line {mutant.line}{_in(mutant)}: {mutant.change}    | {mutant.source_line}")
    if verbose:
        for mutant, why in excluded:
            print(f"  equivalent line {mutant.line}{_in(mutant)}: {mutant.change}    | {why}")
    for i, entry in enumerate(equivalents):
        if i not in used:
            print(f"  stale equivalent entry (matches no mutant): {entry['change']} | {entry['line']}")
    return score


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the snapshot is removed
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", nargs="?", help="the module's path, e.g. reader/core/query.py")
    parser.add_argument("tests", nargs="*", help="its test files (default: tests/*/test_<name>*.py)")
    parser.add_argument("--core", action="store_true", help="every module listed in CORE, with its tests")
    parser.add_argument("--list", action="store_true", help="list the mutants without running them")
    parser.add_argument("--only", type=int, action="append", metavar="LINE", help="only the mutants on this line")
    parser.add_argument("--all-tests", action="store_true",
                        help="run every test file for every mutant (default: only the tests that run its lines)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at a time (default 1)")
    parser.add_argument("--target", type=float, default=90.0, help="the score each module must reach (%%)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each mutant's outcome as it comes")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if args.core:
        plan = list(CORE.items())
    elif args.module:
        stem = Path(args.module).stem
        tests = args.tests or CORE.get(args.module) or sorted(str(p.relative_to(ROOT)) for p in ROOT.glob(f"tests/*/test_{stem}*.py"))
        plan = [(args.module, tests)]
    else:
        parser.error("give a module, or --core")
    if args.list:
        for module, _ in plan:
            for mutant in mutants((ROOT / module).read_text(encoding="utf-8")):
                print(f"{module}:{mutant.line}:{mutant.column}{_in(mutant)}: {mutant.change}    | {mutant.source_line}")
        return 0
    ok = True
    base = snapshot()
    try:
        for module, tests in plan:
            score = run_module(module, tests, base=base, jobs=max(1, args.jobs),
                               only=set(args.only) if args.only else None, verbose=args.verbose,
                               select=not args.all_tests)
            ok = ok and score is not None and score >= args.target
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
