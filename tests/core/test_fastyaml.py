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

from tests.yaml_reference import project

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


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


def test_index_projection_equals_the_projected_full_parse(tmp_path: Path) -> None:
    from reader.core.fields import INDEX_FIELDS

    for path in [*write_corpus(tmp_path, 120, seed=11), next(SEEDS.iterdir())]:
        text = front_matter(path)
        fast = fastyaml.load(text, INDEX_FIELDS)
        assert fast is not None, path
        assert fast == project(yaml.load(text, Loader=Loader), INDEX_FIELDS), path
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


# The projection's fast path (`_project`) must give what the line by line reader gives, or step aside.


def projects_alike(text: str, want: fastyaml.Want) -> bool:
    """Assert that the fast path agrees with the line by line reader; whether it answered at all."""
    if not fastyaml._loadable(text):
        return False
    reference = fastyaml._load_lines(text, want)
    assert fastyaml.load(text, want) == reference, text
    try:
        fast = fastyaml._project(text, want)  # type: ignore[arg-type]
    except (fastyaml._Unsupported, IndexError, ValueError, RecursionError):
        return False
    assert fast == reference, text
    return True


def test_projection_fast_path_reads_the_synthetic_corpus_and_seeds(tmp_path: Path) -> None:
    from reader.core.fields import INDEX_FIELDS

    paths = [*write_corpus(tmp_path, 150, seed=13), *SEEDS.iterdir()]
    for path in paths:
        assert projects_alike(front_matter(path), INDEX_FIELDS), path  # answered, and alike
        projects_alike(front_matter(path), {"related": {"provider": {"name": None}}, "title": None})


def test_projection_fast_path_agrees_on_hostile_records(tmp_path: Path) -> None:
    from reader.core.fields import INDEX_FIELDS
    from reader.core.frontmatter import _split_front_matter

    from tests.hostile import write_hostile_folder

    write_hostile_folder(tmp_path)
    for path in tmp_path.iterdir():
        text = path.read_bytes().decode("utf-8", "replace")
        split = _split_front_matter(text)
        for front in (text, split[0]) if split else (text,):
            projects_alike(front, INDEX_FIELDS)


_RELATED_WANT = {"title": None, "related": {"title": None, "webUrl": None}}


@pytest.mark.parametrize(
    "text",
    [
        "related:\n  - title: a\n    excerpt: b\n      continued\n",  # a scalar going on below
        "related:\n  - title: a\n    excerpt: b\n    - c\n",  # a dash line after a scalar
        "related:\n  - title: a\n    provider:\n      name: x\n    - odd\n",
        "related:\n  - title: a\n   webUrl: b\n",  # odd indentation
        "related:\n  - title: a\n     webUrl: b\n",
        "related:\n  -  title: a\n    webUrl: b\n",  # two spaces after the dash
        "related:\n  - title:\n      nested: 1\n",  # a wanted key with a block
        "related:\n  - title:\n  - title: b\n",  # a wanted key with nothing
        "related:\n  - title: # c\n",
        "related:\n- title: a\n- title: b\ntitle: t\n",  # a sequence at column 0
        "related:\n  - title: a\ntitle: x\n  - title: b\n",
        "title: a\n- b\n",
        "excerpt:\n- a\n- b\ntitle: t\n",  # an unwanted sequence at column 0
        "excerpt: e\n- a\ntitle: t\n",
        "excerpt: e\n  more\ntitle: t\n",
        "excerpt:\n  more\n- a\n  deeper\ntitle: t\n",
        "  title: a\n",  # an indented first line
        "# c\n\ntitle: a",  # a comment first, no newline at the end
        "",
        "# only a comment\n",
        "- a\n",
        "related:\n  - title: a # comment\n    webUrl: \"u\" # c\n",
        'related:\n  - title: "a\\"b\\u00e9"\n    webUrl: "x" y\n',
        "related:\n  - title: 'single'\n",
        "related:\n  - x\n  - y\n",  # scalar items
        "related:\n  - title: a\n\n  # comment\n    # deeper comment\n  - title: b\r\n    webUrl: c \r\n",
        "related: # c\n  - title: a\n",
        "related:\n    - title: a\n      webUrl: b\n",  # items at 4 columns
        "related:\n" + " " * 20 + "- title: a\n",  # deeper than the fast path's limit
        "related:\n  - yes: 1\n    title: a\n",  # an unwanted key that is not a string
        "related:\n  - title: on\n    webUrl: 12\n  - title: 2021-01-02\n  - title: ~\n",
        "related:\n  - title: 1.5\n",  # left to PyYAML
        "title: a\ntitle: b\nrelated:\n  - title: a\n    title: b\n",  # repeated keys
        "related:\n  - excerpt: x\n  - webUrl: u\n  - provider:\n      name: n\n",
        "related:\n  -\n    title: a\n",  # a dash alone
        "related:\n  - title: a\n  webUrl: x\n",  # a line at the items' level that is not an item
        "related:\n  - title: a\n images:\n",
        "related:\n  - images:\n    - url: a\n    - url: b\n      width: 1\n    title: t\n",
        "related:\n  - images:\n    -x\n    title: t\n",
        "related:\n  - images:\n    -\n    title: t\n",
        "related:\n  - title: a\n    webUrl:x\n",  # not a key
        "related:\n  - title: a\n    web-url: x\n",
        "related:\n  - titles: a\n    webUrls: x\n",
        "related:\n  - title: \"unclosed\n    webUrl: x\n",
        "related:\n  - title: a\n    webUrl: b: c\n",
        "related:\n  - title: a\n    excerpt: b: c\n",  # not read, so not checked
        "related:\n\n\n",
        "related:\n  # just a comment\ntitle: t\n",
        "related: x\n  - title: a\n",
        "title: t\nrelated:\n  - title: a\n",
        "title: t\r\nrelated:\r\n  - title: a\r\n    webUrl: b\r\n",
    ],
)
def test_projection_fast_path_agrees_on_odd_shapes(text: str) -> None:
    from reader.core.fields import INDEX_FIELDS

    for want in (INDEX_FIELDS, _RELATED_WANT, {"title": None}, {"related": None}, {"related": {}}):
        projects_alike(text, want)


