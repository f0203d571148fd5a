"""Tests for display-safe text: nothing from a record may act on the terminal."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.core.text import one_line, safe_text, without_unsafe

ELLIPSIS = "\u2026"
BIDI_AND_INVISIBLE = set(
    "\u00ad\u061c\u180e\u200b\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff\ufff9\ufffa\ufffb"
)
# A subdivision flag: 🏴, two to seven tag letters or digits, the cancel tag. Its tags are kept.
FLAG = re.compile("\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{2,7}\U000e007f")
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


def unsafe_in(text: str, *, multiline: bool = False) -> list[str]:
    """The unsafe characters of `text`, outside the subdivision flags (whose tags are kept)."""
    return [c for c in FLAG.sub("", text) if is_unsafe(c, multiline=multiline)]


def is_unsafe(char: str, *, multiline: bool = False) -> bool:
    code = ord(char)
    if multiline and char == "\n":
        return False
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or char in BIDI_AND_INVISIBLE
        or char in "\u2028\u2029"
        or 0xE0000 <= code <= 0xE007F
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain ascii", "plain ascii"),
        ("", ""),
        ("\x1b[31mred\x1b[0m", "\u241b[31mred\u241b[0m"),
        ("\x1b]52;c;SGVsbG8=\x07", "\u241b]52;c;SGVsbG8=\u2407"),  # OSC 52 clipboard write
        ("\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\", "\u241b]8;;https://x\u241b\\link\u241b]8;;\u241b\\"),
        ("\x00\x01\x08\x7f", "\u2400\u2401\u2408\u2421"),
        ("\x1f\x1e \x20", "\u241f\u241e  "),  # the last C0 control, and the space after it
        ("\x9b31m", "\ufffd31m"),  # C1 CSI
        ("\x9d52;c;x\x9c", "\ufffd52;c;x\ufffd"),  # C1 OSC and ST
        ("\x90q\x85\x80\x9f", "\ufffdq\ufffd\ufffd\ufffd"),  # DCS, NEL and the C1 edges
        ("abc\u202edcba", "abcdcba"),  # right-to-left override removed
        ("\u2066isolate\u2069 \u2067x\u2068", "isolate x"),
        ("zero\u200bwidth\u2060\ufeff", "zerowidth"),
        ("\u200e\u200f\u061c\u202a\u202b\u202c\u202d", ""),
        ("soft\u00adhyphen", "softhyphen"),
        ("tag\U000e0041\U000e007f", "tag"),
        ("line\u2028para\u2029end", "line para end"),
        ("a\ud800b\udfffc", "a\ufffdb\ufffdc"),  # lone surrogates
        ("a\nb\r\nc\rd\te", "a b c d e"),
        ("日本語のニュース", "日本語のニュース"),
        ("emoji 🎉🚀👍🏽 ❤️ 🇬🇧", "emoji 🎉🚀👍🏽 ❤️ 🇬🇧"),
        # Joiners that writing needs: emoji sequences, Persian and Indic words, variation selectors.
        ("👩\u200d💻 and 👨\u200d👩\u200d👧", "👩\u200d💻 and 👨\u200d👩\u200d👧"),
        ("🏳\ufe0f\u200d🌈 ☺\ufe0e", "🏳\ufe0f\u200d🌈 ☺\ufe0e"),
        ("می\u200cخواهم क\u094d\u200dष", "می\u200cخواهم क\u094d\u200dष"),
        ("a\u200d\u202eb\u200c\x1b", "a\u200db\u200c\u241b"),  # the joiners stay, what is around goes
        (SCOTLAND + " Scotland", SCOTLAND + " Scotland"),
        ("🏴\U000e0041\U000e0042\U000e007f hidden", "🏴 hidden"),  # capitals: text hidden in tags
        ("🏴" + "\U000e0061" * 8 + "\U000e007f", "🏴"),  # too long for a flag
        ("🏴\U000e0067\U000e0062", "🏴"),  # no cancel tag
        ("Ünïcödé — “quotes” ‘single’ ™ …", "Ünïcödé — “quotes” ‘single’ ™ …"),
        ("[bold]markup[/bold] [link=x]y[/]", "[bold]markup[/bold] [link=x]y[/]"),
    ],
)
def test_safe_text_single_line(text: str, expected: str) -> None:
    assert safe_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\nb", "a\nb"),
        ("a\r\nb", "a\nb"),
        ("a\n\n\nb", "a\n\n\nb"),
        ("a\tb", "a    b"),
        ("\x1b[2Jline\n\x9bline\u202e", "\u241b[2Jline\n\ufffdline"),
        ("x\u2028y", "x y"),
    ],
)
def test_safe_text_multiline(text: str, expected: str) -> None:
    assert safe_text(text, multiline=True) == expected


def test_lone_carriage_return_never_survives() -> None:
    for multiline in (False, True):
        assert "\r" not in safe_text("one\rtwo\r", multiline=multiline)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abcdef", 10, "abcdef"),
        ("abcdef", 6, "abcdef"),
        ("abcdef", 5, "abcd" + ELLIPSIS),
        ("abcdef", 2, "a" + ELLIPSIS),
        ("abcdef", 1, ELLIPSIS),
        ("abcdef", 0, ""),  # nothing fits
        ("", 0, ""),
        ("日本語のニュース", 4, "日本語" + ELLIPSIS),
        ("\x1b\x1b\x1b\x1b", 3, "\u241b\u241b" + ELLIPSIS),
    ],
)
def test_safe_text_limit(text: str, limit: int, expected: str) -> None:
    result = safe_text(text, limit=limit)
    assert result == expected
    assert len(result) == min(len(text), limit)


@pytest.mark.parametrize("limit", [1, 2, 7, 50, 199, 200])
def test_limit_gives_exact_length(limit: int) -> None:
    text = "x" * 200 + "y"
    result = safe_text(text, limit=limit)
    assert len(result) == limit
    assert result.endswith(ELLIPSIS)
    assert result[:-1] == text[: limit - 1]


def test_multiline_limit_is_an_upper_bound_with_tabs() -> None:
    assert len(safe_text("\t" * 10, multiline=True, limit=5)) <= 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  several   spaces\there  ", "several spaces here"),
        ("line one\nline two\r\nthree", "line one line two three"),
        ("\x1b[1m bold \x1b[0m", "\u241b[1m bold \u241b[0m"),
        ("a\u200b \u200bb", "a b"),
        ("\u202e\u2066", ""),
        ("   ", ""),
        ("x\u2028\u2029y", "x y"),
    ],
)
def test_one_line(text: str, expected: str) -> None:
    assert one_line(text) == expected


def test_one_line_limit() -> None:
    result = one_line("word " * 100, limit=12)
    assert len(result) <= 12
    assert result.endswith(ELLIPSIS)
    assert result.startswith("word word")


@given(st.text(), st.booleans())
def test_safe_text_never_leaves_unsafe_characters(text: str, multiline: bool) -> None:
    result = safe_text(text, multiline=multiline)
    assert not unsafe_in(result, multiline=multiline)
    if not multiline:
        assert "\n" not in result


@given(st.text(), st.integers(min_value=1, max_value=60))
def test_single_line_limit_is_an_upper_bound(text: str, limit: int) -> None:
    result = safe_text(text, limit=limit)
    assert len(result) <= limit
    if len(text) > limit:
        assert result.endswith(ELLIPSIS)
    line = one_line(text, limit=limit)
    assert len(line) <= limit
    assert not unsafe_in(line)
    assert line == line.strip() and "  " not in line


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cn", "Cs", "Zl", "Zp"))))
def test_printable_text_is_untouched(text: str) -> None:
    assert safe_text(text) == text


@given(st.text())
def test_safe_text_is_idempotent(text: str) -> None:
    once = safe_text(text)
    assert safe_text(once) == once
    line = one_line(text)
    assert one_line(line) == line


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("plain", "plain"),
        ("tab\tand\nnew\rline", "tab and new line"),
        ("\x1b]0;title\x07x", "]0;titlex"),
        ("a\u202eb\u200bc\x9bd\x7fe\x1ff", "abcdef"),
        ("日本語 “quotes”", "日本語 “quotes”"),
        ("👩\u200d💻\u200b " + SCOTLAND + "\U000e0041", "👩\u200d💻 " + SCOTLAND),
    ],
)
def test_without_unsafe_drops_what_safe_text_would_neutralise(typed: str, kept: str) -> None:
    assert without_unsafe(typed) == kept
    assert safe_text(kept) == kept  # nothing left for safe_text to change


@given(st.text())
def test_without_unsafe_leaves_nothing_unsafe(text: str) -> None:
    assert not unsafe_in(without_unsafe(text))


@given(st.text(st.sampled_from(["🏴", "\U000e0067", "\U000e0041", "\U000e007f", "\u200d", "\u202e", "x"])))
def test_tags_are_kept_only_in_a_subdivision_flag(text: str) -> None:
    for kept in (safe_text(text), without_unsafe(text)):
        assert not unsafe_in(kept)
        assert FLAG.findall(kept) == FLAG.findall(text)  # none made by what was removed between
