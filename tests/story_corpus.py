"""A small library of stories for the app's story tests: one event reported by three outlets, one by two,
and a record alone, written as real files; and the grouping a test gives them (`group`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from reader.screens.main import MainScreen

from .helpers import settle

ROCKET = "Acme launches its first rocket"
FLAW = "Security flaw found in WidgetOS"
SOLO = "City opens a new library"
ROCKET_URLS = ("https://reuters.example/acme-rocket", "https://verge.example/acme-rocket",
               "https://bbc.example/acme-rocket")
OTHER_RELATED = "https://other.example/space-weekly"


def _record(title: str, when: str, provider: str, url: str, topic: str, related: str = "", quality: int = 50) -> str:
    return (
        f'---\ntitle: "{title}"\nexcerpt: "About {title}."\npublishedDateTime: {when}\nwebUrl: "{url}"\n'
        f"type: article\nquality: {quality}\npublished: true\nprovider:\n  name: {provider}\n  domain: "
        f"{provider.lower().replace(' ', '')}.example\ntopics:\n  - {topic}\n{related}---\nBody of {title}.\n"
    )


RELATED = (
    f'related:\n  - title: "{ROCKET}"\n    webUrl: "{ROCKET_URLS[0]}"\n    provider:\n      name: Reuters\n'
    f'  - title: "Space weekly"\n    webUrl: "{OTHER_RELATED}"\n    provider:\n      name: Other\n'
)

RECORDS = {
    "rocket1.md": _record(ROCKET, "2021-03-01T10:00:00Z", "Reuters", ROCKET_URLS[0], "Space"),
    "rocket2.md": _record(f"{ROCKET} - The Verge", "2021-03-01T12:00:00Z", "The Verge", ROCKET_URLS[1], "Space",
                          quality=90),
    "rocket3.md": _record("Acme's first rocket lifts off", "2021-03-02T08:00:00Z", "BBC", ROCKET_URLS[2], "Space",
                          RELATED),
    "flaw1.md": _record(FLAW, "2021-02-20T09:00:00Z", "Wired", "https://wired.example/flaw", "Security"),
    "flaw2.md": _record(f"{FLAW} | Ars", "2021-02-21T09:00:00Z", "Ars", "https://ars.example/flaw", "Security"),
    "solo.md": _record(SOLO, "2021-03-03T09:00:00Z", "Local News", "https://local.example/library", "Space"),
}
STORIES = {"rocket1.md": "rocket", "rocket2.md": "rocket", "rocket3.md": "rocket", "flaw1.md": "flaw",
           "flaw2.md": "flaw", "solo.md": ""}
"""Which story each record reports, as a test gives them (the grouping itself is tested in the core)."""


def write_stories(folder: Path) -> Path:
    """The records above, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in RECORDS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


async def group(pilot: Pilot[Any], folder: Path) -> None:
    """Give the loaded records their stories (`STORIES`) and wait for the list and counts to follow."""
    await settle(pilot)
    main = pilot.app.screen
    assert isinstance(main, MainScreen)
    main.library.set_stories({str(folder / name): story for name, story in STORIES.items()})
    main.refresh_topics()
    main.articles_pane.refilter()
    await settle(pilot)
