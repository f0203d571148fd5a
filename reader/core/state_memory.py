"""The reading state as held in memory: what every question about it reads, and the only code that
changes it. `reader.core.state.StateStore` keeps it in line with the database."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Set as AbstractSet
from types import MappingProxyType

from .filter_names import SavedFilters
from .identity import storable_id, valid_text
from .state_db import Row


class StateMemory:
    """Read and starred stories, saved filters and the ui memory, with `version` bumped whenever the
    first three change. `read` and `starred` are live read-only views, changed in place and never
    emptied on the way, so a view handed out stays right throughout."""

    version: int
    """Bumped by every change to read, starred or saved filters, local or picked up from elsewhere."""

    def __init__(self) -> None:
        self.version = 0
        self._lock = threading.RLock()
        self._read: dict[str, float] = {}
        self._starred: dict[str, None] = {}  # a dict, so that `starred` can be a live read-only view
        self._read_view: Mapping[str, float] = MappingProxyType(self._read)
        self._starred_view: AbstractSet[str] = self._starred.keys()
        self._filters: SavedFilters = []
        self._ui: dict[str, str] = {}

    @property
    def read(self) -> Mapping[str, float]:
        """id -> when it was read (epoch seconds); only read stories are present. A live, read-only view
        (made once: filters ask for it for every record they test)."""
        return self._read_view

    @property
    def starred(self) -> AbstractSet[str]:
        """The ids of starred stories. A live, read-only view."""
        return self._starred_view

    def is_read(self, id: str) -> bool:
        """Whether the story is read."""
        return storable_id(id) in self._read

    def is_starred(self, id: str) -> bool:
        """Whether the story is starred."""
        return storable_id(id) in self._starred

    def recently_read(self, limit: int | None = None) -> list[tuple[str, float]]:
        """(id, read_at) of read stories, the most recently read first (ties by id); at most `limit`."""
        with self._lock:
            found = sorted(self._read.items(), key=lambda item: (-item[1], item[0]))
        return found if limit is None else found[: max(limit, 0)]

    def saved_filters(self) -> SavedFilters:
        """(name, query) of each saved filter, in the order they were created."""
        with self._lock:
            return list(self._filters)

    def get_ui(self, key: str) -> str | None:
        """The remembered ui value for `key`, or None."""
        with self._lock:
            return self._ui.get(valid_text(key))

    def _remembered(self) -> list[tuple[str, float | None, bool]]:
        """(id, read_at, starred) of every story that is read or starred."""
        return [(i, self._read.get(i), i in self._starred) for i in {**self._read, **self._starred}]

    def _replace(
        self, read: dict[str, float], starred: dict[str, None], filters: SavedFilters, ui: dict[str, str]
    ) -> None:
        """Hold these instead (without bumping `version`: see `_bump_if_changed`)."""
        for gone in self._read.keys() - read.keys():
            del self._read[gone]
        self._read.update(read)
        for gone in self._starred.keys() - starred.keys():
            del self._starred[gone]
        self._starred.update(starred)
        self._filters, self._ui = filters, ui

    def _snapshot(self) -> tuple[dict[str, float], set[str], SavedFilters]:
        return dict(self._read), set(self._starred), list(self._filters)

    def _bump_if_changed(self, before: tuple[dict[str, float], set[str], SavedFilters]) -> bool:
        """Bump `version` when read, starred or the saved filters differ from `before`; whether they do."""
        if (self._read, set(self._starred), self._filters) == before:
            return False
        self.version += 1
        return True

    def _apply(self, rows: Mapping[str, Row]) -> None:
        """Put the stories' new states in memory; bump `version` when that changes anything."""
        changed = False
        for id, (read_at, starred) in rows.items():
            if self._read.get(id) != read_at:
                changed = True
                if read_at is None:
                    del self._read[id]
                else:
                    self._read[id] = read_at
            if (id in self._starred) != starred:
                changed = True
                if starred:
                    self._starred[id] = None
                else:
                    del self._starred[id]
        if changed:
            self.version += 1

    def _set_filters(self, filters: SavedFilters) -> None:
        if filters != self._filters:
            self._filters = filters
            self.version += 1
