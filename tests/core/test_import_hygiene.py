"""The core never imports Textual: it is usable (and testable) without a terminal UI."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import reader.core


def test_core_modules_do_not_import_textual() -> None:
    modules = [f"reader.core.{info.name}" for info in pkgutil.iter_modules(reader.core.__path__)]
    assert "reader.core.query" in modules and "reader.core.index" in modules
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'rich')))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
