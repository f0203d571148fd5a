"""The filter language: parse a query once into small predicates, then test summaries cheaply.

Terms are separated by whitespace and must all hold; matching is case-insensitive (str.casefold).

- `word`, `"a phrase"`: substring of the record's text (title, excerpt, provider, topics, body).
- `title:X`, `provider:X` (alias `source:X`): substring of that field.
- `topic:X`, `type:X`, `category:X`: equal to X (any topic equal to X).
- `after:DATE` (at or after), `before:DATE` (strictly before), `on:DATE` (that local day);
  DATE is anything python-dateutil parses, a missing time means local midnight, naive means local.
- `since:N` with a unit h, d, w, m (30 days) or y (365 days): published at or after `now` minus N units.
- `quality:N`, `heat:N` with an optional operator `> >= < <= =`.
- `is:published`, `is:unpublished`, `has:image`, `has:related`, `has:body`, `has:url`.
- `is:read`, `is:unread`, `is:starred`: the reading state, looked up when a record is tested, so a
  query parsed once follows marks made later (see `state.StateStore`).

A leading `-` negates a term (a plain logical not, so `-after:X` matches records without a date).
Values may be quoted (`topic:"computer vision"`); a quote only opens at the start of a term or value.
A bare `-` and an empty phrase `""` are ignored, so half-typed queries still work. Only one `-` is
a negation: `--x` excludes the text "-x". A word with a colon is a field term: quote it (`"10:30"`)
to search it as text. Records without a date or number never match the positive date/number terms.
"""

from __future__ import annotations

import difflib
import operator
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from typing import Protocol

from dateutil import parser as date_parser
from dateutil.parser import UnknownTimezoneWarning
from dateutil.tz import tzlocal

from .record import Summary
from .identity import summary_id

Test = Callable[[Summary], bool]


class ReadingState(Protocol):
    """What the is:read, is:unread and is:starred terms look at (a `state.StateStore` is one)."""

    @property
    def read(self) -> Mapping[str, float]: ...

    @property
    def starred(self) -> AbstractSet[str]: ...


class QueryError(ValueError):
    """A query that cannot be parsed; the message is one user-facing line."""


@dataclass(frozen=True, slots=True)
class _Term:
    """One compiled term: a predicate, plus the kind and value `Query.narrows` compares."""

    kind: str
    value: object
    test: Test
    negated: bool = False


_SUBSTRING_KINDS = frozenset({"text", "title", "provider"})
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq,
}
_NUMBER = re.compile(r"(>=|<=|>|<|=)?(-?\d+(?:\.\d+)?)", re.ASCII)
_SPAN = re.compile(r"(\d+)([hdwmy])", re.ASCII | re.IGNORECASE)
_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400, "m": 30 * 86400, "y": 365 * 86400}
_IS = {"published": True, "unpublished": False}
_STATE_IS = ("read", "unread", "starred")
_HAS = {"image": "has_image", "related": "has_related", "body": "has_body", "url": "has_url"}
_WORD = re.compile(r"\S*")


def _implies(new: _Term, old: _Term) -> bool:
    """Whether every record passing `new` surely passes `old` (False when unsure)."""
    if new.kind != old.kind or new.negated != old.negated:
        return False
    a, b = (old.value, new.value) if new.negated else (new.value, old.value)
    if new.kind in _SUBSTRING_KINDS:
        return b in a  # type: ignore[operator]
    if new.kind == "from":
        return a >= b  # type: ignore[operator]
    if new.kind == "until":
        return a <= b  # type: ignore[operator]
    return a == b


