"""Synthetic corpora of news records shaped like the real ones, for tests and benchmarks.

Run as ``python -m reader.synth OUT N [--seed S] [--topics K]``. The output depends only on the seed
(and `VERSION`), never on how many processes wrote it: every block of five records draws from its own
random stream. Records share an excerpt only when they report one synthetic event (`events` says which).
"""

from __future__ import annotations

import argparse
import base64
import itertools
import os
import random
import re
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from json.encoder import encode_basestring as quote  # JSON string escaping is valid YAML "..."
from pathlib import Path

VERSION = 3
"""Bumped whenever a seed gives other records: a corpus kept between benchmark runs is made again when
its version differs (3: some coverage of an event copies another outlet's excerpt whole; 2: events; the
corpora of 1 drew every excerpt from a shared pool of sentences, so unrelated records shared excerpts)."""
BLOCK = 5  # each block of five records holds one unpublished duplicate and a record listing it
SPAN_DAYS = 3 * 365
RARE_WORDS = 20_000  # made-up words beside WORDS, so excerpts have rare words as real ones do
RARE_SHARE = 0.2  # their Zipf weights scaled down: about one excerpt word in five is one of them
OLD_DAYS = 365  # records from the first year use the older image style and may lack quality
DAYS = [(date(2019, 1, 1) + timedelta(d)).isoformat() for d in range(SPAN_DAYS + 20)]

WORDS = """ai model data robot vision chip cloud startup research lab neural network deep learning
open source privacy police city ban camera face drone car self driving tesla google apple amazon
microsoft meta nvidia intel openai study paper team launch funding million billion users test trial
hospital health patients doctors scan cancer climate energy grid battery solar farm crop factory
worker jobs economy market stock investors deal merger lawsuit court judge rules law bill senate
europe china india japan uk us state new first fastest smarter cheaper bigger safer global local
warns says shows finds reveals plans unveils builds trains beats cuts raises expands tackles
system platform tool app service software hardware sensor satellite space rocket ocean weather
students school teachers language speech translation chatbot assistant search ads video music art
game player league security hack breach attack scam fraud bank payment crypto quantum computer
""".split()
TOPIC_BASE = """AI|Computer Vision|Robotics|Machine Learning|Deep Learning|Natural Language Processing
|Autonomous Vehicles|Drones|Quantum Computing|Cybersecurity|Blockchain|Cloud Computing|Edge Computing
|IoT|5G|AR/VR|Chatbots|Speech Recognition|Facial Recognition|Healthcare AI|Fintech|Smart Cities
|Semiconductors|Data Science|Big Data|Space Tech|Climate Tech|Biotech|Wearables|Smart Home|Ethics
|Open Source|Gaming|E-commerce|Digital Health|Agritech|Edtech|Startups|Supercomputing|Neuroscience
""".replace("\n", "").split("|")
TOPIC_SUFFIXES = ["", " Research", " Policy", " Industry", " Hardware", " Business"]
PROVIDER_HEADS = "Tech Daily Global Metro Future Silicon Digital Wired Planet City Valley Data".split()
PROVIDER_TAILS = "Times Wire Post Review Insider Journal Herald Today Report Beat Hub Weekly".split()
TLDS = [".com", ".com", ".com", ".org", ".net", ".co.uk", ".io"]
EMOJI = ["🚀", "🤖", "🔥", "📈", "⚡", "🧠", "👀", "🎉"]
VIDEO_ID = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
IFRAME = ('<iframe width="560" height="315" src="https://www.youtube.com/embed/{}" frameborder="0" '
          'allow="autoplay; encrypted-media" allowfullscreen></iframe>')


@dataclass(slots=True)
class Story:
    """One story's drawn fields, rendered either as a whole record or as a related item."""

    title: str
    slug: str
    excerpt: str
    day: int
    when: str
    url: str
    amp: tuple[str, str] | None  # the AMP page and its AMP-cache form
    kind: str
    provider: tuple[str, str]
    quality: int
    images: list[tuple[str, int, int]]


