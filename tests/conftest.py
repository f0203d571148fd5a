"""Shared fixtures: every test runs with its own XDG folders, never the real home."""

from __future__ import annotations

import gc
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .corpus import write_library

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME and the XDG folders at a temporary folder for every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    return home


@pytest.fixture(autouse=True)
def unfrozen_after() -> Iterator[None]:
    """Let go of what a test froze for the cycle collector (the app, the loader and the grouping, run in
    the test's process, call `gc.freeze`): frozen, a later test's cycles (an index connection) would
    outlive it, and while something is frozen the loader keeps what it freezes frozen too."""
    frozen = gc.get_freeze_count()
    yield
    if gc.get_freeze_count() > frozen:
        gc.unfreeze()


@pytest.fixture(autouse=True)
def ungrouped_unless_about_stories(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests written before stories were grouped (the small library holds two records of one event)
    see one row per record, as they expect, unless marked `stories`: those run with the app's default,
    one row per story."""
    if request.node.get_closest_marker("stories") is None:
        from reader.control import filtering

        monkeypatch.setattr(filtering, "GROUPED_BY_DEFAULT", False)


@pytest.fixture
def seed_folder(tmp_path: Path) -> Path:
    """A copy of the bundled seeds that a test may change."""
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """The small library of tests/corpus.py, written as files."""
    return write_library(tmp_path / "library")