_ODD_LINES = [
    'title: "t"', "title: t", "title:", 'webUrl: "https://a.example/x"', "excerpt: e", "excerpt:",
    "provider:", "name: n", "related:", "topics:", "- a", '- title: "r"', "- webUrl: u", "- excerpt: x",
    "-", "- ", "-x", "# c", "", "x", 'title: "a" # c', "yes: 1", 'title: "un', 'b"', "images:",
    "- url: i", "title: a: b", "- - a", "- title:", "webUrl: 5",
]


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 8]), st.sampled_from(_ODD_LINES),
                  st.sampled_from(["\n", "\n", "\r\n", "  \n"])),
        max_size=24,
    ),
    st.booleans(),
)
def test_projection_fast_path_agrees_on_any_arrangement_of_lines(lines: list, final_newline: bool) -> None:
    from reader.core.fields import INDEX_FIELDS

    text = "".join(" " * indent + content + end for indent, content, end in lines)
    if not final_newline:
        text = text.rstrip("\n")
    for want in (INDEX_FIELDS, _RELATED_WANT):
        projects_alike(text, want)


@pytest.mark.parametrize(
    "value",
    ["2019-02-18T10:36:00Z", "2020-02-29T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
     "2021-02-29T00:00:00Z", "2021-13-01T00:00:00Z", "2020-02-29T24:00:00Z", "2021-01-01T00:00:60Z",
     "2021-01-01T00:00:00z", "2021-01-01T00:00:00+01:00", "2021-1-01T00:00:00Z", "٢٠٢١-01-01T00:00:00Z"],
)
def test_utc_timestamps_as_pyyaml_reads_them(value: str) -> None:
    text = f"a: {value}\nb:\n  - c: {value}\n"
    try:
        expected = yaml.load(text, Loader=yaml.CSafeLoader)
    except (ValueError, yaml.YAMLError):
        expected = None  # libyaml's own loader refuses it; fastyaml leaves it to the reader's Loader
    fast = fastyaml.load(text)
    assert fast == expected
    if fast is not None:
        assert type(fast["a"]) is type(expected["a"])
        assert getattr(fast["a"], "tzinfo", None) == getattr(expected["a"], "tzinfo", None)
    assert fastyaml.load(text, {"a": None, "b": {"c": None}}) == expected
