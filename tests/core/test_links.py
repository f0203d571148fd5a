"""Links handed to a browser command, and links that are not what they look like (issue 12, point 6)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from reader import cli
from reader.core.settings import browser_command, config_location
from reader.core.urls import command_url, open_refusal

BREAKOUT = "https://evil.example/'$(touch${IFS}pwned)'"

ENCODED = [
    ("https://example.org/a/b?c=d&e=f#g", "https://example.org/a/b?c=d&e=f#g"),
    (BREAKOUT, "https://evil.example/%27%24(touch%24%7BIFS%7Dpwned)%27"),
    ('https://e.example/"`$\\<>{}|^', "https://e.example/%22%60%24%5C%3C%3E%7B%7D%7C%5E"),
    ("https://e.example/a%20b%zz%", "https://e.example/a%20b%25zz%25"),  # escapes kept, stray % encoded
    ("https://e.example/ü\x7f", "https://e.example/%C3%BC%7F"),
    ("https://e.example/[x]!*();,+=@:~", "https://e.example/[x]!*();,+=@:~"),
]


@pytest.mark.parametrize("url, encoded", ENCODED)
def test_command_url_encodes_what_a_shell_would_act_on(url: str, encoded: str) -> None:
    assert command_url(url) == encoded
    assert unquote(command_url(url)) == unquote(url.replace("%zz%", "%25zz%25"))  # the same link


@pytest.mark.parametrize("url, _", ENCODED)
def test_a_shell_wrapper_gets_the_link_and_runs_nothing(tmp_path: Path, url: str, _: str) -> None:
    argv = browser_command(["sh", "-c", "printf '%s\\n' '{url}' \"{url}\""], command_url(url))
    done = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, check=True)
    assert done.stdout.splitlines() == [command_url(url)] * 2
    assert not list(tmp_path.iterdir())  # no `pwned`
    assert shlex.split(f"'{command_url(url)}'") == [command_url(url)]


@pytest.mark.parametrize("url, why", [
    ("https://example.org/a b", "it contains spaces"),
    ("https://example.org/a\u00a0b", "it contains spaces"),
    ("https://example.org/a\u3000b", "it contains spaces"),
    ("https://example.org/a\tb", "control characters"),
    ("https://google.com@evil.example/", "its host is evil.example, not what comes before \"@\""),
    ("https://user:pass@evil.example/x", "its host is evil.example"),
    ("http://www.google.com%2F@evil.example/", "its host is evil.example"),
])
def test_links_that_are_not_what_they_look_like_are_refused(url: str, why: str) -> None:
    reason = open_refusal(url)
    assert reason is not None and why in reason and "\n" not in reason


@pytest.mark.parametrize("url", ["https://example.org/x@y", "https://e.example/?to=a@b.c", "http://e.x:8080/"])
def test_ordinary_links_are_opened(url: str) -> None:
    assert open_refusal(url) is None


@pytest.mark.parametrize("browser, shell", [
    ('["sh", "-c", "echo \'{url}\' >> file"]', "sh"),
    ('["/bin/bash", "-lc", "firefox {url}"]', "bash"),
    ('["env", "A=1", "zsh", "-c", "x"]', "zsh"),
    ('["dash", "-e", "-c", "x"]', "dash"),
    ('["firefox", "--new-tab", "{url}"]', None),
    ('["sh", "script.sh", "{url}"]', None),
])
def test_config_warns_of_a_browser_command_that_starts_a_shell(
    capsys: pytest.CaptureFixture[str], browser: str, shell: str | None
) -> None:
    config = Path(config_location())
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"browser = {browser}\n")
    assert cli.main(["--config"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(config)
    if shell is None:
        assert err == ""
    else:
        assert err.startswith(f"reader: warning: the browser command starts a shell ({shell} -c)")
        assert err.count("\n") == 1
