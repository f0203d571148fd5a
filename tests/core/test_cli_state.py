"""The command line's side of issue 4: --config, --export-state, --import-state, state terms in --list,
and the settings that apply to it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reader import cli
from reader.core.settings import config_location
from reader.core import state_db
from reader.core.state import MAX_SAVED_FILTERS, StateError, StateStore, state_location

from tests.corpus import SEED_TITLE, SEED_URL, write_library


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


# ---------------------------------------------------------------------------------------------------------
# a state that cannot be opened (issue 12, point 7): fail loudly, never an empty export over a backup


def good_state() -> Path:
    """A reading state with the seed starred and two stories read; its path."""
    with StateStore(state_location()) as store:
        store.set_starred(SEED_URL, True)
        store.set_read(["a", "b"])
        store.save_filter("Robots", "robot")
    return Path(state_location())


def backup(tmp_path: Path) -> Path:
    path = tmp_path / "backup.json"
    path.write_text('{"a": "good backup"}')
    return path


def on_a_read_only_mount(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`reader ARGS` with `folder` mounted read-only (a private mount in a user namespace)."""
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot make a private read-only mount here (unshare -rm)")
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" && exec "$@"'
    return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", sys.executable, "-m", "reader", *args],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])


def test_a_read_only_state_is_read_read_only(library: Path, tmp_path: Path) -> None:
    folder = good_state().parent
    target = backup(tmp_path)
    done = on_a_read_only_mount(folder, "--export-state", str(target))
    assert done.returncode == 0, done.stderr
    assert f"the reading state {folder / 'state.sqlite3'} is read read-only" in done.stderr
    exported = json.loads(target.read_text())
    assert {story["id"] for story in exported["stories"]} == {SEED_URL, "a", "b"}
    assert exported["saved_filters"] == [{"name": "Robots", "query": "robot"}]
    done = on_a_read_only_mount(folder, "--list", "--filter", "is:starred", str(library))
    assert done.returncode == 0 and [line.split("\t")[2] for line in done.stdout.splitlines()] == [SEED_TITLE]
    done = on_a_read_only_mount(folder, "--import-state", str(target))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "can only be read" in done.stderr and "cannot import" in done.stderr


@pytest.fixture
def unusable_state() -> Path:
    """A folder where the state database should be: nothing can be read or saved there."""
    path = Path(state_location())
    path.mkdir(parents=True)
    return path


def test_an_unusable_state_fails_loudly(
    unusable_state: Path, library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = backup(tmp_path)
    source = tmp_path / "source.json"
    source.write_text(json.dumps({"format": "reader-state", "version": 1,
                                  "stories": [{"id": "x", "read_at": 1.0, "starred": True, "updated": 2.0}]}))
    for args in (["--export-state", str(target)], ["--export-state", "-"], ["--import-state", str(source)],
                 ["--list", "--filter", "is:starred", str(library)]):
        assert cli.main(args) == 1, args
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1, (args, err)
        assert err.startswith(f"reader: cannot read the reading state {unusable_state}"), (args, err)
    assert target.read_text() == '{"a": "good backup"}'


def test_a_state_locked_too_long_is_exported_and_not_imported_into(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = good_state()
    monkeypatch.setattr(state_db, "BUSY_TIMEOUT", 0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock throughout
    try:
        target = backup(tmp_path)
        assert cli.main(["--export-state", str(target)]) == 0
        assert "is read read-only (database is locked)" in capsys.readouterr().err
        assert {story["id"] for story in json.loads(target.read_text())["stories"]} == {SEED_URL, "a", "b"}
        assert cli.main(["--import-state", str(target)]) == 1
        out, err = capsys.readouterr()
        assert out == "" and "can only be read (database is locked)" in err and err.count("\n") == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_an_import_that_cannot_be_written_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = good_state()
    source = tmp_path / "source.json"
    source.write_text(json.dumps({"format": "reader-state", "version": 1,
                                  "stories": [{"id": "x", "read_at": 1.0, "starred": True, "updated": 2.0}]}))
    monkeypatch.setattr(state_db, "BUSY_TIMEOUT", 0.2)
    store = StateStore(str(path))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # taken after the store opened: its import cannot write
    try:
        with pytest.raises(StateError, match="cannot be written \\(database is locked\\)"):
            store.import_state(str(source))
        assert not store.is_starred("x") and store.location == str(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


def test_an_export_after_the_state_was_moved_aside_keeps_the_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path(state_location())
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database" * 100)
    target = backup(tmp_path)
    assert cli.main(["--export-state", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "was damaged" in err and "Nothing was exported" in err
    assert target.read_text() == '{"a": "good backup"}'