@dataclass(frozen=True, slots=True)
class Pools:
    """Corpus-wide material every block draws from: topics, publishers and excerpt sentences."""

    topics: list[str]
    topic_weights: list[float]
    providers: list[tuple[str, str]]
    vocabulary: list[str]  # excerpt words, most frequent first: WORDS, then made-up rarer words
    vocabulary_weights: list[float]  # cumulative, Zipf-like, as words are spread in real text
    sentences: list[str]  # for related items' excerpts, which nothing compares

    @classmethod
    def build(cls, seed: int, topics: int) -> Pools:
        """The pools for one corpus, drawn once so that per-record work stays cheap."""
        rng = random.Random(f"pools-{seed}")
        providers = sorted({f"{head} {tail}": (head + tail).lower() + rng.choice(TLDS)
                            for head in PROVIDER_HEADS for tail in PROVIDER_TAILS}.items())
        letters = [c + v for c in "bcdfghjklmnprstvw" for v in "aeiou"]  # no z, q, x: typing a filter
        # such as "-zzzqx" letter by letter in tests must not hide records on its way
        made_up = sorted({"".join(rng.choices(letters, k=2 + _below(rng, 2))) for _ in range(RARE_WORDS)})
        rng.shuffle(made_up)
        vocabulary = WORDS + [w for w in made_up if w not in WORDS]
        cumulative = list(itertools.accumulate((1 if rank < len(WORDS) else RARE_SHARE) / (rank + 10)
                                               for rank in range(len(vocabulary))))
        weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(topics)))
        pools = cls(topic_names(topics), weights, providers, vocabulary, cumulative, [])
        pools.sentences.extend(_sentence(rng, pools) for _ in range(4096))
        return pools


def topic_names(k: int) -> list[str]:
    """K plausible, distinct topic names."""
    names = []
    for i in range(k):
        base, round_ = TOPIC_BASE[i % len(TOPIC_BASE)], i // len(TOPIC_BASE)
        names.append(base + (TOPIC_SUFFIXES[round_] if round_ < len(TOPIC_SUFFIXES) else f" {round_}"))
    return names


def slugify(text: str) -> str:
    """Lower-case ASCII slug of a name or title."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _below(rng: random.Random, n: int) -> int:
    """A random int in [0, n), several times cheaper than `randrange`."""
    return int(rng.random() * n)


def _title(rng: random.Random) -> tuple[str, str]:
    """A headline with the odd curly quote, straight quote (escaped `\\"`) or emoji, and its slug."""
    words = rng.choices(WORDS, k=5 + _below(rng, 8))
    slug = "-".join(words[:7])
    words[0] = words[0].capitalize()
    r, i = rng.random(), _below(rng, len(words))
    if r < 0.08:
        words[i] = f"“{words[i]}”"
    elif r < 0.16:
        words[i] = f'"{words[i]}"'
    elif r < 0.21:
        words[i] += "’s"
    elif r < 0.26:
        words.append(EMOJI[_below(rng, len(EMOJI))])
    elif r < 0.27:
        words[i] = words[i].capitalize() + "™"
    return " ".join(words), slug


def _sentence(rng: random.Random, pools: Pools) -> str:
    """Ten to thirty words, mostly common ones: no two records share a sentence by chance."""
    words = rng.choices(pools.vocabulary, cum_weights=pools.vocabulary_weights, k=10 + _below(rng, 21))
    return " ".join(words).capitalize()


def _excerpt(rng: random.Random, pools: Pools, fresh: bool) -> str:
    """An excerpt: sometimes empty, cut off with `...` or `[…]`, or holding `&nbsp;`."""
    r = rng.random()
    if r < 0.04:
        return ""
    count = 1 + _below(rng, 4)
    if fresh:
        text = ". ".join(_sentence(rng, pools) for _ in range(count))
    else:
        text = ". ".join(rng.choices(pools.sentences, k=count))
    if r < 0.24:
        return text + "..."
    if r < 0.34:
        return text + " […]"
    if r < 0.42:
        return text.replace(" ", "&nbsp;", 1) + "."
    return text + "."


SYLLABLES = "mor vel kal ima tor ren dra lum mir sol van ter nyl pel oro bri cad fen gul hab".split()
ACTIONS = [("launches", "unveils", "debuts", "rolls out", "introduces"),
           ("raises", "secures", "lands", "closes"), ("buys", "acquires", "snaps up", "takes over"),
           ("sues", "files suit against", "takes to court"), ("warns of", "flags", "reports")]
STORY_RATE = 0.35  # share of blocks whose first records report one event under reworded headlines
COPY_RATE = 0.15  # share of an event's later records whose outlet runs the first one's excerpt whole


@dataclass(frozen=True, slots=True)
class Event:
    """One happening several outlets report: a named subject, an action and what it is about."""

    name: str
    actions: tuple[str, ...]
    things: list[str]
    sentence: str

    @classmethod
    def draw(cls, rng: random.Random) -> Event:
        name = "".join(rng.choices(SYLLABLES, k=2 + _below(rng, 2))).capitalize()
        if rng.random() < 0.3:
            name += f" {rng.choice('TSR')}{2 + _below(rng, 8)}"
        things = rng.sample(WORDS, 3)
        filler = " ".join(rng.choices(WORDS, k=8))
        return cls(name, ACTIONS[_below(rng, len(ACTIONS))], things,
                   f"{name} {things[0]} {things[1]} {filler} {things[2]}".capitalize())

    def headline(self, rng: random.Random) -> str:
        """The event told another way: another verb, the words in another order, an extra word or not."""
        things = self.things[:]
        rng.shuffle(things)
        action = self.actions[_below(rng, len(self.actions))]
        extra = [rng.choice(WORDS)] if rng.random() < 0.5 else []
        if rng.random() < 0.3:
            return " ".join([things[0].capitalize(), things[1], *extra, "as", self.name, action, things[2]])
        return " ".join([self.name, action, *things, *extra])


def _cover(rng: random.Random, story: Story, event: Event, day: int) -> None:
    """Make `story` one outlet's report of `event`: its headline, excerpt and day."""
    story.title = event.headline(rng)
    if rng.random() < 0.1:  # an outlet signing its headline
        story.title += f" - {story.provider[0]}"
    story.slug = slugify(story.title)[:60].strip("-")
    opening = event.sentence if rng.random() < 0.7 else event.headline(rng).capitalize()
    story.excerpt = f"{opening}. {story.excerpt}" if story.excerpt else opening + "."
    story.day = day
    story.when = f"{DAYS[day]}{story.when[10:]}"


