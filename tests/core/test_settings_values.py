"""Each config value's check on its own: the exact reasons it gives, how values from the file are shown
in them (quoted, escaped, cut at 60 characters), and the limits at their boundaries."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from datetime import time as clock_time

import pytest

from reader.core.settings_values import (
    MAX_KEYMAP_CHARS,
    InvalidValue,
    check_browser,
    check_date_format,
    check_read_after,
    check_theme,
    key_shown,
    load_folders,
    load_keymap,
)


NEVER_SPLIT = "it is never split or run through a shell"


def reason(check: object, value: object) -> str:
    """The reason a check gives for `value` (it must refuse it)."""
    with pytest.raises(InvalidValue) as refused:
        check(value, "/base")  # type: ignore[operator]
    return str(refused.value)


# --- values shown in reasons ------------------------------------------------------------------------


def test_a_string_of_sixty_characters_is_shown_whole_and_one_more_is_cut() -> None:
    sixty, sixty_one = "a" * 59 + "b", "a" * 60 + "b"
    assert reason(check_browser, sixty).endswith(f'got the string "{sixty}"; {NEVER_SPLIT}')
    assert reason(check_browser, sixty_one).endswith(f'got the string "{"a" * 60}…"; {NEVER_SPLIT}')


def test_escapes_count_towards_the_sixty_characters() -> None:
    # Each ESC is shown as the four characters \x1b: fifteen of them fill the sixty exactly.
    shown = "\\x1b" * 15
    assert reason(check_browser, "\x1b" * 15).endswith(f'got the string "{shown}"; {NEVER_SPLIT}')
    assert reason(check_browser, "\x1b" * 15 + "z").endswith(f'got the string "{shown}…"; {NEVER_SPLIT}')


def test_a_key_of_sixty_characters_is_shown_whole_and_one_more_is_cut() -> None:
    assert key_shown("k" * 60) == "k" * 60
    assert key_shown("k" * 61) == "k" * 59 + "…"
    assert key_shown("a\x1bb") == "a\\x1bb"


def test_numbers_are_shown_as_written_up_to_a_thousand_digits() -> None:
    wanted = "must be a number of seconds (0 to 3600), got "
    assert reason(check_read_after, 3601) == wanted + "3601"
    assert reason(check_read_after, -1) == wanted + "-1"
    below = 10**1000 - 1  # a thousand nines: shown, cut to sixty characters
    assert reason(check_read_after, below) == wanted + "9" * 59 + "…"
    assert reason(check_read_after, -below) == wanted + "-" + "9" * 58 + "…"
    assert reason(check_read_after, 10**1000) == wanted + "a huge number"
    assert reason(check_read_after, -(10**1000)) == wanted + "a huge number"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc), "a date and time (2024-05-06T07:08:09+00:00)"),
        (datetime(2024, 5, 6, 7, 8, 9), "a date and time (2024-05-06T07:08:09)"),
        (date(2024, 5, 6), "a date (2024-05-06)"),
        (clock_time(7, 8, 9), "a time (07:08:09)"),
        ([], "an empty list"),
        ([1], "a list"),
        ({}, "an empty table"),
        ({"a": 1}, "a table"),
        (True, "true"),
        (2.5, "2.5"),
        (None, "a NoneType"),
        (("firefox",), "a tuple"),
    ],
)
def test_what_a_value_of_the_wrong_type_is_shown_as(value: object, shown: str) -> None:
    assert reason(check_theme, value) == f"must be a theme name (a string), got {shown}"


def test_a_control_character_is_named_escaped() -> None:
    assert reason(check_theme, "no\x1bd") == 'must not contain control characters, got \\x1b in "no\\x1bd"'
    controls = "must not contain control characters, got"
    assert reason(check_theme, "a\u202eb") == f'{controls} \\u202e in "a\\u202eb"'
    assert reason(check_theme, "a\u2028b") == f'{controls} \\u2028 in "a\\u2028b"'


# --- folders ------------------------------------------------------------------------------------------


def test_a_folder_with_a_nul_character_is_refused_before_it_is_expanded() -> None:
    problems: list[tuple[str, str]] = []
    assert load_folders(["/a\0b", "/c"], "/base", lambda key, why: problems.append((key, why))) == ("/c",)
    assert problems == [("folders", 'folder 1 must not contain a NUL character, got "/a\\x00b"')]


# --- keymap ---------------------------------------------------------------------------------------------


def test_a_binding_id_of_the_limit_is_kept_and_one_longer_is_refused() -> None:
    longest, too_long = "m." + "k" * (MAX_KEYMAP_CHARS - 2), "m." + "k" * (MAX_KEYMAP_CHARS - 1)
    problems: list[tuple[str, str]] = []
    keymap = load_keymap({longest: "o", too_long: "p"}, lambda key, why: problems.append((key, why)))
    assert dict(keymap) == {longest: "o"}
    assert problems == [
        (
            f"keymap.{too_long[:59]}…",
            f"the binding id must be at most {MAX_KEYMAP_CHARS} characters, got {MAX_KEYMAP_CHARS + 1}",
        )
    ]


# --- date formats ---------------------------------------------------------------------------------------


def test_a_date_format_is_checked_as_the_app_writes_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dates are written with datetime's strftime, which fills in %f, %z and %Z itself: a C library that
    refuses %f (Windows' does) must not get a format refused that the app can write."""
    real = time.strftime

    def no_f(fmt: str, *args: object) -> str:
        if "%f" in fmt:
            raise ValueError("Invalid format string")
        return real(fmt, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(time, "strftime", no_f)
    assert check_date_format("%H:%M:%S.%f", "/base") == "%H:%M:%S.%f"
    assert datetime(2024, 5, 6, 7, 8, 9, 250).strftime("%H:%M:%S.%f") == "07:08:09.000250"


def test_a_format_the_c_library_refuses_is_refused_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    real = time.strftime

    def no_year(fmt: str, *args: object) -> str:
        if "%Y" in fmt:
            raise ValueError("Invalid format string")
        return real(fmt, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(time, "strftime", no_year)
    assert reason(check_date_format, "%d %Y") == "is not a usable strftime format: Invalid format string"
    assert check_date_format("%d %b", "/base") == "%d %b"