@dataclass(frozen=True)
class Query:
    """A parsed query (build it with `parse_query`): its text and the terms that must all hold."""

    text: str
    terms: tuple[_Term, ...] = field(default=(), repr=False, compare=False)

    @property
    def uses_state(self) -> bool:
        """Whether the result depends on the reading state (is:read, is:unread, is:starred)."""
        return any(term.kind == "state" for term in self.terms)

    @property
    def names_published(self) -> bool:
        """Whether the query says which of published and unpublished it wants."""
        return any(term.kind == "is" for term in self.terms)

    def matches(self, summary: Summary) -> bool:
        """Whether the summary satisfies every term."""
        for term in self.terms:
            if term.test(summary) == term.negated:
                return False
        return True

    @property
    def published(self) -> bool | None:
        """What the query's is:published or is:unpublished terms ask for: True for published records
        only, False for unpublished ones only, None when it does not say (or asks for both)."""
        wanted = {bool(term.value) != term.negated for term in self.terms if term.kind == "is"}
        return wanted.pop() if len(wanted) == 1 else None

    def tester(self, *, published_known: bool = False) -> Test:
        """A test equal to `matches`, cheaper when the query has one term; with `published_known`,
        for records already known to satisfy the is:published/is:unpublished terms, which it skips
        (filtering a list of published records by `is:published robot` tests only `robot`)."""
        terms = tuple(t for t in self.terms if not (published_known and t.kind == "is"))
        if not terms:
            return lambda s: True
        if len(terms) > 1:
            return Query(self.text, terms).matches
        test = terms[0].test
        return (lambda s: not test(s)) if terms[0].negated else test

    def narrows(self, previous: Query | None) -> bool:
        """Whether every record matching this query surely matches `previous` (False when unsure)."""
        if previous is None:
            return False
        return all(any(_implies(new, old) for new in self.terms) for old in previous.terms)


def _show(value: str) -> str:
    """The value squeezed onto one line, for error messages."""
    return " ".join(value.split())


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The text from `start` up to the closing quote, and the index just past that quote."""
    end = text.find('"', start)
    if end < 0:
        raise QueryError("unclosed quote")
    return text[start:end], end + 1


def _split(text: str) -> Iterator[tuple[bool, str | None, str]]:
    """Split the text into (negated, field name or None, value) triples."""
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return
        negated = text[i] == "-"
        if negated:
            i += 1
        end = _WORD.match(text, i).end()  # type: ignore[union-attr]
        raw = text[i:end]
        name: str | None = None
        if raw.startswith('"'):
            value, end = _quoted(text, i + 1)
        elif ":" in raw:
            name, _, value = raw.partition(":")
            if value.startswith('"'):
                value, end = _quoted(text, i + len(name) + 2)
        else:
            value = raw
        i = end
        if value or name is not None:
            yield negated, name, value


def _date(value: str, name: str, now: datetime, tz: tzinfo) -> datetime:
    """The value parsed as a date; a missing time is local midnight and a naive one is local."""
    default = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    try:
        with warnings.catch_warnings():  # an unknown zone name is an error, not a silent local time
            warnings.simplefilter("error", UnknownTimezoneWarning)
            when = date_parser.parse(value, default=default)
    except (ValueError, OverflowError, UnknownTimezoneWarning):
        raise QueryError(f'bad date "{_show(value)}" in {name}:') from None
    return when.replace(tzinfo=tz) if when.tzinfo is None else when


def _dated(name: str, value: str, now: datetime, tz: tzinfo) -> tuple[str, object, Test]:
    """Compile an after:, before:, on: or since: term."""
    if name == "since":
        span, cutoff = _SPAN.fullmatch(value), None
        if span is not None and len(span[1]) < 12:
            cutoff = now.timestamp() - int(span[1]) * _UNITS[span[2].lower()]
        if cutoff is None:
            raise QueryError(f'bad span "{_show(value)}" in since: - use e.g. 12h, 7d, 2w, 3m or 1y')
        return "from", cutoff, lambda s: s.timestamp is not None and s.timestamp >= cutoff
    when = _date(value, name, now, tz)
    try:
        if name == "on":
            start = datetime.combine(when.astimezone(tz).date(), time(), tzinfo=tz)
            low, high = start.timestamp(), (start + timedelta(days=1)).timestamp()
            return "on", (low, high), lambda s: s.timestamp is not None and low <= s.timestamp < high
        bound = when.timestamp()
    except (ValueError, OverflowError, OSError):
        raise QueryError(f'bad date "{_show(value)}" in {name}:') from None
    if name == "after":
        return "from", bound, lambda s: s.timestamp is not None and s.timestamp >= bound
    return "until", bound, lambda s: s.timestamp is not None and s.timestamp < bound


def _state_test(value: str, state: ReadingState | None) -> Test:
    """is:read, is:unread or is:starred against the state as it is when a record is tested."""
    if state is None:
        return (lambda s: True) if value == "unread" else (lambda s: False)
    if value == "starred":
        return lambda s: summary_id(s) in state.starred
    read = value == "read"
    return lambda s: (summary_id(s) in state.read) == read


def _field(
    name: str, value: str, now: datetime, tz: tzinfo, state: ReadingState | None
) -> tuple[str, object, Test]:
    """Compile a field term (the name is already known and casefolded, the value non-empty)."""
    folded = value.casefold()
    if name == "title":
        return "title", folded, lambda s: folded in s.title_cf
    if name in ("provider", "source"):
        return "provider", folded, lambda s: folded in s.provider_cf
    if name == "topic":
        return "topic", folded, lambda s: folded in s.topics_cf
    if name == "type":
        return "type", folded, lambda s: s.type_cf == folded
    if name == "category":
        return "category", folded, lambda s: s.category_cf == folded
    if name in ("quality", "heat"):
        number = _NUMBER.fullmatch(value)
        if number is None:
            raise QueryError(f'bad number "{_show(value)}" in {name}:')
        op, limit, get = _OPS[number[1] or "="], float(number[2]), operator.attrgetter(name)
        return name, (number[1] or "=", limit), lambda s: (x := get(s)) is not None and op(x, limit)
    if name == "is":
        if folded in _STATE_IS:
            return "state", folded, _state_test(folded, state)
        if folded not in _IS:
            raise QueryError(
                f'unknown value "{_show(value)}" for is: - use read, unread, starred, published or unpublished'
            )
        wanted = _IS[folded]
        return "is", wanted, lambda s: s.published == wanted
    if name == "has":
        if folded not in _HAS:
            raise QueryError(f'unknown value "{_show(value)}" for has: - use image, related, body or url')
        flag = operator.attrgetter(_HAS[folded])
        return "has", folded, lambda s: bool(flag(s))
    return _dated(name, value, now, tz)


_FIELDS = ("title", "topic", "provider", "source", "type", "category", "after", "before", "on",
           "since", "quality", "heat", "is", "has")


def _text_test(folded: str) -> Test:
    """A free word or phrase: in the title, or in the rest of the record's text (kept as UTF-8)."""
    encoded = folded.encode("utf-8", "replace")
    return lambda s: folded in s.title_cf or encoded in s.text_cf


