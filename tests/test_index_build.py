"""The shortcuts taken when building the index must give exactly what the plain paths give."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core import fastyaml, frontmatter
from reader.core.frontmatter import _INDEX_FIELDS
from reader.synth import write_corpus

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# Pieces of files that matter to splitting, decoding and checking front matter: delimiters, line
# ends, byte order marks, NUL, bytes that are not UTF-8, C1 controls and other refused characters.
PIECES = [
    b"---", b"...", b"\n", b"\r\n", b"\r", b" ", b"\t", b"\xef\xbb\xbf", b"\x00", b"\xff", b"\xc3", b"\xc2\x85",
    b"\xc2\x9b", b"\xc2\xa0", b"\xef\xbf\xbe", b"\xef\xbf\xbd", b"\x1b", b"\x7f", "é…".encode(),
    b"title: x\n", b"title: \"a\\u0085b\"\n", b"topics:\n  - A\n", b"related:\n  - title: r\n    webUrl: w\n",
    b"\n---\n", b"\n...\n", b"---\n", b"a",
]


def plain_load(path: str) -> object:
    """What the file gives through the decoded text, as before the shortcut."""
    text = frontmatter._read_text(path)
    if isinstance(text, frontmatter.Problem):
        return text
    return frontmatter._load_front_matter(path, text, _INDEX_FIELDS)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=14), st.sampled_from([".md", ".yaml"]))
def test_a_file_split_as_bytes_loads_as_its_text_does(tmp_path: Path, pieces: list[bytes], suffix: str) -> None:
    path = tmp_path / f"record{suffix}"
    path.write_bytes(b"".join(pieces))
    assert frontmatter._load_file_front_matter(str(path), _INDEX_FIELDS) == plain_load(str(path))


@pytest.mark.parametrize(
    "content",
    [
        b"\xef\xbb\xbf---\ntitle: bom\n---\nbody\n", b"---\ntitle: a\n---\nbody \xff\n", b"---\ntitle: \xff\n---\n",
        b"---\ntitle: a\n---\nb\x00dy\n", b"---\r\ntitle: crlf\r\n---\r\nbody\r\n", b"---\ntitle: a\n...\nbody\n",
        b"---\ntitle: a \xc2\x85 b\n---\n", b"---\ntitle: a \xc2\x9b b\n---\n", b"---\ntitle: \xef\xbf\xbf\n---\n",
        b"---\ntitle: a\n---x\n---\n", b"---\ntitle: a\n....\n...\nrest\n", b"  ---  \ntitle: s\n---  \nb\n---\nc\n",
        b"---\ntitle: cr\rlone\n---\n", b"---\n\ttitle: tab\n---\n", b"---\ntitle: a\n---", b"---\n---\n",
        b"\xef\xbb\xbf\xef\xbb\xbf---\ntitle: two marks\n---\n", b"---\ntitle: \"\\ud800\"\n---\n",
    ],
)
def test_odd_files_split_as_bytes_load_as_their_text_does(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "odd.md"
    path.write_bytes(content)
    assert frontmatter._load_file_front_matter(str(path), _INDEX_FIELDS) == plain_load(str(path))


def test_the_split_as_bytes_is_the_split_of_the_text() -> None:
    for pieces in itertools.product([b"---", b"...", b"\n", b"\r\n", b" ", b"x", "…".encode()], repeat=5):
        data = b"---\n" + b"".join(pieces)
        split = frontmatter._split_front_matter_bytes(data, 0)
        expected = frontmatter._split_front_matter(data.decode())
        if split is None:
            assert expected is None, data
        else:
            front_start, front_end, body_start = split
            assert expected == (data[front_start:front_end].decode(), data[body_start:].decode()), data


def test_the_corpus_seeds_and_hostile_files_load_alike(tmp_path: Path) -> None:
    from .hostile import write_hostile_folder

    write_hostile_folder(tmp_path / "hostile")
    paths = [*write_corpus(tmp_path / "corpus", 60, seed=5), *SEEDS.iterdir(), *(tmp_path / "hostile").iterdir()]
    for path in paths:
        assert frontmatter._load_file_front_matter(str(path), _INDEX_FIELDS) == plain_load(str(path)), path


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", ":", " ", "\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\x9b", "\xa0",
                                         "\xbf", "é", "…", "\ufffe", "\uffff", "\ufffd", "\U0001f389"]), max_size=30))
def test_the_check_on_bytes_is_the_check_on_text(text: str) -> None:
    assert fastyaml._loadable_encoded(text, text.encode("utf-8")) == fastyaml._loadable(text)


def test_the_check_on_bytes_agrees_for_every_character() -> None:
    for code in itertools.chain(range(0x3000), range(0xE000, 0x10000), (0x10000, 0x10FFFF, 0xE0001)):
        char = chr(code)
        for text in (f"a: {char}\n", f"a: x{char}\u00a0\n", f"a: \u00a9 {char}\r\n", f"a:\n\t{char}\n"):
            assert fastyaml._loadable_encoded(text, text.encode("utf-8")) == fastyaml._loadable(text), hex(code)


def test_many_no_break_spaces_leave_the_check_to_the_text() -> None:
    text = "a: " + "\u00a0" * 150 + "\x9b\n"
    assert fastyaml._loadable_encoded(text, text.encode("utf-8")) is False
    text = "a: " + "\u00a0" * 150 + "\n"
    assert fastyaml._loadable_encoded(text, text.encode("utf-8")) is True
