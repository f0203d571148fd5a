"""Story grouping against hand labels: pairwise precision, recall and F1, and labeller agreement.

The sample is a list of record ids (`owner/repo:_news/FILE.md`, benchmarks/stories_sample.txt); the
records themselves stay out of the repository. Give each repository's checkout (or any folder holding
its `_news/` files) with `--checkout owner/repo=DIR`:

    python benchmarks/stories_eval.py --checkout everyday-cc/powerapps=/tmp/realdata/powerapps \\
        --checkout everyday-cc/ai=/tmp/realdata/ai --labels A.tsv --labels B.tsv

`--write-sample OUT.tsv` writes the labelling sheet (id, date, provider, title, excerpt) instead.
`--halves` also scores the earlier and the later half of the sample by date (so one half can be
studied and the other kept unseen); `--set NAME=VALUE` sets any other `Settings` field. `--missed all`
(or `earlier`, `later`: one half only) prints each labelled pair not grouped, `--wrong` each grouped
pair not labelled, with both records' dates, providers, titles, excerpts, reasons and shared words.
A labels file holds `id<TAB>event` lines; records with the same event label report the same event.
Pairwise scores count pairs of records: a pair is predicted when grouped together and true when
labelled with one event. Scores are printed per repository (topic), over the whole sample, and over
the records of the labelled events of fewer than ten records.

The records of everyday-cc/ai (a repository too large to fetch whole) were rebuilt from its
`api/news/page/N/index.json` pages 2-4 and 10 at commit 000668a9767722fe63b1e794b7d5f3e26f677d25:
one front-matter file per item (title, excerpt, publishedDateTime, originalUrl, webUrl, ampWebUrl,
provider) under `_news/` with the item's file name.

Two samples of busy multi-outlet news, labelled as the others (two labellers each), rebuilt the same
way from the main feed's pages at one commit each (keep each in its own folder: the ids overlap in
form, not in records):
- `stories_news_june.txt`: 368 records, 2021-06-15..29, pages 4-16, 19, 21 and 22 at commit
  000668a9767722fe63b1e794b7d5f3e26f677d25 (labels E = F, pairwise F1 1.000 between them);
- `stories_news_may.txt`: 400 records, 2021-05-18..31, pages 1-16 at commit
  d71f46a7b3945edb8f07e9434d658b0758962d0d (labels G and H, F1 0.975 between them).
`--warm DIR` counts the words of the records under DIR first, as the records of a longer archive
before the sample would be counted: a sample grouped alone weighs its words by its own first few
records, which makes common words look rare there.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.core.frontmatter import read_record  # noqa: E402
from reader.core.record import Record  # noqa: E402
from reader.core.stories import Grouper, Settings, item_of  # noqa: E402
from reader.core.story_text import features, shared_opening, title_key, url_keys  # noqa: E402

DEFAULTS = Settings()
SAMPLE = Path(__file__).with_name("stories_sample.txt")


def sample_ids(path: Path = SAMPLE) -> list[str]:
    """The ids of the evaluation sample."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_records(ids: list[str], checkouts: dict[str, Path]) -> dict[str, Record]:
    """Each sample record parsed from its repository's checkout; a missing checkout or file stops."""
    records = {}
    for record_id in ids:
        repo, _, relative = record_id.partition(":")
        if repo not in checkouts:
            raise SystemExit(f"no --checkout for {repo}")
        parsed = read_record(str(checkouts[repo] / relative))
        if not isinstance(parsed, Record):
            raise SystemExit(f"{record_id}: {parsed.reason}")
        records[record_id] = parsed
    return records


def write_sample(records: dict[str, Record], out: Path) -> None:
    """The labelling sheet: one record a line, by date, excerpt cut to 300 characters."""
    def clean(text: str) -> str:
        return " ".join(text.split())

    rows = []
    for record_id, record in records.items():
        when = record.published_at
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""
        rows.append((stamp, record_id, record.provider.name, record.title, record.excerpt[:300]))
    rows.sort()
    with out.open("w", encoding="utf-8") as handle:
        handle.write("id\tdate\tprovider\ttitle\texcerpt\n")
        for stamp, record_id, provider, title, excerpt in rows:
            handle.write("\t".join((record_id, stamp, clean(provider), clean(title), clean(excerpt))) + "\n")


def read_labels(path: Path) -> dict[str, str]:
    """id -> event label."""
    labels = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.rstrip("\n").split("\t")
        if len(parts) >= 2 and parts[0] and parts[0] != "id":
            labels[parts[0].strip()] = parts[1].strip()
    return labels


Pair = tuple[str, str]


