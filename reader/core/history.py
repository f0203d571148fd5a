"""A browser-like back/forward history of visited items."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class History(Generic[T]):
    """Visited items with a cursor: visiting drops the forward entries, and the oldest go beyond `limit`.

    Items are compared with `==` and should not be None (None means "nothing" in the return values).
    """

    def __init__(self, limit: int | None = 500) -> None:
        if limit is not None and limit < 1:
            raise ValueError(f"history limit must be at least 1, not {limit}")
        self.limit = limit
        self._items: list[T] = []
        self._index = -1

    @property
    def current(self) -> T | None:
        """The item being shown, or None before the first visit."""
        return self._items[self._index] if self._items else None

    @property
    def can_go_back(self) -> bool:
        """Whether there is an older item to go back to."""
        return self._index > 0

    @property
    def can_go_forward(self) -> bool:
        """Whether there is a newer item to go forward to."""
        return self._index < len(self._items) - 1

    def __len__(self) -> int:
        return len(self._items)

    def visit(self, item: T) -> None:
        """Make `item` current, dropping the forward entries; visiting the current item again does nothing."""
        if self._items and self._items[self._index] == item:
            return
        del self._items[self._index + 1 :]
        self._items.append(item)
        if self.limit is not None and len(self._items) > self.limit:
            del self._items[: len(self._items) - self.limit]
        self._index = len(self._items) - 1

    def back(self) -> T | None:
        """Go back one item and return the new current one, or None (and stay put) if there is none."""
        if not self.can_go_back:
            return None
        self._index -= 1
        return self._items[self._index]

    def forward(self) -> T | None:
        """Go forward one item and return the new current one, or None (and stay put) if there is none."""
        if not self.can_go_forward:
            return None
        self._index += 1
        return self._items[self._index]

    def clear(self) -> None:
        """Forget every item."""
        self._items.clear()
        self._index = -1