def _story(rng: random.Random, serial: str, day: int, pools: Pools, video_rate: float,
           image_rate: float, *, fresh: bool = False) -> Story:
    """Draw one story published on DAYS[day] with a URL unique to serial (a fresh excerpt for a record,
    pooled sentences for a related item)."""
    title, slug = _title(rng)
    name, domain = pools.providers[_below(rng, len(pools.providers))]
    path = f"{DAYS[day].replace('-', '/')}/{slug}-{serial}/"
    amp = None
    if rng.random() < 0.3:
        cdn = f"https://www-{domain.replace('.', '-')}.cdn.ampproject.org/c/s/www.{domain}/amp/{path}"
        amp = (f"https://www.{domain}/amp/{path}", cdn)
    images = []
    if rng.random() < image_rate:
        count = 1 if rng.random() < 0.85 else 2 + _below(rng, 3)
        images = [(f"https://cdn.{domain}/img/{rng.getrandbits(64):016x}.jpg",
                   320 * (2 + _below(rng, 4)), 9 * (40 + _below(rng, 60))) for _ in range(count)]
    minute = _below(rng, 1440)
    when = f"{DAYS[day]}T{minute // 60:02d}:{minute % 60:02d}:00Z"
    kind = "video" if rng.random() < video_rate else "article"
    excerpt = _excerpt(rng, pools, fresh)
    return Story(title, slug, excerpt, day, when, f"https://www.{domain}/{path}",
                 amp, kind, (name, domain), min(189, int(rng.expovariate(1 / 45))), images)


def _images(images: list[tuple[str, int, int]], indent: str, title: str | None = None) -> str:
    """An `images:` list; the older style carries `title` and lacks `isCached`."""
    tail = f"{indent}  title: {quote(title)}\n" if title is not None else f"{indent}  isCached: true\n"
    return "".join(f"{indent}- url: {quote(url)}\n{indent}  width: {w}\n{indent}  height: {h}\n{tail}"
                   for url, w, h in images)


def _related(story: Story) -> str:
    """One item of a `related:` list."""
    amp = ""
    if story.amp:
        amp = f"    ampWebUrl: {quote(story.amp[0])}\n    cdnAmpWebUrl: {quote(story.amp[1])}\n"
    images = f"    images:\n{_images(story.images, '      ')}" if story.images else ""
    return (f"  - title: {quote(story.title)}\n    excerpt: {quote(story.excerpt)}\n"
            f"    publishedDateTime: {story.when}\n    webUrl: {quote(story.url)}\n{amp}"
            f"    type: {story.kind}\n    provider:\n      name: {story.provider[0]}\n"
            f"      domain: {story.provider[1]}\n    quality: {story.quality}\n{images}")