def parse_query(
    text: str, *, now: datetime | None = None, tz: tzinfo | None = None, state: ReadingState | None = None
) -> Query:
    """Compile the query text, raising QueryError with a one-line message when it is malformed.

    `state` answers is:read, is:unread and is:starred; without one nothing is read or starred."""
    tz = tz if tz is not None else tzlocal()
    now = datetime.now(tz) if now is None else now if now.tzinfo else now.replace(tzinfo=tz)
    terms: list[_Term] = []
    for negated, name, value in _split(text):
        if name is None:
            folded = value.casefold()
            terms.append(_Term("text", folded, _text_test(folded), negated))
            continue
        key = name.casefold()
        if key not in _FIELDS:
            close = difflib.get_close_matches(key, _FIELDS, n=1)
            hint = f" - did you mean {close[0]}?" if close else ""
            if not close and not any(c.isalpha() for c in name):  # 10:30, 3:2: text with a colon
                hint = f' - quote it to search the text: "{_show(name)[:20]}:{_show(value)[:40]}"'
            raise QueryError(f'unknown field "{name}"{hint}')
        if not value:
            raise QueryError(f"empty value in {key}:")
        kind, compared, test = _field(key, value, now, tz, state)
        terms.append(_Term(kind, compared, test, negated))
    return Query(text, tuple(terms))


def published_only(query: Query, state: ReadingState | None = None) -> Query:
    """The query limited to published records (the show_unpublished = false setting), unless it
    names published or unpublished itself."""
    if query.names_published:
        return query
    return parse_query(f"is:published {query.text}", state=state)


def filter_summaries(query: Query, summaries: Iterable[Summary]) -> list[Summary]:
    """The summaries that match the query, in their given order."""
    if not query.terms:
        return list(summaries)
    matches = query.matches
    return [summary for summary in summaries if matches(summary)]
