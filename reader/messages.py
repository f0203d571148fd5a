"""The messages the main screen's workers post back, to the screen and to its panes (workers only post;
handlers update), declared in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from .control.filtering import Page
from .control.story import Visit
from .core.counts import Counts
from .core.loader import Batch
from .core.record import Problem, Record, Summary


@dataclass
class Loaded(Message):
    """A batch arrived from the loader."""

    batch: Batch


@dataclass
class Walked(Message):
    """A load or walk for changes finished, taking `seconds`."""

    seconds: float


@dataclass
class Counted(Message):
    """The counts worker finished."""

    counts: Counts


@dataclass
class Filtered(Message):
    """A filter run's list, or its first page, for the articles pane; stale generations are dropped."""

    page: Page


@dataclass
class StoryRead(Message):
    """The story pane's worker read a record for the story visited."""

    visit: Visit
    record: Record | Problem
    mentions: list[Summary]
    coverage: list[Summary] = field(default_factory=list)
    """Every record of the record's story, earliest first."""
    same_story: frozenset[int] = frozenset()
    """The positions of the record's related stories that are records of its own story."""
