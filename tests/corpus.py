"""A small library of records for pilot and snapshot tests, written as real files."""

from __future__ import annotations

import shutil
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_TITLE = "Ban on facial recognition technology advances in Minneapolis"
SEED_URL = "https://www.weau.com/2021/01/24/ban-on-facial-recognition-technology-advances-in-minneapolis/"
FIRST_RELATED_URL = (
    "https://bringmethenews.com/minnesota-news/minneapolis-a-step-closer-to-banning-facial-recognition-technology"
)
FOX_URL = "https://www.fox9.com/news/proposed-ban-on-facial-recognition-technology-moves-forward-in-minneapolis"

RECORDS = {
    # The seed's fifth related story, as a record of its own (reached through its AMP URL form).
    "fox.md": f"""---
title: "Proposed ban on facial recognition technology moves forward in Minneapolis"
excerpt: "Minneapolis is one step closer to banning police from using facial recognition."
publishedDateTime: 2021-01-22T22:20:00Z
webUrl: "{FOX_URL}.amp"
type: article
quality: 37
heat: 57
published: true
provider:
  name: Fox 9
  domain: fox9.com
topics:
  - AI
---
""",
    # A record that lists the seed among its related stories, so the seed is "mentioned by" it.
    "roundup.md": f"""---
title: "Weekly roundup: cities and [bold]surveillance[/bold]"
excerpt: "A look at the week."
publishedDateTime: 2021-01-28T09:00:00Z
originalUrl: "https://example.org/roundup"
type: article
quality: 80
heat: 100
published: true
provider:
  name: Example News
  domain: example.org
topics:
  - Robotics
related:
  - title: "Facial recognition ban advances"
    webUrl: "{SEED_URL}"
    provider:
      name: WEAU
      domain: weau.com
---
Some *body* text with a [link](javascript:alert(1)).
""",
    "old.md": """---
title: "An older robotics story"
excerpt: "Robots, long ago."
publishedDateTime: "2019-05-01 12:00"
originalUrl: "javascript:alert(1)"
type: video
quality: 12
heat: 12
published: true
provider:
  name: Robo Daily
  domain: robodaily.test
topics:
  - Robotics
  -
---
""",
    "broken.md": "---\ntitle: \"unclosed\n---\n",
}


def write_library(folder: Path) -> Path:
    """The seed plus the records above, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS.iterdir():
        shutil.copy(seed, folder / seed.name)
    for name, text in RECORDS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# Records of stories (issue 13): two outlets' records of one event and a record of another.
HEADLINE = "Acme unveils a quantum chip that beats every rival on speed"


def write_story(folder: Path, name: str, title: str, provider: str, when: str, *, url: str = "") -> Path:
    """A record file; its URL is made from its name unless given."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        f'---\ntitle: "{title}"\nexcerpt: "{title}. More words about it."\npublishedDateTime: {when}\n'
        f'webUrl: "{url or "https://" + provider.lower() + ".example/" + name}"\n'
        f"provider:\n  name: {provider}\n  domain: {provider.lower()}.example\n---\n",
        encoding="utf-8",
    )
    return path


def three_records(folder: Path) -> tuple[Path, Path, Path]:
    """Two outlets' records of one event, a day apart, and a record of another event."""
    first = write_story(folder, "first.md", HEADLINE, "Alpha", "2024-03-01T08:00:00Z")
    second = write_story(folder, "second.md", f"{HEADLINE} - Beta", "Beta", "2024-03-01T20:00:00Z")
    other = write_story(folder, "other.md", "Rainfall in the valley doubles the rice harvest this year", "Gamma",
                        "2024-03-01T12:00:00Z")
    return first, second, other
