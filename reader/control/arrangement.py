"""How the article list is arranged, as keys change it: the sort order (S the next, R the same order
reversed) and one row per story or per record (v), each kept for the next start."""

from __future__ import annotations

from ..core.sorting import ALL_ORDERS
from ..core.state import StateStore
from .filtering import GROUPING_KEY, FilterRuns

SORT_KEY = "sort"
"""The ui value that remembers the sort order chosen last."""


class Arrangement:
    """Changes the order and the grouping of `listing` and remembers them in `state`'s ui values.

    The order chosen last time is the listing's from the start (FilterRuns reads the grouping itself)."""

    def __init__(self, listing: FilterRuns, state: StateStore) -> None:
        self.listing, self.state = listing, state
        if (order := state.get_ui(SORT_KEY)) in ALL_ORDERS:
            listing.sort_order = order

    def sort(self, reverse: bool = False) -> str:
        """The next order, or the same order reversed: the new order, remembered."""
        self.listing.reverse_sort_order() if reverse else self.listing.next_sort_order()
        self.state.set_ui(SORT_KEY, self.listing.sort_order)
        return self.listing.sort_order

    def toggle_grouping(self) -> bool:
        """One row per story, or one per record (no story stays opened): whether grouped now, remembered."""
        self.listing.grouped = grouped = not self.listing.grouped
        self.listing.opened = ""
        self.state.set_ui(GROUPING_KEY, "on" if grouped else "off")
        return grouped
