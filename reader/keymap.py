"""Every key binding a keymap can change, by where it is active, and the check of the keymap setting.

The app's and the main screen's bindings are declared here, beside the panes' (read from the widgets),
so that the app, the main screen and the help screen all read one table and none imports another."""

from __future__ import annotations

import unicodedata

from textual.binding import Binding, BindingType
from textual.keys import KEY_NAME_REPLACEMENTS, Keys

from .core.text import safe_text
from .widgets.article_list import ArticleList
from .widgets.filter_bar import FilterBar
from .widgets.option_list import KeyedOptionList
from .widgets.topics import TopicList

APP_BINDINGS: list[BindingType] = [
    Binding("question_mark", "help", "Help", id="app.help"),
    Binding("q", "quit", "Quit", id="app.quit"),
]

MAIN_BINDINGS: list[BindingType] = [
    # A priority binding: checked as the key arrives, not after it has bubbled up behind queued
    # messages; otherwise, while records load, keys typed right after / reached the list first.
    Binding("slash", "filter", "Filter", id="main.filter", priority=True),
    # Enter in the filter bar, also as the key arrives: keys typed right after it (G, j, s ...)
    # were already on their way to the bar when it handled enter, if the screen was busy.
    Binding("enter", "keep_filter", "Keep the filter", show=False, priority=True),
    Binding("o", "open", "Open", id="main.open"),
    Binding("s", "toggle_star", "Star", id="main.star"),
    Binding("m", "toggle_read", "Read/unread", id="main.read", show=False),
    Binding("M", "mark_all_read", "All read", id="main.all_read", show=False),
    Binding("u", "undo", "Undo", id="main.undo", show=False),
    Binding("n", "next_unread", "Next unread", id="main.next_unread", show=False),
    Binding("p", "previous_unread", "Previous unread", id="main.previous_unread", show=False),
    Binding("y", "copy", "Copy URL", id="main.copy", show=False),
    Binding("S", "sort", "Sort", id="main.sort"),
    Binding("R", "sort(True)", "Reverse the order", id="main.reverse", show=False),
    Binding("v", "toggle_grouping", "Stories", id="main.grouping"),  # one row per story, or per record
    Binding("backspace,alt+left", "back", "Back", id="main.back"),
    Binding("alt+right", "forward", "Forward", id="main.forward", show=False),
    Binding("z", "reading_mode", "Story alone", id="main.reading_mode"),
    Binding("t", "topics", "Topics", id="main.topics"),
    Binding("escape", "step_back", "Back one level", id="main.step_back", show=False),
    Binding("exclamation_mark", "problems", "Problems", id="main.problems", show=False),
    Binding("r", "reload", "Reload", id="main.reload", show=False),
]


def bindings(table: list[BindingType]) -> list[Binding]:
    """The `Binding`s of a BINDINGS table (which may also hold tuples)."""
    return [b for b in table if isinstance(b, Binding)]


def binding_scopes() -> list[list[Binding]]:
    """The bindings a keymap can change, by where they are active together (a key may mean one thing
    in the topic pane and another in the article list, but not two things in one place)."""
    everywhere = [*APP_BINDINGS, *MAIN_BINDINGS]
    scopes = [everywhere + list(cls.BINDINGS) for cls in (ArticleList, FilterBar, TopicList)]
    return [[b for b in scope if isinstance(b, Binding) and b.id] for scope in scopes]


def binding_ids() -> set[str]:
    """The ids of every binding a keymap can change."""
    return {b.id for scope in binding_scopes() for b in scope if b.id}


KEY_NAMES = frozenset(key.value.rsplit("+", 1)[-1] for key in Keys) | {"space", "tab", "enter", "backspace"}
"""The names of keys Textual reports (besides single characters and the names of characters)."""


def is_key_name(key: str) -> bool:
    """Whether Textual can ever report this key: modifiers, then one character or a key's name."""
    *modifiers, name = key.split("+")
    if any(m not in ("ctrl", "shift", "alt", "meta", "super", "hyper") for m in modifiers) or not name:
        return False
    if len(name) == 1 or name in KEY_NAMES:
        return True
    try:
        unicodedata.lookup(name.replace("_", " ").upper())  # question_mark, exclamation_mark, ...
    except KeyError:
        return name in KEY_NAME_REPLACEMENTS.values()
    return True


def check_keymap(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The keymap entries that can apply, and a problem (one line) for each that cannot or that takes
    a key from another binding."""
    known, problems = binding_ids(), []
    usable: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            problems.append(f"keymap.{safe_text(binding_id, limit=60)}: no binding has this id "
                            f"(ids: {', '.join(sorted(known))})")
            continue
        bad = [key for key in keys.split(",") if not is_key_name(key.strip())]
        if bad:
            problems.append(f"keymap.{binding_id}: {safe_text(bad[0], limit=40)!r} is not a key name "
                            "(e.g. ctrl+o, f5, question_mark, a)")
            continue
        usable[binding_id] = ",".join(key.strip() for key in keys.split(","))
    for scope in binding_scopes():
        owners: dict[str, list[str]] = {}
        for binding in scope:
            for key in usable.get(binding.id or "", binding.key).split(","):
                owners.setdefault(key, []).append(binding.id or "")
        for key, ids in owners.items():
            changed = [i for i in ids if i in usable]
            problem = f"keymap: {key!r} is bound to both {' and '.join(ids)}: one of them will not work"
            if len(set(ids)) > 1 and changed and problem not in problems:
                problems.append(problem)
    return usable, problems


def help_sources() -> list[tuple[str, list[Binding]]]:
    """Every binding the help screen lists, by where it is active."""
    screen = bindings(MAIN_BINDINGS)
    return [
        ("anywhere", bindings(APP_BINDINGS)),
        ("main screen", [b for b in screen if b.action != "keep_filter"]),
        ("article list", bindings(ArticleList.BINDINGS)),
        # enter in the filter bar is bound on the screen, to act as the key arrives
        ("filter bar", [*(b for b in screen if b.action == "keep_filter"), *bindings(FilterBar.BINDINGS)]),
        ("topic pane", bindings(TopicList.BINDINGS)),
        ("other lists", bindings(KeyedOptionList.BINDINGS)),
    ]
