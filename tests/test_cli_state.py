"""The command line's side of issue 4: --config, --export-state, --import-state, state terms in --list,
and the settings that apply to it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reader import cli
from reader.core.settings import config_location
from reader.core.state import MAX_SAVED_FILTERS, StateStore, state_location

from .corpus import SEED_TITLE, SEED_URL, write_library


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return write_library(tmp_path / "library")


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert cli.main(["--list", *args]) == 0
    return [line.split("\t")[2] for line in capsys.readouterr().out.splitlines()]


def test_config_prints_the_file_in_use(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli.main(["--config"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == config_location()
    assert out.strip().startswith(os.environ["XDG_CONFIG_HOME"])
    assert "does not exist" in err
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "other.toml"))
    (tmp_path / "other.toml").write_text("")
    assert cli.main(["--config"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(tmp_path / "other.toml") and err == ""


def test_list_understands_state_terms(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = StateStore(state_location())
    store.set_starred(SEED_URL, True)
    store.set_read([SEED_URL])
    store.close()
    assert listed(capsys, "--filter", "is:starred", str(library)) == [SEED_TITLE]
    assert listed(capsys, "--filter", "is:read", str(library)) == [SEED_TITLE]
    assert SEED_TITLE not in listed(capsys, "--filter", "is:unread", str(library))
    assert len(listed(capsys, "--filter", "-is:starred", str(library))) == 3


def test_export_then_import_moves_state_between_machines(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(state_location())
    store.set_starred(SEED_URL, True)
    store.save_filter("Robots", "robot")
    store.close()
    exported = tmp_path / "state.json"
    assert cli.main(["--export-state", str(exported)]) == 0
    assert "exported 1 stories" in capsys.readouterr().err
    data = json.loads(exported.read_text())
    assert data["format"] == "reader-state" and data["saved_filters"] == [{"name": "Robots", "query": "robot"}]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "other-machine"))  # a fresh, empty state
    assert listed(capsys, "--filter", "is:starred", str(library)) == []
    assert cli.main(["--import-state", str(exported)]) == 0
    assert "1 stories taken from it, 1 saved filters added" in capsys.readouterr().out
    assert listed(capsys, "--filter", "is:starred", str(library)) == [SEED_TITLE]
    assert StateStore(state_location()).saved_filters() == [("Robots", "robot")]


def test_import_of_a_bad_file_fails_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "reader-state", "version": 1, "stories": [{"id": 5}], "saved_filters": []}')
    assert cli.main(["--import-state", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "cannot import" in err and "\n" == err[-1] and err.count("\n") == 1
    assert cli.main(["--import-state", str(tmp_path / "missing.json")]) == 2
    assert "missing.json" in capsys.readouterr().err


def test_settings_apply_to_list(library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(config_location())
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'folders = ["{library}"]\nshow_unpublished = false\nread_after = "soon"\n')
    assert cli.main(["--list"]) == 0  # no path: the configured folder
    out, err = capsys.readouterr()
    titles = [line.split("\t")[2] for line in out.splitlines()]
    assert len(titles) == 3 and SEED_TITLE not in titles  # the seed here is unpublished
    assert "read_after" in err and str(config) in err  # the bad key is named, the rest applies
    assert listed(capsys, "--filter", "is:unpublished") == [SEED_TITLE]


def test_a_configured_folder_that_is_missing_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(config_location())
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'folders = ["{tmp_path / "gone"}"]\n')
    assert cli.main(["--list"]) == 2
    assert "gone" in capsys.readouterr().err


def test_a_missing_configured_folder_is_reported_and_the_others_are_read(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Path(config_location())
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'folders = ["{library}", "{tmp_path / "gone"}"]\n')
    assert cli.main(["--list"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 4
    assert "folders: no such folder" in err and "gone" in err and str(config) in err


def test_state_options_go_alone(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--export-state", str(tmp_path / "x.json"), "--list"])
    assert exit_.value.code == 2 and "go alone" in capsys.readouterr().err
    assert cli.main(["--export-state", str(tmp_path / "no-such-folder" / "x.json")]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {tmp_path / 'no-such-folder' / 'x.json'}:" in err and ".tmp" not in err


def test_export_to_stdout_and_through_a_symlink(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = StateStore(state_location())
    store.set_starred(SEED_URL, True)
    store.close()
    capsys.readouterr()
    assert cli.main(["--export-state", "-"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["stories"][0]["id"] == SEED_URL
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "real" / "state.json")
    assert cli.main(["--export-state", str(link)]) == 0
    assert link.is_symlink()  # written through, not replaced
    assert json.loads((tmp_path / "real" / "state.json").read_text())["stories"][0]["id"] == SEED_URL


def test_import_warns_of_a_saved_filter_with_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"format": "reader-state", "version": 1, "stories": [],
                                  "saved_filters": [{"name": "Bad", "query": "topc:ai"}]}))
    assert cli.main(["--import-state", str(source)]) == 0
    assert "'Bad' has an error: unknown field \"topc\" - did you mean topic?" in capsys.readouterr().err


def test_import_says_how_many_saved_filters_were_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "many.json"
    filters = [{"name": f"f{n}", "query": "robot"} for n in range(MAX_SAVED_FILTERS + 30)]
    source.write_text(json.dumps({"format": "reader-state", "version": 1, "stories": [],
                                  "saved_filters": filters}))
    assert cli.main(["--import-state", str(source)]) == 0
    out, err = capsys.readouterr()
    assert f"0 stories taken from it, {MAX_SAVED_FILTERS} saved filters added" in out
    assert err == f"reader: 30 saved filters were left out: at most {MAX_SAVED_FILTERS} are kept\n"
    assert len(StateStore(state_location()).saved_filters()) == MAX_SAVED_FILTERS
