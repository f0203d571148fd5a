"""Saved filters' names and queries as the user sees them: cleaned like record text, and never passing
for one of the topic pane's built-in views.

A name or query may come from a file (`--import-state`), so it is hostile: cleaning makes it one line
with nothing that acts on the terminal (see `reader.core.text.safe_text`), and a name whose letters
are those of a built-in view ("All", "★ Starred", "Recently read", the "Saved filters" header) is
refused when saved or imported, and marked when one from before is shown.
"""

from __future__ import annotations

import unicodedata

from .text import safe_text

BUILT_IN_VIEWS = ("All", "★ Starred", "Recently read", "Saved filters")
"""The topic pane's rows that are not topics or saved filters (and its header for saved filters)."""


def clean_filter_text(text: str) -> str:
    """A saved filter's name or query on one line, with every character that could act on a terminal
    neutralised, as record text is."""
    return safe_text(text)


def _letters(text: str) -> str:
    """The letters and digits of `text`, compatibility-normalised and case-folded."""
    return "".join(char for char in unicodedata.normalize("NFKC", text).casefold() if char.isalnum())


_VIEW_LETTERS = {_letters(view): view for view in BUILT_IN_VIEWS}


def imitated_view(name: str) -> str | None:
    """The built-in view that a saved filter called `name` would pass for ("all", " ★ starred ",
    "RECENTLY-READ"...), or None."""
    return _VIEW_LETTERS.get(_letters(clean_filter_text(name)))


def shown_name(name: str) -> str:
    """A saved filter's name as the topic pane shows it: cleaned, and in quotes with "(saved)" after
    it when it would pass for a built-in view (only a state from before the check can hold one)."""
    cleaned = clean_filter_text(name)
    return f"“{cleaned.strip()}” (saved)" if imitated_view(cleaned) else cleaned


SavedFilters = list[tuple[str, str]]
"""(name, query) of each saved filter, in their order."""


def with_filter(filters: SavedFilters, name: str, query: str, limit: int) -> SavedFilters:
    """`filters` with `name` saved: an existing name gets the new query and keeps its place, a new one
    goes last. ValueError when there are `limit` already."""
    if any(saved == name for saved, _ in filters):
        return [(saved, query if saved == name else old) for saved, old in filters]
    if len(filters) >= limit:
        raise ValueError(f"at most {limit} filters can be saved: delete one first")
    return [*filters, (name, query)]


def renamed_filter(filters: SavedFilters, old: str, new: str) -> SavedFilters:
    """`filters` with `old` renamed to `new` in its place. KeyError when `old` is not there,
    ValueError when `new` already is."""
    names = [name for name, _ in filters]
    if old not in names:
        raise KeyError(old)
    if new != old and new in names:
        raise ValueError(f"a filter named {new!r} already exists")
    return [(new if name == old else name, query) for name, query in filters]


def without_filter(filters: SavedFilters, name: str) -> SavedFilters:
    """`filters` without `name`. KeyError when it is not there."""
    if all(saved != name for saved, _ in filters):
        raise KeyError(name)
    return [(saved, query) for saved, query in filters if saved != name]
