"""The fast YAML reader (reader.core.fastyaml) reads each form of its subset itself, the same as PyYAML
(stepping aside is right only outside the subset), and its check of the UTF-8 bytes answers as its
check of the text does."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core import fastyaml
from reader.core.fields import INDEX_FIELDS
from reader.core.frontmatter import Loader

from tests.yaml_reference import project

# Documents in the subset: the fast reader must answer (not None) and agree with PyYAML.
FORMS = [
    "a: 1", "a: -5", "a: +5", "a: 0", "a: -0", "a: -x", "a: x-y", "a: ~", "a: null", "a: Null", "a: NULL",
    "a:", "a: true", "a: no", "a: Off", "a: 2021-01-05", "a: 2021-01-05T10:00:00Z", "a: 2021-01-05 10:00:00",
    "a: 2021-01-05T10:00:00.5+02:00", "a: 1999-12-31T23:59:59Z", "a: plain text", "a: x#y", "a: x # comment",
    "a: 1 #c", "a: text:colon", "a: ends with colon:x", "a: é ü", 'a: ""', 'a: "x"',
    'a: "x" # c', 'a: "x"  ', 'a: "say \\"hi\\""', 'a: "\\0\\a\\b\\t\\n\\v\\f\\r\\e\\ \\/\\\\\\N\\_\\L\\P"',
    'a: "\\x41\\u00e9\\U0001F600"', 'a: "tab\\\tx"', 'a: "a\\\\"', "a: 'single'\nb: 1"[:0] + "a: single's",
    "a: 1\nb: 2", "a: 1\n\nb: 2\n", "a: 1\n# comment\nb: 2", "# top\na: 1", "a: 1\r\nb: 2\r\n", "a: 1\n  \nb: 2",
    "a:\n  b: 1\n  c: 2", "a:\n  b:\n    c: 1\n  d: 2\ne: 3", "a:\n  - 1\n  - 2", "a:\n- 1\n- 2\nb: 3",
    "a:\n  - x: 1\n    y: 2\n  - x: 3", "a:\n  -\n    x: 1\n  - 2", "a:\n  -\n  - 2",
    "a:\n  - x:\n      - 1\n    y: 2", "a:\n  - x: 1\n    y:\n    z: 3", "a: # comment\n  b: 1", "a:\n  -   x: 1\n      y: 2",
    "a:\n  - # c\n    x: 1", "x_1: 1\nY: 2\n_z: 3", "a:   spaced", "a: 1   ", "a:\n  b: 1\n\n  c: 2",
    "a: 1\nb:\n  - title: t\n    webUrl: u\n  - title: s\n", "a: 0b1"[:0] + "a: 12345678901234567890",
]


@pytest.mark.parametrize("text", FORMS)
def test_each_form_of_the_subset_is_read_fast_as_pyyaml_reads_it(text: str) -> None:
    fast = fastyaml.load(text)
    assert fast is not None
    assert fast == yaml.load(text, Loader=Loader)
    assert fastyaml.load(text, None, text.encode("utf-8")) == fast


_WANT: fastyaml.Want = {"a": None, "rel": {"title": None, "webUrl": None}, "p": {"name": None}}

# Documents of the common shape, which the projection reads without the line by line reader.
SHAPES = [
    "a: 1\nb: 2", "b: 2\na: x", "a:\nb: 1", "a:\n  - 1\n  - 2\nb: 1", "b:\n  c: 1\n  d: [1]\na: 2",
    "b:\n- 1\n- 2\na: 3", "b: 1\n  # comment\na: 2", "# first\na: 1", "\n\na: 1", "a: 1\n\n",
    "rel:\n  - title: t\n    webUrl: u\n    other: x\n  - title: s\n    excerpt: e",
    'rel:\n  - title: "t"\n    webUrl: "u # not a comment"\n  - webUrl: "a\\"b"',
    "rel:\n  - other: 1\n    title: t\n  - title: 2021-01-05T10:00:00Z",
    "rel:\n  - title: t\n    more:\n      - x\n      - y\n    webUrl: u",
    "rel:\n  - title: t\n    more:\n    - x\n    webUrl: u",
    "rel:\n  - title: t # c\n\n    webUrl: u\r\n",
    "rel:\n    - title: t\n      webUrl: u",
    "p:\n  name: n\n  domain: d", "p:\n  domain: d", "a: 1\nrel:\n  - title: t\nb: 2",
    "a: 1\nrel:", "rel: ~", "rel:\n  -\n    title: t",
]


@pytest.mark.parametrize("text", SHAPES)
def test_the_projection_reads_the_common_shapes_itself(text: str) -> None:
    """These documents are projected by `_project` alone, as the projected full parse gives them."""
    expected = project(yaml.load(text, Loader=Loader), _WANT)
    assert fastyaml._project(text if text.endswith("\n") else text + "\n", _WANT) == expected  # type: ignore[arg-type]
    assert fastyaml.load(text, _WANT) == expected


ODD_SHAPES = [
    "  a: 1", "a: 1\n- x", "a:\n- x", "- x", "a b: 1", "a: 1\n  b: 2", "rel:\n  - title:\n      x: 1",
    "rel:\n  - title: # c\n    webUrl: u", "rel:\n  - title: t\n   webUrl: u", "1: x", "a:\n  - x\n  y: 1",
]


@pytest.mark.parametrize("text", ODD_SHAPES)
def test_the_projection_leaves_other_shapes_to_the_line_reader(text: str) -> None:
    """Where the projection steps aside, the answer is the line by line reader's (None: PyYAML's)."""
    with pytest.raises((fastyaml._Unsupported, IndexError, ValueError)):
        fastyaml._project(text + "\n", _WANT)  # type: ignore[arg-type]
    fast = fastyaml.load(text, _WANT)
    if fast is not None:
        assert fast == project(yaml.load(text, Loader=Loader), _WANT)


_CHARS = ["a", " ", ":", "\n", "-", "é", "\x85", "\x80", "\x9f", "\xa0", "\xbf", "\xc0", "\ufffe", "\uffff",
          "\ufeff", "\uefbf", "\r", "\r\n", "\t", "\x7f", "\x1b", "\x00", "#", '"', "\u2028"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_CHARS), max_size=30))
def test_the_check_of_the_bytes_answers_as_the_check_of_the_text(chars: list[str]) -> None:
    text = "a: " + "".join(chars)
    encoded = text.encode("utf-8")
    assert fastyaml.load(text, None, encoded) == fastyaml.load(text)
    assert fastyaml._loadable_encoded(text, encoded) == fastyaml._loadable(text)


@pytest.mark.parametrize("char", ["\x80", "\x84", "\x86", "\x9f", "\x00", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\x7f",
                                  "\ufffe", "\uffff", "\x1b"])
@pytest.mark.parametrize("nbsp", [0, 1, 99, 100, 150])
def test_characters_libyaml_refuses_are_left_to_it_whatever_comes_before(char: str, nbsp: int) -> None:
    """After many no-break spaces (the bytes check gives up counting them) as after none."""
    text = "a: " + "\xa0" * nbsp + "b" + char + "c\n"
    assert fastyaml.load(text, None, text.encode("utf-8")) is None
    assert fastyaml.load(text) is None


@pytest.mark.parametrize("char", ["\xa0", "\xbf", "\u00c0", "\ufeff", "\uefbf", "\U0001F600"])
@pytest.mark.parametrize("nbsp", [0, 1, 100, 150])
def test_characters_libyaml_accepts_are_read_fast(char: str, nbsp: int) -> None:
    text = "a: b" + "\xa0" * nbsp + char + "c\nd: 1\n"
    fast = fastyaml.load(text, None, text.encode("utf-8"))
    assert fast is not None and fast == fastyaml.load(text) == yaml.load(text, Loader=Loader)


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
@pytest.mark.parametrize("quoted", [False, True])
@pytest.mark.parametrize("nbsp", [0, 1, 100, 150])
def test_other_line_breaks_are_left_to_pyyaml(char: str, quoted: bool, nbsp: int) -> None:
    """NEL, LS and PS end a line in YAML 1.1: a plain scalar broken by one fails in PyYAML, and a quoted
    one keeps LS and PS but folds NEL into a space. The fast reader read them all as characters of the
    value (a title "b\u2028c" where PyYAML refuses the file, "b\x85c" where it reads "b c")."""
    value = "b" + "\xa0" * nbsp + char + "c"
    text = f'a: "{value}"\nd: 1\n' if quoted else f"a: {value}\nd: 1\n"
    assert fastyaml.load(text, None, text.encode("utf-8")) is None
    assert fastyaml.load(text) is None
    assert fastyaml.load(text, {"a": None}) is None
    if quoted:  # NEL folded, LS and PS kept
        assert yaml.load(text, Loader=Loader) == {"a": value.replace("\x85", " "), "d": 1}
    else:
        with pytest.raises(yaml.YAMLError):
            yaml.load(text, Loader=Loader)


def test_escaped_line_breaks_are_read_fast() -> None:
    text = 'a: "b\\Nc\\Ld\\Pe"\n'
    assert fastyaml.load(text) == {"a": "b\x85c\u2028d\u2029e"} == yaml.load(text, Loader=Loader)


@pytest.mark.parametrize("char", ["\t"])
@pytest.mark.parametrize("nbsp", [0, 1, 100, 150])
def test_tabs_in_a_value_answer_alike_from_the_bytes(char: str, nbsp: int) -> None:
    text = "a: b" + "\xa0" * nbsp + char + "c\nd: 1\n"
    fast = fastyaml.load(text, None, text.encode("utf-8"))
    assert fast == fastyaml.load(text)
    assert fast is None or fast == yaml.load(text, Loader=Loader)


@pytest.mark.parametrize("text", ["a: 1\rb: 2", "a: 1\r\rb: 2", "a: x\r", "a:\n\tb: 1", "a:\n  \t- 1"])
def test_lone_carriage_returns_and_tab_indents_are_left_to_pyyaml_from_the_bytes_too(text: str) -> None:
    assert fastyaml.load(text, None, text.encode("utf-8")) is None


@pytest.mark.parametrize("text", ["a: 1\r\nb: 2\r\n", "a: x\ty", "a: 1\n\nb:\t2"[:0] + "a: x\t# c"])
def test_crlf_and_tabs_inside_a_line_are_read_fast_from_the_bytes(text: str) -> None:
    fast = fastyaml.load(text, None, text.encode("utf-8"))
    assert fast == fastyaml.load(text)
    assert fast is None or fast == yaml.load(text, Loader=Loader)
    assert fast is not None or "\t" in text


def test_the_index_fields_projection_of_a_record() -> None:
    text = (
        "title: T\nexcerpt: E\npublishedDateTime: 2021-01-05T10:00:00Z\nprovider:\n  name: P\n  domain: d.test\n"
        "topics:\n  - A\n  - B\nrelated:\n  - title: R\n    url: https://x.test/\n    excerpt: skipped\n"
        "images:\n  - url: https://i.test/\n    width: 1\n"
    )
    fast = fastyaml.load(text, INDEX_FIELDS, text.encode("utf-8"))
    assert fast is not None and fast == project(yaml.load(text, Loader=Loader), INDEX_FIELDS)
