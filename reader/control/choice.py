"""What the topic pane has chosen: every record, the starred ones, the recently read, a topic or a
saved filter; the article list shows what it stands for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..core.query import QueryError, parse_query

ChoiceKind = Literal["all", "starred", "recent", "topic", "saved"]
"""A view of the library ("all", "starred", "recent"), a topic, or a saved filter."""


@dataclass(frozen=True, slots=True)
class Choice:
    """A row of the topic pane: its kind, and for a topic or saved filter its name (and its query)."""

    kind: ChoiceKind
    name: str = ""
    query: str = ""

    @property
    def query_error(self) -> str | None:
        """Why a saved filter's query cannot be used (it may come from an imported file), or None."""
        if self.kind != "saved":
            return None
        try:
            parse_query(self.query)
        except QueryError as error:
            return str(error)
        return None