def pairs(groups: dict[str, str], ids: list[str]) -> set[Pair]:
    """Unordered pairs of ids (among `ids`) that share a group."""
    by_group: dict[str, list[str]] = defaultdict(list)
    for record_id in ids:
        if record_id in groups:
            by_group[groups[record_id]].append(record_id)
    found: set[Pair] = set()
    for members in by_group.values():
        found.update((a, b) if a < b else (b, a) for a, b in itertools.combinations(members, 2))
    return found


def scores(predicted: set[Pair], true: set[Pair]) -> tuple[float, float, float, int, int]:
    """Pairwise precision, recall, F1, and the predicted and true pair counts."""
    hits = len(predicted & true)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(predicted), len(true)


def topics(ids: list[str]) -> dict[str, list[str]]:
    """The sample's ids by repository."""
    by_repo: dict[str, list[str]] = defaultdict(list)
    for record_id in ids:
        by_repo[record_id.partition(":")[0]].append(record_id)
    return dict(by_repo)


def halves(ids: list[str], records: dict[str, Record]) -> list[tuple[str, list[str]]]:
    """The ids split at the median date: the earlier half and the later half (pairs across the split
    count in neither)."""
    def when(record_id: str) -> tuple[float, str]:
        stamp = records[record_id].published_at
        return (stamp.timestamp() if stamp else float("inf"), record_id)

    by_date = sorted(ids, key=when)
    middle = len(by_date) // 2
    return [("earlier half", by_date[:middle]), ("later half", by_date[middle:])]


def report(name: str, predicted: dict[str, str], labels: dict[str, str], ids: list[str],
           parts: list[tuple[str, list[str]]] = ()) -> None:
    """Print pairwise scores of `predicted` against `labels`, per topic, overall, over the records of
    labelled events under 10 records (one big event's pairs can outweigh every other event's), and
    over each of `parts`."""
    sizes: dict[str, int] = defaultdict(int)
    for record_id in ids:
        sizes[labels[record_id]] += 1
    small = [i for i in ids if sizes[labels[i]] < 10]
    for topic, topic_ids in [*topics(ids).items(), ("all", ids), ("events under 10", small), *parts]:
        p, r, f, n_pred, n_true = scores(pairs(predicted, topic_ids), pairs(labels, topic_ids))
        print(f"{name:>12} {topic:<24} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  "
              f"(pairs predicted {n_pred}, labelled {n_true})")


def show_pairs(title: str, found: set[Pair], records: dict[str, Record], grouper: Grouper,
               labels: dict[str, str]) -> None:
    """Print each pair with what grouping saw of it: dates, providers, titles, excerpt openings, why
    each record is in its story, what each signal gives the pair (shared URL, equal headline keys, the
    excerpt's shared opening, the cosine of their words with the sample's rarity), and the words they
    share with how many sample records hold each."""
    words = {i: features(r.title, r.excerpt, r.provider.name, r.provider.domain) for i, r in records.items()}
    held: dict[str, int] = defaultdict(int)
    for feats in words.values():
        for word in feats:
            held[word] += 1
    print(f"\n{title}: {len(found)}")
    for a, b in sorted(found, key=lambda pair: (records[pair[0]].published_at is None, pair)):
        first, second = records[a], records[b]
        gap = ""
        if first.published_at and second.published_at:
            gap = f"{abs((second.published_at - first.published_at).total_seconds()) / 86400:.1f} days apart"
        print(f"- {labels.get(a, '?')} / {labels.get(b, '?')}, {gap}")
        for record_id, record in ((a, first), (b, second)):
            when = record.published_at.strftime("%Y-%m-%d %H:%M") if record.published_at else "no date"
            print(f"    {when}  {record.provider.name[:24]:<24} {record.title[:100]}")
            print(f"        {' '.join(record.excerpt.split())[:160]}")
            print(f"        {grouper.reason(record_id).describe()[:110]}")
        shared = sorted(words[a].keys() & words[b].keys(), key=lambda word: (held[word], word))
        union = words[a].keys() | words[b].keys()
        rarity = {word: 1.0 + math.log(len(records) / held[word]) for word in union}
        norms = [math.sqrt(sum((w * rarity[word]) ** 2 for word, w in words[i].items())) for i in (a, b)]
        dot = sum(words[a][word] * words[b][word] * rarity[word] ** 2 for word in shared)
        urls = [set(url_keys([url for _, url in r.urls.all()])) for r in (first, second)]
        keys = [title_key(r.title, r.provider.name, r.provider.domain) for r in (first, second)]
        print(f"    URL shared: {'yes' if urls[0] & urls[1] else 'no'}; headline keys equal: "
              f"{'yes' if keys[0] and keys[0] == keys[1] else 'no'}; excerpt opening shared: "
              f"{shared_opening(first.excerpt, second.excerpt)} words; cosine "
              f"{dot / (norms[0] * norms[1]) if all(norms) else 0.0:.2f}")
        print("    shared: " + " ".join(f"{word}({held[word]})" for word in shared[:20]))


