"""The words of the status line and of the article pane's count: pure functions of what they report."""

from __future__ import annotations

from collections.abc import Callable

from ..core.counts import Counts
from ..core.sorting import order_label
from ..core.story_rows import StoryRows
from ..core.text import safe_text
from .choice import Choice
from .filtering import FilterRuns
from .folders import Progress

PROGRESS_CELLS = 12
"""The width of the loading bar."""


def listed_count(listing: FilterRuns, total: int) -> str:
    """How many records are listed, of how many (a "+" while the list is its first page only)."""
    rows, more = listing.matching, "" if listing.complete else "+"
    if isinstance(rows, StoryRows):  # by story: how many stories, and how many records they hold
        stories = f"{len(rows.folded):,}{more} {'story' if len(rows.folded) == 1 and not more else 'stories'}"
        return f"showing {stories} · {rows.matched:,}{more} of {total:,}"
    return f"showing {len(rows):,}{more} of {total:,}"


def choice_label(choice: Choice) -> str | None:
    """What the status line calls the topic pane's choice (nothing for all records)."""
    if choice.kind == "topic":
        return f"topic: {choice.name}"
    if choice.kind == "saved":
        return f"saved: {choice.name}"
    return {"starred": "starred", "recent": "recently read"}.get(choice.kind)


def empty_message(listing: FilterRuns, *, loading: bool, topics_key: str = "t") -> str:
    """What the story pane says when the list is empty: which view narrows it (a topic, a saved filter,
    starred or recently read: a saved filter restored at the start narrows every search) and how to
    search every record (`topics_key`, then All)."""
    if loading:
        return "Loading…"
    choice = listing.choice
    where = {
        "topic": f"in the topic {safe_text(choice.name, limit=80)!r}",
        "saved": f"in the saved filter {safe_text(choice.name, limit=80)!r}",
        "starred": "among the starred records",
        "recent": "among the records read recently",
    }.get(choice.kind)
    if where is None:
        return "No record matches."
    typed = listing.typed.text.strip()
    what = f"No record matches {safe_text(typed, limit=60)!r}" if typed else "No record"
    return f"{what} {where}. To search every record, press {topics_key} and choose All."


StatusParts = dict[str, list[str]]
"""The parts of the status line by name ("unread", "view", "sort", "problems", "loading"), each the ways
to say it, longest first."""

SEPARATOR, SHORT_SEPARATOR = "  ·  ", " · "
SHORTENING = ("separator", "loading", "problems", "loading", "sort", "loading", "view", "problems", "view!")
"""What gives way first when the status line does not fit, least useful first: the room between the
parts, the loading rate, the problems' hint, the loading bar, the word "sort:", the loading count (to a
percentage), the end of a long view name (a saved filter's can be 100 characters) down to MIN_VIEW, the
word "problems", and then as much of the view's name as it takes."""
MIN_VIEW = 16
"""A view's label ("saved: " and the name) is cut to this before the problems are said in short."""


def status_parts(
    counts: Counts, listing: FilterRuns, problems: int, progress: Progress | None, now: float
) -> StatusParts:
    """The parts of the line at the top: unread count, what is listed and in what order, problems,
    loading progress at `now`; each with its shorter forms (see `fit_status`)."""
    choice = listing.choice
    parts: StatusParts = {}
    if counts.total:
        parts["unread"] = [f"{counts.unread:,} unread"]
    if (label := choice_label(choice)) is not None:
        parts["view"] = [safe_text(label)]
    # Recently read is in reading order whatever the sort order is.
    order = "last read first" if choice.kind == "recent" else order_label(listing.sort_order)
    parts["sort"] = [f"sort: {order}", order]
    if problems:
        named = f"{problems:,} problem{'s' if problems != 1 else ''}"
        parts["problems"] = [f"{named} (press ! to see)", f"{named} (!)", f"{problems:,} !"]
    if progress is not None:
        # What is loaded of what will be (the records shown before the count began included), at the
        # rate files are parsed now.
        loaded, expected = progress.loaded, progress.expected
        rate = progress.done / max(now - progress.started, 1e-3)
        filled = round(PROGRESS_CELLS * loaded / expected) if expected else 0
        bar = "█" * filled + "░" * (PROGRESS_CELLS - filled)
        numbers = f"{loaded:,}/{expected:,}"
        parts["loading"] = [f"loading {bar} {numbers} · {rate:,.0f}/s", f"loading {bar} {numbers}",
                            f"loading {numbers}", f"{round(100 * loaded / expected) if expected else 0}%"]
    return parts


def fit_status(parts: StatusParts, width: int | None = None, width_of: Callable[[str], int] = len) -> str:
    """The status line of `parts` in `width` cells (as `width_of` measures text) if it can be made to
    fit: the parts in SHORTENING's order give way one step at a time, a view's name only as far as it
    must. Without a width, in full."""
    chosen = dict.fromkeys(parts, 0)
    forms = {name: list(said) for name, said in parts.items()}
    separator = SEPARATOR
    label = forms["view"][0] if "view" in forms else ""

    def line() -> str:
        return separator.join(forms[name][chosen[name]] for name in forms)

    def cut_view(minimum: int) -> None:
        """The view's label, as long as the room left for it allows (not shorter than `minimum`)."""
        room = max(width_of(line()) - width_of(forms["view"][0]), 0)
        room = max(width - room if width is not None else 0, minimum)
        cut = label
        if width_of(label) > room:
            cut = label[: room - 1]
            while cut and width_of(cut) + 1 > room:
                cut = cut[:-1]
            cut += "…"
        forms["view"][0] = cut

    if width is None:
        return line()
    for step in SHORTENING:
        if width_of(line()) <= width:
            break
        if step == "separator":
            separator = SHORT_SEPARATOR
        elif step.startswith("view"):
            if "view" in forms:
                cut_view(MIN_VIEW if step == "view" else 1)
        elif step in forms:
            chosen[step] = min(chosen[step] + 1, len(forms[step]) - 1)
    if "view" in forms and forms["view"][0] != label and width_of(line()) <= width:
        cut_view(1)  # what gave way after the name was cut left it room again
    return line()


def status_text(
    counts: Counts, listing: FilterRuns, problems: int, progress: Progress | None, now: float,
    width: int | None = None,
) -> str:
    """The line at the top (see `status_parts`), fitted into `width` characters when given."""
    return fit_status(status_parts(counts, listing, problems, progress, now), width)
