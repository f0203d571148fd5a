"""`reader --list` from a warm index prints what the plain way prints on the shared test corpora (the
seed library and the hostile records), with and without filters, and again after files change."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from reader import cli
from reader.core import warm_listing
from reader.core.query import parse_query
from reader.core.state import StateStore, state_location
from reader.core.warm_listing import Listing, Stale
from tests.corpus import write_library, write_story
from tests.hostile import write_hostile_folder

QUERIES = [
    "", "the", "-the", "a", "ai", "é", "ß", "\u212a", "title:the", "-title:a", "provider:e", "-provider:e",
    "topic:ai", "-topic:ai", "type:article", "-category:news", "quality:>10", "-heat:<0", "has:image",
    "the OR ai", "-(the OR é)", "is:unread", "is:published a", "raw", "payload", "漢字", "strasse",
    "provider:strasse", "title:strasse",
]


def listing(folder: Path, query: str, fmt: str, monkeypatch: pytest.MonkeyPatch, *, plain: bool) -> tuple[str, str]:
    """(stdout, stderr) of `reader --list --filter query folder`, from the warm index, or the plain way."""
    out, err = io.StringIO(), io.StringIO()
    store = StateStore(state_location())
    try:
        with monkeypatch.context() as patch:
            if plain:
                patch.setattr(warm_listing, "warm_listing", lambda *args, **kwargs: Stale("the plain way"))
            assert cli.list_records([str(folder)], parse_query(query, state=store), fmt, out, err) == 0
    finally:
        store.close()
    return out.getvalue(), err.getvalue()


def assert_warm_is_plain(folder: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every query in both formats: the warm listing answers, and prints what the plain way prints.
    Returns the lines printed in all."""
    printed = 0
    for query in QUERIES:
        answer = warm_listing.warm_listing([str(folder)], parse_query(query))
        assert isinstance(answer, Listing), (query, answer)
        answer.close()
        for fmt in ("tsv", "json"):
            warm = listing(folder, query, fmt, monkeypatch, plain=False)
            assert warm == listing(folder, query, fmt, monkeypatch, plain=True), (query, fmt)
            printed += warm[0].count("\n")
    return printed


def change_files(folder: Path) -> None:
    """Edit a record, remove one, add two (one of them a story's second record)."""
    names = sorted(name for name in os.listdir(folder) if name.endswith(".md"))
    edited = folder / names[0]
    text = edited.read_text(encoding="utf-8", errors="surrogateescape")
    edited.write_text(text.replace("title:", "title: The edited", 1), encoding="utf-8", errors="surrogateescape")
    info = os.stat(edited)
    os.utime(edited, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    (folder / names[1]).unlink()
    title = "A new record about the AI café in the Straße"
    write_story(folder, "zz-new.md", title, "Straße", "2030-01-01T00:00:00Z")
    write_story(folder / "deeper", "zz-new-2.md", title, "Other", "2030-01-02T00:00:00Z")


@pytest.mark.parametrize("corpus", ["library", "hostile"])
def test_the_warm_listing_prints_the_plain_way_s_lines_before_and_after_changes(
    corpus: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / corpus
    if corpus == "library":
        write_library(folder)
    else:
        write_hostile_folder(folder)
    listing(folder, "", "tsv", monkeypatch, plain=False)  # builds the index
    assert assert_warm_is_plain(folder, monkeypatch) > 100
    change_files(folder)
    assert isinstance(warm_listing.warm_listing([str(folder)], parse_query("")), Stale)
    after = listing(folder, "", "tsv", monkeypatch, plain=False)  # the plain way, which stores the changes
    assert "The edited" in after[0] and "A new record about the AI café" in after[0]
    assert assert_warm_is_plain(folder, monkeypatch) > 100
