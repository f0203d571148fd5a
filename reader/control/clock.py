"""What the plain objects need of a clock: one-shot and repeating timers (a Textual screen is one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Timer(Protocol):
    """A timer that was set: it can be stopped, or started again from now."""

    def stop(self) -> None: ...

    def reset(self) -> None: ...


class Scheduler(Protocol):
    """Calls a function later, once or every `interval` seconds (Textual's `set_timer` and `set_interval`)."""

    def set_timer(self, delay: float, callback: Callable[[], object], *, name: str | None = None) -> Timer:
        ...

    def set_interval(
        self, interval: float, callback: Callable[[], object], *, name: str | None = None
    ) -> Timer: ...
