"""The main screen's messages: what its workers post back to it (workers only post; handlers update)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..core.counts import Counts
from ..core.loader import Batch


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