def _related_count(rng: random.Random) -> int:
    """How many related items a record lists: mostly none or a few, with a long tail to 150."""
    r = rng.random()
    if r < 0.40:
        return 0
    if r < 0.70:
        return rng.randint(1, 10)
    return rng.randint(11, 45) if r < 0.90 else rng.randint(46, 150)


def _record(rng: random.Random, story: Story, related: list[Story], topics: list[str | None],
            duplicate: bool, keep_quality: bool) -> str:
    """The text of one record file: front matter only, as the aggregator writes it."""
    scalars = [("category", "news"), ("title", quote(story.title)), ("excerpt", quote(story.excerpt)),
               ("publishedDateTime", story.when)]
    if rng.random() < 0.65:
        scalars.append(("originalUrl", quote(story.url)))
    if duplicate or story.kind == "article" or rng.random() < 0.2:
        scalars.append(("webUrl", quote(story.url)))
    if story.amp:
        scalars += [("ampWebUrl", quote(story.amp[0])), ("cdnAmpWebUrl", quote(story.amp[1]))]
    scalars.append(("type", story.kind))
    if story.kind == "video":
        scalars.append(("featuredContent", quote(IFRAME.format("".join(rng.choices(VIDEO_ID, k=11))))))
    if duplicate:
        scalars += [("quality", story.quality), ("heat", -1), ("published", "false")]
    elif keep_quality:
        heat = story.quality + 20 * min(len(related), 4)
        scalars += [("quality", story.quality), ("heat", heat), ("published", "true")]
    if rng.random() < 0.15:  # key order varies a little between files
        i = rng.randrange(1, len(scalars) - 1)
        scalars[i], scalars[i + 1] = scalars[i + 1], scalars[i]

    name, domain = story.provider
    logo = f"  images:\n{_images([(f'https://www.{domain}/logo.png', 64, 64)], '    ')}"
    blocks = [f"provider:\n  name: {name}\n  domain: {domain}\n{logo if rng.random() < 0.05 else ''}",
              "topics:\n" + "".join(f"  - {topic}\n" if topic else "  - \n" for topic in topics)]
    if story.images:
        old_style = story.title if story.day < OLD_DAYS else None
        blocks.append(f"images:\n{_images(story.images, '  ', old_style)}")
    if related:
        blocks.append("related:\n" + "".join(map(_related, related)))
    if rng.random() < 0.1:
        rng.shuffle(blocks)
    cipher = base64.b64encode(rng.randbytes(16 * rng.randint(8, 40))).decode()
    iv = base64.b64encode(rng.randbytes(16)).decode()
    head = "".join(f"{key}: {value}\n" for key, value in scalars)
    return f"---\n{head}\n" + "\n".join(blocks) + f'\nsecured: "{cipher};{iv}"\n---\n'


def _block(seed: int, block: int, n: int, pools: Pools) -> list[tuple[str, str, bool]]:
    """(relative path, text, whether it reports the block's event) for the records of one block, drawn
    from the block's own stream."""
    rng = random.Random(seed * 1_000_003 + block)
    first, start = block * BLOCK, _below(rng, SPAN_DAYS)
    size = min(BLOCK, n - first)
    duplicate = rng.randrange(size) if size >= 2 else -1
    host = (duplicate + rng.randrange(1, size)) % size if size >= 2 else -1
    stories = [_story(rng, str(first + k), start + _below(rng, 10), pools, 0.1, 0.7, fresh=True)
               for k in range(size)]
    covered = 0
    if size >= 2 and rng.random() < STORY_RATE:
        event, day = Event.draw(rng), stories[0].day
        covered = 2 + _below(rng, size - 1)
        for story in stories[:covered]:
            _cover(rng, story, event, min(day + _below(rng, 3), len(DAYS) - 1))
        copier = random.Random(f"copies-{seed}-{block}")  # its own stream: the other draws stay as they were
        for story in stories[1:covered]:
            if copier.random() < COPY_RATE and stories[0].excerpt:
                story.excerpt = stories[0].excerpt  # syndicated: one text under another outlet's headline
    files = []
    for k, story in enumerate(stories):
        index = first + k
        count = max(_related_count(rng), 1 if k == host else 0)
        related = [_story(rng, f"{index}r{j}", story.day + _below(rng, 8), pools, 0.05, 0.55)
                   for j in range(count)]
        if k == host:  # following this related story lands on the unpublished duplicate
            related[rng.randrange(count)] = stories[duplicate]
        chosen = rng.choices(pools.topics, cum_weights=pools.topic_weights, k=rng.randint(1, 3))
        topics: list[str | None] = list(dict.fromkeys(chosen))
        if rng.random() < 0.04:
            topics.insert(rng.randint(1, len(topics)), None)
        keep_quality = k in (host, duplicate) or story.day >= OLD_DAYS or rng.random() > 0.35
        text = _record(rng, story, related, topics, k == duplicate, keep_quality)
        files.append((f"{slugify(chosen[0])}/_news/{DAYS[story.day]}-{story.slug}-{index}.md", text, k < covered))
    return files


