"""Story identity (reader.core.identity): the key under which a story's reading state is kept."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from reader.core.identity import storable_id, story_id, summary_id, valid_text


@dataclass
class Located:
    url: str
    path: str


def test_the_identity_is_the_stripped_url_else_file_and_the_path() -> None:
    assert story_id(" https://e.com/a\t", "/x/a.md") == "https://e.com/a"
    assert story_id("", "/x/a.md") == "file:/x/a.md"
    assert story_id("  \n", "/x/a.md") == "file:/x/a.md"
    assert summary_id(Located("https://e.com/b ", "/x/b.md")) == "https://e.com/b"
    assert summary_id(Located("", "/x/b.md")) == "file:/x/b.md"


@pytest.mark.parametrize("text", ["https://e.com/a", "https://例え.jp/ü", "file:/x/café.md", ""])
def test_ordinary_text_is_its_own_identity(text: str) -> None:
    assert storable_id(text) == text


def test_up_to_4096_characters_are_kept_whole_and_longer_ones_end_in_a_hash_of_the_whole() -> None:
    for text in ("a" * 4096, "é" * 4096):
        assert storable_id(text) == text
    for text in ("a" * 4097, "é" * 4097, "a" * 10_000):
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert storable_id(text) == text[: 4096 - 65] + "#" + digest
        assert len(storable_id(text)) == 4096


def test_unpaired_surrogates_are_written_as_escapes_that_encode() -> None:
    # A file name that is not UTF-8 comes as surrogate escapes: they become its original bytes, escaped.
    assert valid_text("caf\udce9") == "caf\\xe9"
    assert story_id("", "/x/caf\udce9.md") == "file:/x/caf\\xe9.md"
    # A lone surrogate that is no byte's escape is written by its UTF-8 bytes.
    assert valid_text("a\ud800b") == "a\\xed\\xa0\\x80b"
    assert valid_text("plain ü") == "plain ü"
    long_odd = "\udce9" * 5000
    assert storable_id(long_odd).startswith("\\xe9" * 100) and len(storable_id(long_odd)) == 4096
    assert storable_id(long_odd).encode("utf-8")
