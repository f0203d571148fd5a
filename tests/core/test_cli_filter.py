"""`--filter` with a query that starts with `-` (a negated term): a tester's `reader --list --filter -- -x`
was an argparse usage error. Every way of writing it lists the same records."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader import cli

from tests.corpus import SEED_TITLE, write_library


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return write_library(tmp_path / "library")


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert cli.main(["--list", "--no-cache", *args]) == 0
    return sorted(line.split("\t")[2] for line in capsys.readouterr().out.splitlines())


def test_a_negated_filter_is_read_in_every_form(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    everything = listed(capsys, str(library))
    expected = [title for title in everything if "advances" not in title]
    assert SEED_TITLE in everything and SEED_TITLE not in expected and expected
    negated = "-title:advances"
    for args in (["--filter", negated], [f"--filter={negated}"], ["--filter", "--", negated]):
        assert listed(capsys, *args, str(library)) == expected, args
        assert listed(capsys, str(library), *args) == expected, args  # the folder first


def test_the_folders_may_still_follow_a_double_dash(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--` after the filter's value ends the options as usual: what follows is folders."""
    assert listed(capsys, "--filter", "--", "-zzzq-no-such-word", "--", str(library)) == listed(
        capsys, str(library))
