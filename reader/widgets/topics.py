"""The topic pane: "All", then every topic with its record count, most common first."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from .article_list import fit
from .option_list import KeyedOptionList

TOPIC_WIDTH = 14  # with a 7-wide count, fits the pane's 28 columns less border, padding and scrollbar
ALL_TOPICS = "\x00all"  # an id no topic can have: record text never holds NUL


class TopicList(KeyedOptionList):
    """Choose a topic to limit the article list to it."""

    @dataclass
    class Chosen(Message):
        """A topic was highlighted; None stands for all topics."""

        topic: str | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.border_title = "Topics"

    @property
    def topic(self) -> str | None:
        """The highlighted topic, None for all."""
        if self.highlighted is None:
            return None
        option_id = self.get_option_at_index(self.highlighted).id
        return None if option_id in (None, ALL_TOPICS) else option_id[1:]

    def show(self, total: int, counts: list[tuple[str, int]]) -> None:
        """Replace the topics, keeping the highlighted one when it still exists."""
        current = self.topic
        width = TOPIC_WIDTH
        options = [Option(f"{fit('All', width)} {total:>7,}", id=ALL_TOPICS)]
        options += [Option(f"{fit(topic, width)} {count:>7,}", id="#" + topic) for topic, count in counts]
        self.set_options(options)
        index = 0
        if current is not None:
            index = next((i for i, (topic, _) in enumerate(counts, 1) if topic == current), 0)
        with self.prevent(OptionList.OptionHighlighted):
            self.highlighted = index
        if current is not None and index == 0:
            self.post_message(self.Chosen(None))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Chosen(self.topic))
