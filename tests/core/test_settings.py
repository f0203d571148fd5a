"""The config file: every key valid and invalid, the file's own problems, and browser_command."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from reader.core import settings_values as settings_module
from reader.core.settings import (
    CONFIG_ENV,
    EXAMPLE,
    Settings,
    SettingsProblem,
    browser_command,
    config_location,
    load_settings,
)

REPO = Path(__file__).resolve().parents[2]


def load(tmp_path: Path, text: str) -> tuple[Settings, list[SettingsProblem]]:
    """Write `text` as a config file in `tmp_path` and load it."""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(str(path))


def assert_one_line_and_inert(problem: SettingsProblem) -> None:
    shown = str(problem)
    assert shown.isprintable(), shown
    assert "\n" not in shown and "\x1b" not in shown and "\u202e" not in shown


# --- valid values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "field", "expected"),
    [
        ('theme = "nord"', "theme", "nord"),
        ('theme = "my theme-2"', "theme", "my theme-2"),
        ('theme = "' + "t" * 100 + '"', "theme", "t" * 100),
        ('date_format = "%d %B %Y"', "date_format", "%d %B %Y"),
        ('date_format = "%d\u00a0%b · %H:%M %Z"', "date_format", "%d\u00a0%b · %H:%M %Z"),
        ('date_format = "plain text"', "date_format", "plain text"),
        ('date_format = "' + "%Y" * 100 + '"', "date_format", "%Y" * 100),
        ('date_format = "%-d %b %Y, %I:%M %p"', "date_format", "%-d %b %Y, %I:%M %p"),  # glibc's flags
        ('date_format = "%a %e %B %Ey · %G-W%V-%u · %H:%M:%S.%f %z · 100%%"', "date_format",
         "%a %e %B %Ey · %G-W%V-%u · %H:%M:%S.%f %z · 100%%"),
        ("read_after = 0", "read_after", 0.0),
        ("read_after = 2", "read_after", 2.0),
        ("read_after = 0.25", "read_after", 0.25),
        ("read_after = 3600", "read_after", 3600.0),
        ("show_unpublished = false", "show_unpublished", False),
        ("show_unpublished = true", "show_unpublished", True),
        ('browser = ["firefox"]', "browser", ("firefox",)),
        ('browser = ["firefox", "--new-tab", "{url}"]', "browser", ("firefox", "--new-tab", "{url}")),
        ('browser = ["/usr/bin/env", "BROWSER=x", "w3m"]', "browser", ("/usr/bin/env", "BROWSER=x", "w3m")),
        ("browser = [" + ", ".join(['"a"'] * 100) + "]", "browser", ("a",) * 100),
        ("folders = []", "folders", ()),
        ('folders = ["/news", "/archive/2021"]', "folders", ("/news", "/archive/2021")),
        ('folders = "/news"', "folders", ("/news",)),
        ('folders = ["/news/../other/./x"]', "folders", ("/other/x",)),
    ],
)
def test_valid_values(tmp_path: Path, toml: str, field: str, expected: object) -> None:
    settings, problems = load(tmp_path, toml + "\n")
    assert problems == []
    assert getattr(settings, field) == expected
    assert type(getattr(settings, field)) is type(expected)
    # Nothing else changed.
    assert {**vars(settings), field: None} == {**vars(Settings()), field: None}


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[keymap]\n"main.open" = "o,enter"\n', {"main.open": "o,enter"}),
        ('[keymap]\nmain.open = "o"\napp.quit = "q,ctrl+q"\n', {"main.open": "o", "app.quit": "q,ctrl+q"}),
        ('[keymap.main]\nopen = "o"\nback = "backspace"\n', {"main.open": "o", "main.back": "backspace"}),
        ('keymap = { "app.help" = "question_mark,f1" }\n', {"app.help": "question_mark,f1"}),
        ("[keymap]\n", {}),
        ('[keymap]\n"main.open" = "' + "o" * 200 + '"\n', {"main.open": "o" * 200}),
    ],
)
def test_valid_keymap(tmp_path: Path, toml: str, expected: dict[str, str]) -> None:
    settings, problems = load(tmp_path, toml)
    assert problems == []
    assert dict(settings.keymap) == expected


def test_keymap_is_read_only(tmp_path: Path) -> None:
    settings, _ = load(tmp_path, '[keymap]\n"main.open" = "o"\n')
    with pytest.raises(TypeError):
        settings.keymap["main.open"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        Settings().keymap["x"] = "y"  # type: ignore[index]


def test_keymap_given_as_a_dict_is_copied_read_only() -> None:
    given = {"main.open": "o"}
    settings = Settings(keymap=given)
    given["main.open"] = "changed"
    assert dict(settings.keymap) == {"main.open": "o"}
    with pytest.raises(TypeError):
        settings.keymap["main.open"] = "x"  # type: ignore[index]


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().theme = "nord"  # type: ignore[misc]


def test_all_keys_together(tmp_path: Path) -> None:
    settings, problems = load(
        tmp_path,
        'folders = ["news"]\ntheme = "nord"\ndate_format = "%d.%m.%Y"\nread_after = 0\n'
        'show_unpublished = false\nbrowser = ["w3m", "{url}"]\n[keymap]\n"app.quit" = "ctrl+q"\n',
    )
    assert problems == []
    assert settings == Settings(
        folders=(str(tmp_path / "news"),),
        theme="nord",
        date_format="%d.%m.%Y",
        read_after=0.0,
        show_unpublished=False,
        browser=("w3m", "{url}"),
        keymap={"app.quit": "ctrl+q"},
    )


# --- invalid values: a problem, the default for that key, the other keys still apply --------------


@pytest.mark.parametrize(
    ("toml", "key", "fragment"),
    [
        ("theme = 5", "theme", "got 5"),
        ("theme = true", "theme", "got true"),
        ('theme = ""', "theme", "not empty"),
        ('theme = "   "', "theme", "not empty"),
        ('theme = "' + "t" * 101 + '"', "theme", "at most 100 characters"),
        ('theme = "nord\\u001b[2J"', "theme", "control characters"),
        ('theme = "nord\\n"', "theme", "control characters"),
        ('theme = "a\\u202eb"', "theme", "control characters"),
        ('theme = ["nord"]', "theme", "got a list"),
        ("date_format = 5", "date_format", "got 5"),
        ('date_format = ""', "date_format", "not empty"),
        ('date_format = "' + "%Y" * 101 + '"', "date_format", "at most 200 characters"),
        ('date_format = "%Y\\t%m"', "date_format", "control characters"),
        ('date_format = "%Y\\u0085"', "date_format", "control characters"),
        ('date_format = "%Y\\u0000"', "date_format", "control characters"),
        ('date_format = "%Q"', "date_format", 'strftime directive "%Q"'),
        ('date_format = "%Y-%m-%d %K"', "date_format", 'strftime directive "%K"'),
        ('date_format = "%Y%n%m"', "date_format", 'strftime directive "%n"'),  # a line break
        ('date_format = "%Ed %Oa"', "date_format", 'strftime directive "%Ed"'),
        ('date_format = "%:z"', "date_format", 'strftime directive "%:"'),  # Python 3.12's only
        ('date_format = "100%"', "date_format", 'strftime directive "%"'),
        ('read_after = "soon"', "read_after", 'must be a number of seconds (0 to 3600), got "soon"'),
        ("read_after = true", "read_after", "got true"),
        ("read_after = -1", "read_after", "got -1"),
        ("read_after = -0.5", "read_after", "got -0.5"),
        ("read_after = 3600.5", "read_after", "got 3600.5"),
        ("read_after = 99999999999999999", "read_after", "got 99999999999999999"),
        ("read_after = nan", "read_after", "got nan"),
        ("read_after = inf", "read_after", "got inf"),
        ("read_after = -inf", "read_after", "got -inf"),
        ("read_after = 1979-05-27", "read_after", "got a date (1979-05-27)"),
        ("read_after = [1]", "read_after", "got a list"),
        ("show_unpublished = 1", "show_unpublished", "must be true or false, got 1"),
        ("show_unpublished = 0", "show_unpublished", "got 0"),
        ('show_unpublished = "false"', "show_unpublished", 'got "false"'),
        ('show_unpublished = "yes"', "show_unpublished", 'got "yes"'),
        ('browser = "firefox --new-tab {url}"', "browser", "never split or run through a shell"),
        ("browser = []", "browser", "must name a program"),
        ("browser = 5", "browser", "must be a list of arguments"),
        ('browser = ["firefox", 5]', "browser", "argument 2 must be a string, got 5"),
        ('browser = ["firefox", ""]', "browser", "argument 2 must not be empty"),
        ('browser = [""]', "browser", "argument 1 must not be empty"),
        ('browser = ["fire\\u0000fox"]', "browser", "NUL"),
        ('browser = [["firefox"]]', "browser", "argument 1 must be a string, got a list"),
        ("browser = [" + ", ".join(['"a"'] * 101) + "]", "browser", "at most 100 arguments, got 101"),
        ("folders = 5", "folders", "must be a list of folders"),
        ("folders = {a = 1}", "folders", "got a table"),
        ('folders = [""]', "folders", "folder 1 must not be an empty string"),
        ('folders = ""', "folders", "folder 1 must not be an empty string"),
        ('folders = ["/b\\u0000c"]', "folders", "folder 1 must not contain a NUL"),
        ("folders = [7]", "folders", "folder 1 must be a folder (a string), got 7"),
        ("folders = [[]]", "folders", "folder 1 must be a folder (a string), got an empty list"),
        ('keymap = "o"', "keymap", "must be a table"),
        ('keymap = ["o"]', "keymap", "must be a table"),
        ('[keymap]\n"main.open" = ""', "keymap.main.open", "not empty"),
        ('[keymap]\n"main.open" = "  "', "keymap.main.open", "not empty"),
        ('[keymap]\n"main.open" = 5', "keymap.main.open", "got 5"),
        ('[keymap]\n"main.open" = ["o"]', "keymap.main.open", "got a list"),
        ('[keymap]\n"main.open" = {}', "keymap.main.open", "got an empty table"),
        ('[keymap]\n"main.open" = "' + "o" * 201 + '"', "keymap.main.open", "at most 200 characters"),
        ('[keymap]\n"main.open" = "o\\u001b"', "keymap.main.open", "control characters"),
        ('[keymap]\n"main.open" = "o,,enter"', "keymap.main.open", "empty key between commas"),
        ('[keymap]\n"main.open" = ","', "keymap.main.open", "empty key between commas"),
        ('[keymap]\n"" = "o"', "keymap.", "binding id must not be empty"),
        ('[keymap]\n"main." = "o"', "keymap.main.", "binding id must not be empty"),
        ('[keymap]\n"' + "i" * 201 + '" = "o"', "keymap." + "i" * 59 + "…", "at most 200 characters"),
        ('[keymap]\n"a\\u001bb" = "o"', "keymap.a\\x1bb", "binding id must not contain control characters"),
    ],
)
def test_invalid_values(tmp_path: Path, toml: str, key: str, fragment: str) -> None:
    # A valid key before the invalid one still applies, and an unknown one after it is still reported.
    top = key.split(".")[0]
    companion, field, value = ('theme = "nord"', "theme", "nord") if top != "theme" else (
        "show_unpublished = false", "show_unpublished", False
    )
    settings, problems = load(tmp_path, companion + "\n" + toml + "\n[other_table_is_unknown]\n")
    assert getattr(settings, field) == value
    assert len(problems) == 2, problems
    problem = problems[0]
    assert problem.key == key
    assert fragment in problem.problem, problem.problem
    assert problem.path == str(tmp_path / "config.toml")
    assert_one_line_and_inert(problem)
    # The invalid key keeps its default (folders and keymap skip only a bad entry; here it is the only one).
    assert getattr(settings, top) == getattr(Settings(), top)
    assert problems[1].key == "other_table_is_unknown"


def test_bad_folder_entries_are_skipped_and_the_good_ones_apply(tmp_path: Path) -> None:
    settings, problems = load(tmp_path, 'folders = ["/a", "", 5, "/b"]\n')
    assert settings.folders == ("/a", "/b")
    assert [(p.key, p.problem) for p in problems] == [
        ("folders", "folder 2 must not be an empty string"),
        ("folders", "folder 3 must be a folder (a string), got 5"),
    ]


def test_bad_keymap_entries_are_skipped_and_the_good_ones_apply(tmp_path: Path) -> None:
    settings, problems = load(tmp_path, '[keymap]\n"main.open" = 5\n"main.sort" = "s"\n')
    assert dict(settings.keymap) == {"main.sort": "s"}
    assert [p.key for p in problems] == ["keymap.main.open"]


def test_keymap_id_given_twice_keeps_the_first(tmp_path: Path) -> None:
    settings, problems = load(tmp_path, '[keymap]\n"main.open" = "o"\nmain.open = "p"\n')
    assert dict(settings.keymap) == {"main.open": "o"}
    assert [(p.key, p.problem) for p in problems] == [
        ("keymap.main.open", "is given twice; the first one applies")
    ]


def test_invalid_browser_falls_back_whole(tmp_path: Path) -> None:
    # Never run a partial argv: one bad argument drops the whole command.
    settings, problems = load(tmp_path, 'browser = ["firefox", "", "{url}"]\n')
    assert settings.browser == ()
    assert len(problems) == 1


def test_every_key_invalid_at_once_gives_the_defaults(tmp_path: Path) -> None:
    settings, problems = load(
        tmp_path,
        'folders = 1\ntheme = 1\ndate_format = 1\nread_after = "x"\nshow_unpublished = 1\n'
        'browser = "x"\nkeymap = 1\n',
    )
    assert settings == Settings()
    assert [p.key for p in problems] == [
        "folders",
        "theme",
        "date_format",
        "read_after",
        "show_unpublished",
        "browser",
        "keymap",
    ]


def test_date_format_that_strftime_rejects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # glibc accepts almost any format, so stand in for a platform whose strftime raises.
    def refuse(fmt: str, *args: object) -> str:
        raise ValueError("Invalid format string")

    monkeypatch.setattr(time, "strftime", refuse)
    settings, problems = load(tmp_path, 'date_format = "%Y"\n')
    assert settings.date_format == Settings().date_format
    assert [(p.key, p.problem) for p in problems] == [
        ("date_format", "is not a usable strftime format: Invalid format string")
    ]


def test_date_format_with_lone_surrogate_never_raises() -> None:
    # tomllib cannot produce one, but the check itself must survive it.
    with pytest.raises(settings_module.InvalidValue):
        settings_module.check_date_format("%Y\ud800", "/")


# --- unknown keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("them", "theme"),
        ("Theme", "theme"),
        ("dateformat", "date_format"),
        ("date-format", "date_format"),
        ("read-after", "read_after"),
        ("folder", "folders"),
        ("key_map", "keymap"),
        ("show_unpublish", "show_unpublished"),
        ("browsr", "browser"),
    ],
)
def test_unknown_key_with_suggestion(tmp_path: Path, name: str, suggestion: str) -> None:
    settings, problems = load(tmp_path, f'{name} = "x"\ntheme = "nord"\n')
    assert [(p.key, p.problem) for p in problems] == [(name, f"unknown key - did you mean {suggestion}?")]
    assert settings.theme == "nord"


def test_unknown_key_without_suggestion(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "zzzzzz = 1\n[colours]\nx = 1\n")
    assert [(p.key, p.problem) for p in problems] == [("zzzzzz", "unknown key"), ("colours", "unknown key")]


def test_unknown_key_with_control_characters_is_escaped(tmp_path: Path) -> None:
    _, problems = load(tmp_path, '"\\u001b]0;pwned\\u0007x" = 1\n')
    assert len(problems) == 1
    assert problems[0].key == "\\x1b]0;pwned\\x07x"
    assert_one_line_and_inert(problems[0])


# --- problem messages -----------------------------------------------------------------------------


def test_problem_str() -> None:
    problem = SettingsProblem(
        "/home/u/.config/reader/config.toml",
        "read_after",
        'must be a number of seconds (0 to 3600), got "soon"',
    )
    assert str(problem) == (
        '/home/u/.config/reader/config.toml: read_after: must be a number of seconds (0 to 3600), got "soon"'
    )
    whole_file = SettingsProblem("/c.toml", "", "is a folder, not a file")
    assert str(whole_file) == "/c.toml: is a folder, not a file"


def test_problem_str_escapes_what_it_is_given() -> None:
    shown = str(SettingsProblem("/tmp/\x1b[2J.toml", "a\nb", "bad\u202evalue"))
    assert shown == "/tmp/\\x1b[2J.toml: a\\nb: bad\\u202evalue"


def test_long_values_are_cut_and_control_characters_escaped(tmp_path: Path) -> None:
    _, problems = load(tmp_path, 'read_after = "' + "\\u001b[31m" + "x" * 500 + '"\n')
    (problem,) = problems
    assert problem.problem.startswith('must be a number of seconds (0 to 3600), got "\\x1b[31mxxx')
    assert problem.problem.endswith('…"')
    assert len(problem.problem) < 130
    assert_one_line_and_inert(problem)


def test_quotes_and_backslashes_in_values_are_escaped(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "read_after = 'a\"b\\c'\n")
    assert problems[0].problem.endswith('got "a\\"b\\\\c"')


def test_huge_integer_is_not_echoed(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "read_after = " + "9" * 2000 + "\n")
    (problem,) = problems
    assert problem.problem.endswith("got a huge number")


# --- the file itself ------------------------------------------------------------------------------


def test_missing_file_gives_defaults_and_no_problem(tmp_path: Path) -> None:
    assert load_settings(str(tmp_path / "nope.toml")) == (Settings(), [])
    assert load_settings(str(tmp_path / "no" / "such" / "folder" / "config.toml")) == (Settings(), [])


def test_path_through_a_file_is_missing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    assert load_settings(str(tmp_path / "file" / "config.toml")) == (Settings(), [])


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    assert load(tmp_path, "") == (Settings(), [])
    assert load(tmp_path, "# only a comment\n\n") == (Settings(), [])


def test_directory_at_the_path(tmp_path: Path) -> None:
    folder = tmp_path / "config.toml"
    folder.mkdir()
    settings, problems = load_settings(str(folder))
    assert settings == Settings()
    assert [(p.path, p.key, p.problem) for p in problems] == [(str(folder), "", "is a folder, not a file")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_at_the_path_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    settings, problems = load_settings(str(fifo))
    assert settings == Settings()
    assert [p.problem for p in problems] == ["is not a regular file"]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_device_at_the_path() -> None:
    settings, problems = load_settings("/dev/zero")
    assert settings == Settings()
    assert [p.problem for p in problems] == ["is not a regular file"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n')
    path.chmod(0)
    settings, problems = load_settings(str(path))
    assert settings == Settings()
    assert [p.problem for p in problems] == ["cannot be read: Permission denied"]


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n' + "#" * (1024 * 1024) + "\n")
    settings, problems = load_settings(str(path))
    assert settings == Settings()
    assert len(problems) == 1
    assert problems[0].key == "" and problems[0].problem.startswith("is too large")


def test_file_just_under_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    head = 'theme = "nord"\n'
    path.write_text(head + "#" * (1024 * 1024 - len(head) - 1) + "\n")
    assert path.stat().st_size == 1024 * 1024
    assert load_settings(str(path)) == (Settings(theme="nord"), [])


def test_non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "nord"\ndate_format = "caf\xe9"\n')
    settings, problems = load_settings(str(path))
    assert settings == Settings()
    assert [(p.key, p.problem) for p in problems] == [("", "is not UTF-8 text (byte 0xe9 on line 2)")]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'\xef\xbb\xbftheme = "nord"\n')
    assert load_settings(str(path)) == (Settings(theme="nord"), [])


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('theme = "nord"\ndate_format = \n', "line 2"),
        ('theme = "nord"\n\n\ntheme = "gruvbox"\n', "line 4"),
        ("[keymap\n", "line 1"),
        ('theme = "nord"\nread_after =', "line 2"),
        ('theme = "a\x1bb"\n', "line 1"),
    ],
)
def test_toml_syntax_error_gives_the_line(tmp_path: Path, text: str, line: str) -> None:
    settings, problems = load(tmp_path, text)
    assert settings == Settings()
    assert len(problems) == 1
    problem = problems[0]
    assert problem.key == ""
    assert problem.problem.startswith("is not valid TOML: ")
    assert line in problem.problem
    assert_one_line_and_inert(problem)


def test_deeply_nested_toml_never_raises(tmp_path: Path) -> None:
    settings, problems = load(tmp_path, "read_after = " + "[" * 100_000 + "\n")
    assert settings == Settings()
    assert len(problems) == 1 and problems[0].key == ""
    assert problems[0].problem == "is not usable TOML: it is nested too deeply"


def test_integer_too_long_for_python_never_raises(tmp_path: Path) -> None:
    settings, problems = load(tmp_path, "read_after = " + "1" * 5000 + "\n")
    assert settings == Settings()
    assert len(problems) == 1 and problems[0].key == ""
    assert problems[0].problem.startswith("is not usable TOML: Exceeds the limit")
    assert_one_line_and_inert(problems[0])


def test_deeply_nested_keymap_never_raises(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "[keymap." + ".".join(["a"] * 5000) + "]\nb = 1\n")
    assert len(problems) == 1
    assert problems[0].key.startswith("keymap.a.a.") and len(problems[0].key) <= 70


# --- folders --------------------------------------------------------------------------------------


def test_relative_folders_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config_dir = tmp_path / "conf"
    config_dir.mkdir()
    path = config_dir / "config.toml"
    path.write_text('folders = ["news", "./a/b", "../up", "."]\n')
    settings, problems = load_settings(str(path))
    assert problems == []
    assert settings.folders == (
        str(config_dir / "news"),
        str(config_dir / "a" / "b"),
        str(tmp_path / "up"),
        str(config_dir),
    )


def test_relative_config_path_still_gives_absolute_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text('folders = ["news"]\n')
    monkeypatch.chdir(tmp_path)
    settings, problems = load_settings("config.toml")
    assert problems == []
    assert settings.folders == (str(tmp_path / "news"),)


def test_tilde_is_expanded(tmp_path: Path, isolated_home: Path) -> None:
    settings, problems = load(tmp_path, 'folders = ["~/news", "~"]\n')
    assert problems == []
    assert settings.folders == (str(isolated_home / "news"), str(isolated_home))


def test_environment_variables_are_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_ROOT", "/srv/news")
    monkeypatch.setenv("NEWS_SUB", "sub")
    settings, problems = load(tmp_path, 'folders = ["$NEWS_ROOT/a", "${NEWS_ROOT}/b", "$NEWS_SUB"]\n')
    assert problems == []
    assert settings.folders == ("/srv/news/a", "/srv/news/b", str(tmp_path / "sub"))


def test_variable_holding_a_tilde_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    monkeypatch.setenv("NEWS_ROOT", "~/news")
    settings, _ = load(tmp_path, 'folders = "$NEWS_ROOT"\n')
    assert settings.folders == (str(isolated_home / "news"),)


def test_unset_variable_is_left_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_VARIABLE_HERE", raising=False)
    settings, problems = load(tmp_path, 'folders = ["/x/$NO_SUCH_VARIABLE_HERE"]\n')
    assert problems == []
    assert settings.folders == ("/x/$NO_SUCH_VARIABLE_HERE",)


def test_missing_folders_are_not_a_problem_here(tmp_path: Path) -> None:
    settings, problems = load(tmp_path, 'folders = ["/no/such/folder/anywhere"]\n')
    assert problems == []
    assert settings.folders == ("/no/such/folder/anywhere",)


# --- where the file is ----------------------------------------------------------------------------


def test_config_location_default(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert CONFIG_ENV == "READER_CONFIG"
    # conftest points XDG_CONFIG_HOME into the temporary home.
    assert config_location() == str(isolated_home / "xdg_config_home" / "reader" / "config.toml")


def test_config_location_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "elsewhere.toml"))
    assert config_location() == str(tmp_path / "elsewhere.toml")
    monkeypatch.setenv(CONFIG_ENV, "")
    assert config_location().endswith(os.path.join("reader", "config.toml"))
    assert "elsewhere" not in config_location()


def test_load_settings_reads_the_default_location(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    path = Path(config_location())
    path.parent.mkdir(parents=True)
    path.write_text('theme = "gruvbox"\n')
    assert load_settings() == (Settings(theme="gruvbox"), [])


def test_load_settings_follows_reader_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = Path(config_location())
    default.parent.mkdir(parents=True)
    default.write_text('theme = "gruvbox"\n')
    override = tmp_path / "other.toml"
    override.write_text('theme = "nord"\nread_after = "soon"\n')
    monkeypatch.setenv(CONFIG_ENV, str(override))
    settings, problems = load_settings()
    assert settings == Settings(theme="nord")
    assert [p.path for p in problems] == [str(override)]


# --- the example ----------------------------------------------------------------------------------


def test_example_loads_without_problems_and_gives_the_defaults(tmp_path: Path) -> None:
    assert load(tmp_path, EXAMPLE) == (Settings(), [])


def test_example_mentions_every_key() -> None:
    keys = ("folders", "theme", "date_format", "read_after", "show_unpublished", "mark_story_read", "browser",
            "keymap")
    for name in keys:
        assert re.search(rf"^(# )?\[?{name}\]?( =|$)", EXAMPLE, re.MULTILINE), name
    assert set(vars(Settings())) == set(keys)


def test_example_commented_out_settings_are_valid_when_uncommented(tmp_path: Path) -> None:
    lines = [
        line[2:] if re.match(r'^# ("[\w.]+"|\w+) = ', line) else line for line in EXAMPLE.splitlines()
    ]
    uncommented = "\n".join(lines) + "\n"
    assert uncommented != EXAMPLE
    settings, problems = load(tmp_path, uncommented)
    assert problems == []
    assert settings.theme == "nord"
    assert settings.browser == ("firefox", "--new-tab", "{url}")
    assert dict(settings.keymap) == {"app.quit": "q,ctrl+q", "main.open": "o,ctrl+o"}


def test_example_names_only_binding_ids_the_app_defines() -> None:
    """The ids the example names exist in the app (catches a renamed binding)."""
    sources = [*REPO.joinpath("reader").glob("*.py"), *REPO.joinpath("reader").glob("*/*.py")]
    defined = {
        match
        for source in sources
        for match in re.findall(r'Binding\([^\n]*\bid="([\w.]+)"', source.read_text(encoding="utf-8"))
    }
    named = re.search(r"Binding ids include ([\w., \n#]+?)\.\n", EXAMPLE)
    assert named is not None
    listed = {name.strip() for name in re.split(r",|\band\b", named.group(1).replace("#", " "))}
    assert "main.open" in listed and "app.quit" in listed
    assert listed <= defined, listed - defined
    quoted = set(re.findall(r'^# "([\w.]+)" = ', EXAMPLE, re.MULTILINE))
    assert quoted and quoted <= defined


# --- browser_command ------------------------------------------------------------------------------


URL = "https://example.com/a?b=1&c=2"


@pytest.mark.parametrize(
    ("argv", "url", "expected"),
    [
        (["firefox", "{url}"], URL, ["firefox", URL]),
        (["firefox", "-n", "{url}", "--foreground"], URL, ["firefox", "-n", URL, "--foreground"]),
        (["open", "--url={url}&x"], URL, ["open", f"--url={URL}&x"]),
        (["echo", "{url} and {url}", "{url}"], URL, ["echo", f"{URL} and {URL}", URL]),
        (["firefox"], URL, ["firefox", URL]),
        (["firefox", "--new-tab"], URL, ["firefox", "--new-tab", URL]),
        (("w3m",), URL, ["w3m", URL]),
        (["x", "{0}", "{URL}", "{ url }"], URL, ["x", "{0}", "{URL}", "{ url }", URL]),
        (["x", "{url}"], "https://e.com/{url}", ["x", "https://e.com/{url}"]),
        (["x", "{url}"], "https://e.com/{0}{1}", ["x", "https://e.com/{0}{1}"]),
        (["x", "{url}"], "https://e.com/$(rm -rf ~);`id`", ["x", "https://e.com/$(rm -rf ~);`id`"]),
        (["x"], "https://e.com/{url}", ["x", "https://e.com/{url}"]),
        (["x"], "https://e.com/{0}", ["x", "https://e.com/{0}"]),
        (["x", "{{url}}"], URL, ["x", "{" + URL + "}"]),
        (["x", "{url}"], "", ["x", ""]),
    ],
)
def test_browser_command(argv: list[str], url: str, expected: list[str]) -> None:
    assert browser_command(argv, url) == expected


def test_browser_command_does_not_change_its_argument() -> None:
    argv = ["firefox"]
    assert browser_command(argv, URL) == ["firefox", URL]
    assert argv == ["firefox"]
    assert isinstance(browser_command(("a", "{url}"), URL), list)


def test_browser_command_with_a_loaded_setting(tmp_path: Path) -> None:
    settings, _ = load(tmp_path, 'browser = ["firefox", "--new-tab={url}"]\n')
    command = browser_command(settings.browser, "https://e.com/{url}")
    assert command == ["firefox", "--new-tab=https://e.com/{url}"]


# ---------------------------------------------------------------------------------------------------------
# hostile config paths: what the system reports of the file is not trusted


def test_a_file_over_the_limit_is_refused_with_its_size(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"#" * (1024 * 1024 + 5))
    assert [p.problem for p in load_settings(str(path))[1]] == [
        f"is too large ({1024 * 1024 + 5} bytes; the limit is {1024 * 1024})"]


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
def test_a_file_whose_size_is_not_reported_is_read_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files of /proc are regular and report a size of 0 whatever they hold, as a file that grows after
    it is examined does: what is read is counted against the limit."""
    import reader.core.settings as settings

    held = len(Path("/proc/self/status").read_bytes())
    monkeypatch.setattr(settings, "MAX_FILE_BYTES", 100)
    assert [p.problem for p in load_settings("/proc/self/status")[1]] == ["is too large (over 100 bytes)"]
    monkeypatch.setattr(settings, "MAX_FILE_BYTES", held + 4000)
    problems = [p.problem for p in load_settings("/proc/self/status")[1]]
    assert len(problems) == 1 and problems[0].startswith("is not valid TOML: ")


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux's /proc")
def test_a_file_that_cannot_be_read_is_one_problem() -> None:
    assert load_settings("/proc/self/mem") == (
        Settings(), [SettingsProblem("/proc/self/mem", "", "cannot be read: Input/output error")])


def test_a_link_loop_and_a_path_the_system_cannot_hold_are_one_problem_each(tmp_path: Path) -> None:
    loop = tmp_path / "config.toml"
    loop.symlink_to(loop)
    assert [p.problem for p in load_settings(str(loop))[1]] == ["cannot be read: Too many levels of symbolic links"]
    assert [p.problem for p in load_settings(str(tmp_path / "a\0b"))[1]] == ["cannot be read (ValueError)"]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs Linux's /proc")
def test_reading_the_config_leaves_no_file_open(tmp_path: Path) -> None:
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        load(tmp_path, 'theme = "nord"\n')
    assert len(os.listdir("/proc/self/fd")) == before


def test_an_unknown_key_in_other_case_is_told_its_known_spelling(tmp_path: Path) -> None:
    assert [(p.key, p.problem) for p in load(tmp_path, 'THEME = "nord"\n')[1]] == [
        ("THEME", "unknown key - did you mean theme?")]