def generate(n: int, seed: int = 0, topics: int = 40) -> Iterator[tuple[str, str]]:
    """(relative path, text) of each of the n records `write_corpus` would write, without writing them."""
    pools = Pools.build(seed, topics)
    for block in range(-(-n // BLOCK)):
        for relative, text, _ in _block(seed, block, n, pools):
            yield relative, text


def events(n: int, seed: int = 0, topics: int = 40) -> dict[str, str]:
    """The truth of the n records `generate` makes: relative path -> the event it reports (records of
    one event share it), or its own path when it reports none that another record reports."""
    pools = Pools.build(seed, topics)
    truth = {}
    for block in range(-(-n // BLOCK)):
        for relative, _, covered in _block(seed, block, n, pools):
            truth[relative] = f"event {block}" if covered else relative
    return truth


def _write_blocks(out: str, seed: int, blocks: range, n: int, topics: int) -> tuple[list[str], int]:
    """Write a run of blocks under out and return the paths written and their total bytes."""
    pools = Pools.build(seed, topics)
    made: set[str] = set()
    paths, total = [], 0
    for block in blocks:
        for relative, text, _ in _block(seed, block, n, pools):
            path = os.path.join(out, relative)
            folder = os.path.dirname(path)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            data = text.encode()
            with open(path, "wb") as handle:
                handle.write(data)
            paths.append(path)
            total += len(data)
    return paths, total


def _write(out: Path, n: int, seed: int, topics: int, workers: int | None) -> tuple[list[str], int]:
    """Write the corpus, in parallel when it is large, and return paths and total bytes."""
    Path(out).mkdir(parents=True, exist_ok=True)
    blocks = -(-n // BLOCK)
    workers = workers or ((os.cpu_count() or 1) if n >= 2000 else 1)
    if workers == 1:
        return _write_blocks(str(out), seed, range(blocks), n, topics)
    step = max(1, min(200, blocks // (workers * 8)))
    paths: list[str] = []
    total = 0
    with ProcessPoolExecutor(workers) as executor:
        jobs = [executor.submit(_write_blocks, str(out), seed, range(b, min(b + step, blocks)), n, topics)
                for b in range(0, blocks, step)]
        for job in jobs:
            run_paths, run_bytes = job.result()
            paths += run_paths
            total += run_bytes
    return paths, total


def write_corpus(out: Path, n: int, seed: int = 0, topics: int = 40, *,
                 workers: int | None = None) -> list[Path]:
    """Write n synthetic records under out, in per-topic `_news` folders, and return their paths."""
    if n < 0 or topics < 1:
        raise ValueError("n must be >= 0 and topics >= 1")
    return [Path(path) for path in _write(out, n, seed, topics, workers)[0]]


def main(argv: list[str] | None = None) -> None:
    """Command line: write N records into OUT and report files, bytes and time taken."""
    parser = argparse.ArgumentParser(prog="python -m reader.synth", description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="folder to write into (created if missing)")
    parser.add_argument("n", type=int, help="number of record files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--topics", type=int, default=40, help="size of the topic pool")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    args = parser.parse_args(argv)
    if args.n < 0 or args.topics < 1 or (args.workers is not None and args.workers < 1):
        parser.error("N must be >= 0, --topics and --workers >= 1")
    start = time.perf_counter()
    paths, total = _write(args.out, args.n, args.seed, args.topics, args.workers)
    elapsed = time.perf_counter() - start
    mean = total / len(paths) if paths else 0
    print(f"wrote {len(paths)} files, {total:,} bytes (mean {mean / 1024:.1f} KiB) "
          f"to {args.out} in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
