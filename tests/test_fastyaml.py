"""The fast YAML subset reader must agree with PyYAML wherever it answers, and step aside elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core import fastyaml
from reader.core.frontmatter import _FRONT_MATTER, Loader
from reader.synth import write_corpus

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def front_matter(path: Path) -> str:
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    assert match is not None
    return match.group(1)


def test_seed_is_read_fast_and_equal() -> None:
    text = front_matter(next(SEEDS.iterdir()))
    fast = fastyaml.load(text)
    assert fast is not None
    assert fast == yaml.load(text, Loader=Loader)


def test_synthetic_corpus_is_read_fast_and_equal(tmp_path: Path) -> None:
    for path in write_corpus(tmp_path, 150, seed=7):
        text = front_matter(path)
        fast = fastyaml.load(text)
        assert fast is not None, path
        assert fast == yaml.load(text, Loader=Loader), path


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x",  # anchors and aliases
        "a: [1, 2]",  # flow sequence
        "a: {b: 1}",  # flow mapping
        "a: |\n  block",  # block scalar
        "a: !!str 1",  # tag
        "a: 'single'",  # single-quoted
        'a: "two\n  lines"',  # a quoted scalar over two lines
        "a: plain\n  continued",  # a plain scalar over two lines
        "a: 1.5",  # float
        "a: 012",  # YAML 1.1 octal
        "a: 0x1F",  # hex
        "on: 1",  # a key that YAML 1.1 reads as a boolean
        "<<: {a: 1}",  # merge key
        "a: b: c",  # a colon inside a plain scalar
        "- a\n- b",  # a sequence at the top
        "a: 2021-13-45",  # a timestamp that is not a date
        'a: "\\q"',  # an unknown escape
        "a:\n\tb: 1",  # a tab in the indentation
        "a: \x1b",  # a control character libyaml refuses
    ],
)
def test_unsupported_yaml_is_left_to_pyyaml(text: str) -> None:
    assert fastyaml.load(text) is None


_keys = st.sampled_from(["title", "excerpt", "type", "quality", "published", "topics", "provider", "name", "x_1"])
_scalars = st.one_of(
    st.text(max_size=30),
    st.integers(-10**6, 10**6),
    st.booleans(),
    st.none(),
    st.datetimes(timezones=st.just(__import__("datetime").timezone.utc)),
)
_values = st.recursive(
    _scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_keys, children, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_keys, _values, min_size=1, max_size=6), st.booleans())
def test_agrees_with_pyyaml_on_dumped_documents(document: dict, unicode: bool) -> None:
    text = yaml.safe_dump(document, default_flow_style=False, allow_unicode=unicode, sort_keys=False)
    fast = fastyaml.load(text)
    if fast is not None:
        assert fast == yaml.load(text, Loader=Loader)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab: -\"'\\#\n[]{}&*!|>0123456789tx\t")), max_size=60))
def test_agrees_with_pyyaml_or_steps_aside_on_fragments(text: str) -> None:
    fast = fastyaml.load(text)
    if fast is None:
        return
    try:
        expected = yaml.load(text, Loader=Loader)
    except yaml.YAMLError:
        pytest.fail(f"fast reader accepted what PyYAML refuses: {text!r} -> {fast!r}")
    assert fast == expected, text


def project(value, want):  # type: ignore[no-untyped-def]
    """What a projection keeps of a full document: the reference for `load(text, want)`."""
    if want is None:
        return value
    if isinstance(value, dict):
        return {key: project(item, want[key]) for key, item in value.items() if key in want}
    if isinstance(value, list):
        return [project(item, want) for item in value]
    return value


def test_index_projection_equals_the_projected_full_parse(tmp_path: Path) -> None:
    from reader.core.frontmatter import _INDEX_FIELDS

    for path in [*write_corpus(tmp_path, 120, seed=11), next(SEEDS.iterdir())]:
        text = front_matter(path)
        fast = fastyaml.load(text, _INDEX_FIELDS)
        assert fast is not None, path
        assert fast == project(yaml.load(text, Loader=Loader), _INDEX_FIELDS), path
        assert "excerpt" not in fast.get("related", [{}])[0]  # the projection did drop what it should


def test_a_lone_carriage_return_is_left_to_pyyaml() -> None:
    assert fastyaml.load("a: 1\rb: 2") is None


def test_blank_lines_with_crlf_are_blank() -> None:
    """A line of spaces ending in CRLF is a blank line, not content (it once raised IndexError)."""
    text = "a: 1\r\n  \r\nb:\r\n  - x\r\n   \r\n  - y\r\n"
    assert fastyaml.load(text) == yaml.load(text, Loader=Loader) == {"a": 1, "b": ["x", "y"]}


@pytest.mark.parametrize("text", ["a: 1\n\tb: 2", "a:\n  \t- x", "a: 1\n  \t# comment", "\ta: 1"])
def test_tabs_starting_a_line_are_left_to_pyyaml(text: str) -> None:
    assert fastyaml.load(text) is None


_WANT = {"title": None, "topics": None, "provider": {"name": None}}


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_keys, _values, min_size=1, max_size=6), st.booleans())
def test_projections_agree_with_the_projected_pyyaml_document(document: dict, unicode: bool) -> None:
    text = yaml.safe_dump(document, default_flow_style=False, allow_unicode=unicode, sort_keys=False)
    fast = fastyaml.load(text, _WANT)
    if fast is not None:
        assert fast == project(yaml.load(text, Loader=Loader), _WANT)


@pytest.mark.parametrize(
    "text",
    ["on: 1\ntitle: x", "title: x\nnull:\n  a: 1\nyes:\n- 1", "title: x\nprovider:\n  name: n\n  off: 2"],
)
def test_unwanted_keys_that_are_not_strings_do_not_matter_to_a_projection(text: str) -> None:
    assert fastyaml.load(text, _WANT) == project(yaml.load(text, Loader=Loader), _WANT)
    assert fastyaml.load(text) is None  # in full, they are left to PyYAML
