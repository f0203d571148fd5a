"""The reading state's SQLite side (reader.core.state_db): the file format this version reads, files
that can only be read, a damaged file another copy of the reader replaced meanwhile, and the queries."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from reader.core import state_db
from reader.core.state import StateStore

T0 = 1_700_000_000.0
PAGE = 4096

FORMAT_1 = (  # the file as the first reader with a reading state wrote it
    "CREATE TABLE stories (id TEXT PRIMARY KEY, read_at REAL, starred INTEGER NOT NULL DEFAULT 0, "
    "updated REAL NOT NULL)",
    "CREATE TABLE filters (name TEXT PRIMARY KEY, query TEXT NOT NULL, position INTEGER NOT NULL)",
    "CREATE TABLE ui (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "INSERT INTO stories VALUES ('read', 1.5, 0, 2.0), ('starred', NULL, 1, 3.0), ('both', 4, 1, 4.0)",
    "INSERT INTO filters VALUES ('second', 'b', 7), ('first', 'a', 3)",
    "INSERT INTO ui VALUES ('theme', 'nord')",
    "PRAGMA user_version = 1",
)


def format_1_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    for statement in FORMAT_1:
        db.execute(statement)
    db.close()


def test_a_file_in_the_first_format_is_read_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    format_1_file(path)
    with StateStore(str(path), clock=lambda: T0) as s:
        assert s.notice is None and s.moved_to is None and not s.read_only
        assert dict(s.read) == {"read": 1.5, "both": 4.0} and set(s.starred) == {"starred", "both"}
        assert s.saved_filters() == [("first", "a"), ("second", "b")]
        assert s.get_ui("theme") == "nord"
        s.set_read(["new"])
    assert [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name] == []
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (1,)
    assert db.execute("SELECT read_at FROM stories WHERE id = 'new'").fetchone() == (T0,)
    db.close()


def test_a_new_file_is_made_in_the_first_format(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    StateStore(str(path)).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (1,)
    tables = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
    assert sorted(sql for (sql,) in tables) == sorted(FORMAT_1[:3])
    db.close()


def test_a_state_whose_log_cannot_be_opened_is_read_from_its_file(tmp_path: Path) -> None:
    """On a read-only mount SQLite cannot open the write-ahead log it needs; what the database file holds
    is still read (here the log's place is taken by a folder, which does the same to SQLite)."""
    path = tmp_path / "state.sqlite3"
    with StateStore(str(path), clock=lambda: T0) as s:
        s.set_read(["a"])
        s.save_filter("f", "q")
    Path(f"{path}-wal").mkdir()
    s = StateStore(str(path), clock=lambda: T0)
    assert s.read_only and s.location == str(path) and s.moved_to is None
    assert s.open_error == "unable to open database file"
    assert s.notice == (
        f"The reading state {path} can only be read (unable to open database file); changes will not be "
        "saved."
    )
    assert dict(s.read) == {"a": T0} and s.saved_filters() == [("f", "q")]
    s.set_starred("b", True)  # made in memory and kept
    assert s.is_starred("b") and s.unsaved == 1
    s.close()


def test_a_file_that_is_not_a_state_is_not_read_read_only(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA user_version = 1")  # says it is one, without the tables
    db.close()
    Path(f"{path}-wal").mkdir()
    s = StateStore(str(path))
    assert s.location == ":memory:" and not s.read_only
    assert s.notice == (
        f"The reading state {path} cannot be used (unable to open database file); changes will not be saved."
    )


def test_a_damaged_file_another_copy_replaced_meanwhile_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"not a database" * 500)
    real = state_db.connect_waiting
    others: list[StateStore] = []

    def racing(location: str) -> sqlite3.Connection:
        try:
            return real(location)
        except sqlite3.DatabaseError:
            monkeypatch.setattr(state_db, "connect_waiting", real)
            # meanwhile, another copy moves it aside, starts a new one and writes to it
            others.append(StateStore(location, clock=lambda: T0))
            others[0].set_read(["by the other copy"])
            raise

    monkeypatch.setattr(state_db, "connect_waiting", racing)
    s = StateStore(str(path), clock=lambda: T0)
    (other,) = others
    assert other.moved_to is not None and other.notice is not None and "was damaged" in other.notice
    assert s.notice is None and s.moved_to is None and s.location == str(path)  # the new file, as it is
    assert s.is_read("by the other copy")
    assert [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name] == [Path(other.moved_to).name]
    other.close()
    s.close()


def test_a_damaged_files_log_is_moved_aside_with_it(tmp_path: Path) -> None:
    """While another program holds the damaged database open, its log files stay beside it: they go with
    it, so that the new database never replays the old one's log."""
    path = tmp_path / "state.sqlite3"
    with StateStore(str(path)) as s:
        s.set_read([f"https://example.com/news/{i}/" * 3 for i in range(2000)])
    data = bytearray(path.read_bytes())
    for page in (len(data) // PAGE // 3, len(data) // PAGE * 2 // 3):  # two b-tree pages' cells
        data[page * PAGE + 8 : page * PAGE + PAGE - 8] = b"\xa5" * (PAGE - 16)
    path.write_bytes(bytes(data))
    holder = sqlite3.connect(path)
    holder.execute("PRAGMA user_version").fetchone()  # opens the log files, and keeps them
    assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
    s = StateStore(str(path), clock=lambda: T0)
    assert s.moved_to is not None
    assert Path(s.moved_to).read_bytes() == bytes(data)
    assert Path(f"{s.moved_to}-wal").exists() and Path(f"{s.moved_to}-shm").exists()
    check = sqlite3.connect(f"file:{s.moved_to}?mode=ro&immutable=1", uri=True)
    found = check.execute("PRAGMA quick_check").fetchall()
    check.close()
    assert len(found) > 1  # the notice names the first thing found wrong
    first = state_db.one_line(found[0][0])
    assert s.notice == (
        f"The reading state {path} was damaged (quick_check: {first}); it was moved to {s.moved_to} and a "
        "new one was started."
    )
    s.set_read(["x"])
    s.close()
    holder.close()
    with StateStore(str(path)) as again:
        assert again.notice is None and dict(again.read) == {"x": T0}


def test_the_name_a_damaged_file_is_moved_to(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    first = state_db._aside_name(path, T0)
    assert first == f"{path}.corrupt-20231114-221320"  # (TZ=UTC in tests)
    Path(first).write_text("")
    assert state_db._aside_name(path, T0) == f"{first}-2"
    Path(f"{first}-2").symlink_to("nowhere")  # a name taken by a broken link is taken too
    assert state_db._aside_name(path, T0) == f"{first}-3"


def test_is_damage_tells_damage_from_trouble() -> None:
    db = sqlite3.connect(":memory:")
    try:
        db.execute("SELECT * FROM nowhere")
    except sqlite3.OperationalError as error:
        assert not state_db.is_damage(error)
    assert state_db.is_damage(state_db.Damaged("x")) and state_db.is_damage(state_db.Newer("x"))
    assert not state_db.is_damage(OSError("disk"))
    assert not state_db.is_damage(sqlite3.DatabaseError("made by hand"))  # no code
    made = sqlite3.DatabaseError("corrupt")
    codes = ((11, True), (26, True), (11 + 256, True), (26 + 512, True), (10, False), (27, False))
    for code, damage in codes:
        made.sqlite_errorcode = code  # type: ignore[attr-defined]
        assert state_db.is_damage(made) is damage, code
    assert not state_db.is_damage(sqlite3.Warning("not a database error"))


def test_one_line() -> None:
    assert state_db.one_line(sqlite3.OperationalError("disk\nI/O   error\t")) == "disk I/O error"
    assert state_db.one_line(OSError()) == "OSError"
    assert state_db.one_line("  ") == "str"


def test_a_read_transaction_reads_one_snapshot_while_another_copy_writes(tmp_path: Path) -> None:
    """What another copy of the reader commits between two reads of one `read_transaction` is not
    seen by the second (the store reads stories, filters and ui so, as one state)."""
    path = tmp_path / "state.sqlite3"
    db = state_db.connect(str(path))
    other = state_db.connect(str(path))

    def work(d: sqlite3.Connection) -> tuple[int, int]:
        before = d.execute("SELECT count(*) FROM ui").fetchone()[0]
        other.execute("INSERT INTO ui VALUES ('theirs', 'committed')")
        return before, d.execute("SELECT count(*) FROM ui").fetchone()[0]

    assert state_db.read_transaction(db, work) == (0, 0)
    assert not db.in_transaction and db.execute("SELECT count(*) FROM ui").fetchone() == (1,)
    other.close()
    db.close()


def test_story_rows_and_updates_read_any_number_of_ids() -> None:
    db = state_db.connect(":memory:")
    ids = [f"s{n}" for n in range(2 * state_db.SQL_CHUNK + 3)]
    rows = [(i, float(n) if n % 2 else None, n % 3 == 0, 10.0 + n) for n, i in enumerate(ids)]
    state_db.in_transaction(db, lambda d: d.executemany(state_db.UPSERT, rows))
    db.execute("INSERT INTO stories VALUES ('odd', 'text', 1, 'text')")  # a row damaged by hand
    found = state_db.story_rows(db, [*ids, "odd", "missing"])
    assert found == {i: (r, bool(s)) for i, r, s, _ in rows} | {"odd": (None, True)}
    updates = state_db.story_updates(db, [*ids, "odd", "missing"])
    assert updates == {i: u for i, _, _, u in rows} | {"odd": float("-inf")}
    assert state_db.story_rows(db, []) == {} and state_db.story_updates(db, []) == {}
    assert list(state_db.chunks([])) == []
    assert [len(c) for c in state_db.chunks(ids)] == [state_db.SQL_CHUNK, state_db.SQL_CHUNK, 3]


def test_filter_rows_and_names() -> None:
    db = state_db.connect(":memory:")
    db.executemany("INSERT INTO filters VALUES (?, ?, ?)", [
        ("c", "3", 30), ("a\x1b", "1", 10), ("b", b"2", 20), ("a␛", "dup", 15), ("d", "4", 40),
        (b"5", "x", 5),
    ])
    # in order, cleaned, rows that are not text left out, a cleaned name that comes again left out
    assert state_db.filter_rows(db) == [("a␛", "1"), ("c", "3"), ("d", "4")]
    assert state_db.filter_rows(db, 2) == [("a␛", "1"), ("c", "3")]
    assert state_db.filter_rows(db, 0) == [("a␛", "1"), ("c", "3"), ("d", "4")]  # (no row makes it 0)
    assert state_db.stored_filter_name(db, "c") == "c"
    assert state_db.stored_filter_name(db, "a␛") == "a␛"  # stored under its own name: that one first
    db.execute("DELETE FROM filters WHERE name = 'a␛'")
    assert state_db.stored_filter_name(db, "a␛") == "a\x1b"
    assert state_db.stored_filter_name(db, "b") == "b"
    assert state_db.stored_filter_name(db, "missing") is None


def test_add_filters() -> None:
    db = state_db.connect(":memory:")
    assert state_db.add_filters(db, [("a", "1"), ("b", "2")], 3) == (2, 0)
    more = [("b", "new"), ("c", "3"), ("d", "4"), ("e", "5"), ("a", "new")]
    assert state_db.add_filters(db, more, 3) == (1, 2)
    assert db.execute("SELECT name, query, position FROM filters ORDER BY position").fetchall() == [
        ("a", "new", 0), ("b", "new", 1), ("c", "3", 2)
    ]
    db.execute("DELETE FROM filters WHERE name = 'a'")
    assert state_db.add_filters(db, [("z", "26")], 3) == (1, 0)
    assert db.execute("SELECT name, position FROM filters ORDER BY position").fetchall() == [
        ("b", 1), ("c", 2), ("z", 3)
    ]


def test_a_state_named_without_a_folder_is_made_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with StateStore("state.sqlite3", clock=lambda: T0) as s:
        assert s.notice is None and s.location == "state.sqlite3"
        s.set_read(["a"])
    with StateStore(str(tmp_path / "state.sqlite3")) as again:
        assert again.is_read("a")


def test_a_state_is_shared_in_write_ahead_mode_and_waits_for_the_lock(tmp_path: Path) -> None:
    """Write-ahead logging lets other copies read while one writes; opening waits BUSY_TIMEOUT."""
    path = tmp_path / "state.sqlite3"
    s = StateStore(str(path))
    assert s._writer.db.execute("PRAGMA busy_timeout").fetchone() == (int(state_db.BUSY_TIMEOUT * 1000),)
    other = sqlite3.connect(path, isolation_level=None)
    assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO ui VALUES ('theirs', 'uncommitted')")
    assert s.refresh() is False and s.get_ui("theirs") is None  # reads on while the other writes
    other.execute("COMMIT")
    other.close()
    s.close()


def test_a_store_may_be_used_from_another_thread(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with StateStore(str(path)) as s:
        s.set_read(["a"])
    Path(f"{path}-wal").mkdir()  # (opened read-only: see above)
    stores = [StateStore(str(tmp_path / "other.sqlite3")), StateStore(str(path))]
    assert not stores[0].read_only and stores[1].read_only
    errors: list[BaseException] = []

    def use() -> None:
        try:
            for store in stores:
                store.set_starred("b", True)
                store.refresh()
                store.export_state(str(tmp_path / "e.json"))
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join()
    assert errors == []
    assert stores[0].is_starred("b") and stores[0].notice is None and stores[0].unsaved == 0
    assert stores[1].is_starred("b") and stores[1].unsaved == 1  # kept: it could only be read
    assert stores[1].notice == (
        f"The reading state {path} cannot be written now (it could only be opened for reading); your changes "
        "are kept and will be saved as soon as it can be."
    )
    for store in stores:
        store.close()


def test_opening_is_tried_again_while_sqlite_answers_locked_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copies of the reader starting together on a new file: SQLite may answer "database is locked" at
    once (where waiting could deadlock); opening tries again until BUSY_TIMEOUT has passed. Any other
    error is raised at once."""
    real = state_db.connect
    tries: list[str] = []

    def answering(error: str, times: int) -> None:
        def connect(location: str, wait: float | None = None) -> sqlite3.Connection:
            tries.append(location)
            if len(tries) <= times:
                raise sqlite3.OperationalError(error)
            return real(location, wait)

        tries.clear()
        monkeypatch.setattr(state_db, "connect", connect)

    path = str(tmp_path / "state.sqlite3")
    answering("database is locked", 2)
    db = state_db.connect_waiting(path)
    assert tries == [path] * 3 and db.execute("PRAGMA user_version").fetchone() == (1,)
    db.close()
    answering("disk I/O error", 1)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        state_db.connect_waiting(path)
    assert len(tries) == 1
    monkeypatch.setattr(state_db, "BUSY_TIMEOUT", 0.0)  # waited long enough: the lock is said
    answering("database is locked", 1)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        state_db.connect_waiting(path)
    assert len(tries) == 1


def test_a_file_another_program_fills_while_it_is_opened_is_not_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Empty when checked, holding another program's table when the schema is to be made: refused as
    not a reading state (it is then moved aside), and the other program's table is left as it is."""
    path = tmp_path / "state.sqlite3"
    real = state_db._check

    def checked_then_filled(db: sqlite3.Connection) -> None:
        real(db)
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE theirs (x)")
        other.commit()
        other.close()

    monkeypatch.setattr(state_db, "_check", checked_then_filled)
    with pytest.raises(state_db.Damaged, match="it holds something other than a reading state"):
        state_db.connect(str(path))
    db = sqlite3.connect(path)
    assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("theirs",)]
    db.close()