def group(records: dict[str, Record], settings: Settings, warm: list[Path] = ()) -> tuple[Grouper, float]:
    """Group the sample (all topics in one Grouper, as a library would) and time it; with the words of
    the record files `warm` counted first (see --warm)."""
    grouper = Grouper(settings)
    for path in warm:
        parsed = read_record(str(path))
        if isinstance(parsed, Record):
            feats = features(parsed.title, parsed.excerpt, parsed.provider.name, parsed.provider.domain)
            grouper._window.df.update(feats.keys())  # what grouping them would count (a benchmark's shortcut)
            grouper._window.n += 1
    start = time.perf_counter()
    grouper.add(item_of(record, record_id) for record_id, record in records.items())
    return grouper, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkout", action="append", default=[], metavar="OWNER/REPO=DIR")
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="file of record ids")
    parser.add_argument("--labels", action="append", type=Path, default=[],
                        help="labels file (give two for their agreement)")
    parser.add_argument("--write-sample", type=Path, help="write the labelling sheet here and stop")
    parser.add_argument("--threshold", type=float, default=DEFAULTS.threshold)
    parser.add_argument("--best-threshold", type=float, default=DEFAULTS.best_threshold)
    parser.add_argument("--window-days", type=float, default=DEFAULTS.window_days)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="any other Settings field, e.g. --set same_outlet=0.7")
    parser.add_argument("--warm", action="append", type=Path, default=[], metavar="DIR",
                        help="count the words of every record file under DIR first, as a long archive's "
                        "records before the sample would be (the sample's own files may be among them): "
                        "a sample grouped alone weighs words by its first records only")
    parser.add_argument("--halves", action="store_true",
                        help="also score the earlier and the later half of the sample by date")
    parser.add_argument("--explain", action="store_true", help="print each story of two or more records")
    parser.add_argument("--missed", choices=["all", "earlier", "later"],
                        help="print the labelled pairs not grouped (of the first labels; or of one half)")
    parser.add_argument("--wrong", action="store_true",
                        help="print the grouped pairs not labelled (over the sample, or the --missed half)")
    args = parser.parse_args(argv)
    checkouts = {}
    for spec in args.checkout:
        repo, _, folder = spec.partition("=")
        checkouts[repo] = Path(folder)
    ids = sample_ids(args.sample)
    records = load_records(ids, checkouts)
    if args.write_sample:
        write_sample(records, args.write_sample)
        print(f"wrote {len(records)} records to {args.write_sample}")
        return
    fields = {f.name: f.type for f in dataclasses.fields(Settings)}
    extra = {}
    for spec in args.set:
        name, _, value = spec.partition("=")
        if name not in fields:
            raise SystemExit(f"--set: no setting {name!r}")
        extra[name] = type(getattr(DEFAULTS, name))(value)
    settings = Settings(threshold=args.threshold, best_threshold=args.best_threshold,
                        window_days=args.window_days, **extra)
    warm = sorted(path for folder in args.warm for path in folder.rglob("*.md"))
    grouper, seconds = group(records, settings, warm)
    if warm:
        print(f"word counts warmed with {len(warm)} record files")
    predicted = grouper.assignments()
    sizes = [len(m) for m in grouper.stories().values()]
    print(f"{len(ids)} records -> {len(sizes)} stories ({sum(s > 1 for s in sizes)} of 2+ records) "
          f"in {seconds * 1000:.0f} ms; {settings}")
    if args.explain:
        for members in grouper.stories().values():
            if len(members) > 1:
                print()
                for member in members:
                    print(f"  {records[member].title[:90]!r:<94} {grouper.reason(member).describe()[:90]}")
    labelled = [read_labels(path) for path in args.labels]
    for path, labels in zip(args.labels, labelled):
        missing = [i for i in ids if i not in labels]
        if missing:
            print(f"{path}: {len(missing)} sample ids unlabelled, e.g. {missing[0]}")
        scored = [i for i in ids if i in labels]
        report(path.stem, predicted, labels, scored, halves(scored, records) if args.halves else [])
    if labelled and (args.missed or args.wrong):
        labels = labelled[0]
        scored = [i for i in ids if i in labels]
        part = dict(halves(scored, records)).get(f"{args.missed} half", scored)
        true, found = pairs(labels, part), pairs(predicted, part)
        if args.missed:
            show_pairs(f"labelled pairs not grouped ({args.missed})", true - found, records, grouper, labels)
        if args.wrong:
            show_pairs("grouped pairs not labelled", found - true, records, grouper, labels)
    if len(labelled) == 2:
        both = [i for i in ids if i in labelled[0] and i in labelled[1]]
        print("agreement (second labels scored against the first):")
        report("B vs A", labelled[1], labelled[0], both)


if __name__ == "__main__":
    main()
