"""The filter language: parse a query once into small predicates, then test summaries cheaply.

Terms are separated by whitespace and must all hold; matching is case-insensitive (str.casefold).
`SYNTAX` and `EXAMPLES` (in query_syntax) describe the language for the help; in short:

- `word`, `"a phrase"`: substring of the record's text (title, excerpt, provider, topics, body).
- `title:X`, `provider:X` (alias `source:X`): substring of that field.
- `topic:X`, `type:X`, `category:X`: equal to X (any topic equal to X).
- `after:DATE` (at or after), `before:DATE` (strictly before), `on:DATE` (within DATE's period).
  A date names a period (`dates.typed_date`): `2021` the year, `2021-08` the month, a date its local
  day; after: and before: take the period's first instant (`after:2021 before:2022` is 2021).
- `since:N` with a unit h, d, w, m (30 days) or y (365 days): published at or after `now` minus N units.
- `quality:N`, `heat:N` with an optional operator `> >= < <= =`; `sources:N` the same for the size of
  the record's story (how many records report its event), looked up when a record is tested.
- `is:published`, `is:unpublished`, `has:image`, `has:related`, `has:body`, `has:url`.
- `is:read`, `is:unread`, `is:starred`: the reading state, looked up when a record is tested, so a
  query parsed once follows marks made later (see `state.StateStore`).
- `a OR b`: either; OR (upper case) binds tighter than the space, so `a b OR c` is a AND (b OR c).
  `( )` group terms: `(a b) OR c`. A leading `-` negates a term or a group: `-(a OR b)`.

A leading `-` is a plain logical not, so `-after:X` matches records without a date. Values may be
quoted (`topic:"computer vision"`); a quote only opens at the start of a term or value. A bare `-`
and an empty phrase `""` are ignored, so half-typed queries still work. Only one `-` is a negation:
`--x` excludes the text "-x". A word with a colon is a field term: quote it (`"10:30"`) to search it
as text; quote `"OR"` and words with parentheses to search them as text. Records without a date or
number never match the positive date/number terms. An unbalanced parenthesis, an OR without a term
on each side, a query longer than MAX_QUERY_CHARS or with more than MAX_TERMS terms is an error.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import Protocol

from dateutil.tz import tzlocal

from .dates import date_period, typed_date
from .identity import summary_id
from .query_syntax import (
    EXAMPLES,
    MAX_DEPTH,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    SYNTAX,
    QueryError,
    Token,
    squeeze,
    tokenize,
)
from .record import Summary

Test = Callable[[Summary], bool]
StorySizes = Callable[[Summary], int]
"""How many records the story of a record has (see `story_groups.StoryGroups.size`)."""

__all__ = [
    "EXAMPLES", "MAX_QUERY_CHARS", "MAX_TERMS", "SYNTAX", "Query", "QueryError", "ReadingState", "StorySizes", "all_of",
    "filter_summaries", "parse_query", "published_only", "with_sizes",
]


class ReadingState(Protocol):
    """What the is:read, is:unread and is:starred terms look at (a `state.StateStore` is one)."""

    @property
    def read(self) -> Mapping[str, float]: ...

    @property
    def starred(self) -> AbstractSet[str]: ...


@dataclass(frozen=True, slots=True)
class _Term:
    """One compiled term: a predicate, plus the kind and value `Query.narrows` compares. A group is a
    term of kind "any" (OR) or "all" (parentheses) whose value is the tuple of its terms."""

    kind: str
    value: object
    test: Test
    negated: bool = False


_SUBSTRING_KINDS = frozenset({"text", "title", "provider"})
_GROUPS = ("any", "all")
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq,
}
_NUMBER = re.compile(r"(>=|<=|>|<|=)?(-?\d+(?:\.\d+)?)", re.ASCII)
_SPAN = re.compile(r"(\d+)([hdwmy])", re.ASCII | re.IGNORECASE)
_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400, "m": 30 * 86400, "y": 365 * 86400}
_IS = {"published": True, "unpublished": False}
_STATE_IS = ("read", "unread", "starred")
_HAS = {"image": "has_image", "related": "has_related", "body": "has_body", "url": "has_url"}


def _flipped(term: _Term) -> _Term:
    return replace(term, negated=not term.negated)


def _shape(term: _Term) -> tuple[str, tuple[_Term, ...]]:
    """The term as "any" or "all" of terms, negation moved inside (De Morgan), or ("leaf", (term,))."""
    if term.kind not in _GROUPS:
        return "leaf", (term,)
    inner: tuple[_Term, ...] = term.value  # type: ignore[assignment]
    if not term.negated:
        return term.kind, inner
    return ("all" if term.kind == "any" else "any"), tuple(map(_flipped, inner))


def _implies(new: _Term, old: _Term) -> bool:
    """Whether every record passing `new` surely passes `old` (False when unsure)."""
    new_shape, new_terms = _shape(new)
    old_shape, old_terms = _shape(old)
    if new_shape == "any":
        return all(_implies(term, old) for term in new_terms)
    if old_shape == "all":
        return all(_implies(new, term) for term in old_terms)
    if new_shape == "all" and any(_implies(term, old) for term in new_terms):
        return True
    if old_shape == "any":
        return any(_implies(new, term) for term in old_terms)
    return new_shape == "leaf" and _leaf_implies(new, old)


def _leaf_implies(new: _Term, old: _Term) -> bool:
    """`_implies` for two plain terms."""
    if not new.negated and not old.negated and new.kind == "on" and old.kind in ("from", "until"):
        low, high = new.value  # type: ignore[misc]
        return low >= old.value if old.kind == "from" else high <= old.value  # type: ignore[operator]
    if new.kind != old.kind or new.negated != old.negated:
        return False
    a, b = (old.value, new.value) if new.negated else (new.value, old.value)
    if new.kind in _SUBSTRING_KINDS:
        return b in a  # type: ignore[operator]
    if new.kind == "from":
        return a >= b  # type: ignore[operator]
    if new.kind == "until":
        return a <= b  # type: ignore[operator]
    if new.kind == "on":
        return b[0] <= a[0] and a[1] <= b[1]  # type: ignore[index]
    if new.kind in ("quality", "heat", "sources"):
        return _within(a, b)  # type: ignore[arg-type]
    return a == b


def _within(a: tuple[str, float], b: tuple[str, float]) -> bool:
    """Whether every number meeting comparison `a` (such as (">", 50.0)) meets `b`: typing
    quality:>5 then quality:>50 narrows."""
    (a_op, x), (b_op, y) = a, b
    if a_op == "=":
        return _OPS[b_op](x, y)
    if a_op[0] != b_op[0]:  # > against <, or a range against one number
        return False
    above = a_op[0] == ">"
    if x == y:
        return a_op == b_op or len(b_op) == 2  # > or < fits in >= or <=, not the reverse
    return x > y if above else x < y


def _leaves(terms: Iterable[_Term]) -> Iterable[_Term]:
    """Every plain term, inside groups too."""
    for term in terms:
        if term.kind in _GROUPS:
            yield from _leaves(term.value)  # type: ignore[arg-type]
        else:
            yield term


@dataclass(frozen=True)
class Query:
    """A parsed query (build it with `parse_query`): its text and the terms that must all hold."""

    text: str
    terms: tuple[_Term, ...] = field(default=(), repr=False, compare=False)

    @property
    def uses_state(self) -> bool:
        """Whether the result depends on the reading state (is:read, is:unread, is:starred)."""
        return any(term.kind == "state" for term in _leaves(self.terms))

    @property
    def uses_sources(self) -> bool:
        """Whether the result depends on the sizes of the stories (sources:)."""
        return any(term.kind == "sources" for term in _leaves(self.terms))

    @property
    def names_published(self) -> bool:
        """Whether the query mentions is:published or is:unpublished anywhere."""
        return any(term.kind == "is" for term in _leaves(self.terms))

    def matches(self, summary: Summary) -> bool:
        """Whether the summary satisfies every term."""
        for term in self.terms:
            if term.test(summary) == term.negated:
                return False
        return True

    @property
    def published(self) -> bool | None:
        """What the query's is:published or is:unpublished terms (outside groups) ask for: True for
        published records only, False for unpublished ones only, None when it does not say (or asks
        for both)."""
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
        return _checked(terms[0])

    def narrows(self, previous: Query | None) -> bool:
        """Whether every record matching this query surely matches `previous` (False when unsure)."""
        if previous is None:
            return False
        return _implies(_Term("all", self.terms, self.matches), _Term("all", previous.terms, previous.matches))


def _checked(term: _Term) -> Test:
    """The term's test with its negation applied."""
    test = term.test
    return (lambda s: not test(s)) if term.negated else test


def _any_test(terms: tuple[_Term, ...]) -> Test:
    checks = tuple(map(_checked, terms))

    def test(summary: Summary) -> bool:
        for check in checks:
            if check(summary):
                return True
        return False

    return test


def _all_test(terms: tuple[_Term, ...]) -> Test:
    return Query("", terms).matches


def _state_test(value: str, state: ReadingState | None) -> Test:
    """is:read, is:unread or is:starred against the state as it is when a record is tested."""
    if state is None:
        return (lambda s: True) if value == "unread" else (lambda s: False)
    if value == "starred":
        return lambda s: summary_id(s) in state.starred
    read = value == "read"
    return lambda s: (summary_id(s) in state.read) == read


def _sources_test(op: Callable[[float, float], bool], limit: float, sizes: StorySizes | None) -> Test:
    """sources:N, against the size of the record's story (1 without `sizes`)."""
    get = sizes or (lambda s: 1)
    return lambda s: op(get(s), limit)


def with_sizes(query: Query, sizes: StorySizes) -> Query:
    """The query with its sources: terms (in groups too) asking `sizes`: for a caller that parsed it
    before the stories were known (`reader --list` parses the filter before it loads or reads them)."""

    def sized(term: _Term) -> _Term:
        if term.kind == "sources":
            op, limit = term.value  # type: ignore[misc]
            return replace(term, test=_sources_test(_OPS[op], limit, sizes))
        if term.kind in _GROUPS:
            inner = tuple(map(sized, term.value))  # type: ignore[arg-type]
            return replace(term, value=inner, test=(_any_test if term.kind == "any" else _all_test)(inner))
        return term

    return Query(query.text, tuple(map(sized, query.terms))) if query.uses_sources else query


def _published_test(wanted: bool) -> Test:
    return lambda s: s.published == wanted


def _field(
    name: str, value: str, now: datetime, tz: tzinfo, state: ReadingState | None, sizes: StorySizes | None
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
    if name in ("quality", "heat", "sources"):
        number = _NUMBER.fullmatch(value)
        if number is None:
            raise QueryError(f'bad number "{squeeze(value)}" in {name}:')
        op, limit = _OPS[number[1] or "="], float(number[2])
        get: Callable[[Summary], int | None]
        if name == "sources":
            return name, (number[1] or "=", limit), _sources_test(op, limit, sizes)
        get = operator.attrgetter(name)
        return name, (number[1] or "=", limit), lambda s: (x := get(s)) is not None and op(x, limit)
    if name == "is":
        if folded in _STATE_IS:
            return "state", folded, _state_test(folded, state)
        if folded not in _IS:
            raise QueryError(
                f'unknown value "{squeeze(value)}" for is: - use read, unread, starred, published or unpublished'
            )
        wanted = _IS[folded]
        return "is", wanted, _published_test(wanted)
    if name == "has":
        if folded not in _HAS:
            raise QueryError(f'unknown value "{squeeze(value)}" for has: - use image, related, body or url')
        flag = operator.attrgetter(_HAS[folded])
        return "has", folded, lambda s: bool(flag(s))
    return _dated(name, value, now, tz)


_FIELDS = ("title", "topic", "provider", "source", "type", "category", "after", "before", "on",
           "since", "quality", "heat", "sources", "is", "has")


def _dated(name: str, value: str, now: datetime, tz: tzinfo) -> tuple[str, object, Test]:
    """Compile an after:, before:, on: or since: term."""
    if name == "since":
        span, cutoff = _SPAN.fullmatch(value), None
        if span is not None and len(span[1]) < 12:
            cutoff = now.timestamp() - int(span[1]) * _UNITS[span[2].lower()]
        if cutoff is None:
            raise QueryError(f'bad span "{squeeze(value)}" in since: - use e.g. 12h, 7d, 2w, 3m or 1y')
        return "from", cutoff, lambda s: s.timestamp is not None and s.timestamp >= cutoff
    try:
        when, unit = typed_date(value, now, tz)
        if name == "on":
            start, end = date_period(when, unit, tz)
            low, high = start.timestamp(), end.timestamp()
            return "on", (low, high), lambda s: s.timestamp is not None and low <= s.timestamp < high
        bound = when.timestamp()
    except (ValueError, OverflowError, OSError):
        raise QueryError(f'bad date "{squeeze(value)}" in {name}:') from None
    if name == "after":
        return "from", bound, lambda s: s.timestamp is not None and s.timestamp >= bound
    return "until", bound, lambda s: s.timestamp is not None and s.timestamp < bound


def _text_test(folded: str) -> Test:
    """A free word or phrase: in the title, or in the rest of the record's text (kept as UTF-8)."""
    encoded = folded.encode("utf-8", "replace")
    return lambda s: folded in s.title_cf or encoded in s.text_cf


class _Parser:
    """Turns tokens into terms: a sequence of terms all hold, OR binds tighter, parentheses group."""

    def __init__(self, tokens: list[Token], compile_term: Callable[[Token], _Term]) -> None:
        self.tokens = tokens
        self.next = 0
        self.compile_term = compile_term

    def peek(self) -> Token | None:
        return self.tokens[self.next] if self.next < len(self.tokens) else None

    def sequence(self, depth: int) -> list[_Term]:
        """Terms up to a `)` or the end, that must all hold (groups of all of them opened up)."""
        terms: list[_Term] = []
        while (token := self.peek()) is not None and token.kind != ")":
            term = self.either(depth)
            terms.extend(term.value if term.kind == "all" and not term.negated else (term,))  # type: ignore[arg-type]
        return terms

    def either(self, depth: int) -> _Term:
        """One term, or several joined by OR."""
        first = self.single(depth)
        alternatives = [first]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.next += 1
            after = self.peek()
            if after is None or after.kind in (")", "OR"):
                raise _dangling(token)
            alternatives.append(self.single(depth))
        if len(alternatives) == 1:
            return first
        flat: list[_Term] = []
        for term in alternatives:
            flat.extend(term.value if term.kind == "any" and not term.negated else (term,))  # type: ignore[arg-type]
        return _Term("any", tuple(flat), _any_test(tuple(flat)))

    def single(self, depth: int) -> _Term:
        """A term, or a group in parentheses (maybe negated)."""
        token = self.tokens[self.next]
        self.next += 1
        if token.kind == "OR":
            raise _dangling(token)
        if token.kind == "term":
            return self.compile_term(token)
        # token.kind == "(": a ")" never starts a term (sequence stops at it)
        paren = token.at + token.negated
        if depth >= MAX_DEPTH:
            raise QueryError(f"parentheses nested more than {MAX_DEPTH} deep at column {paren + 1}", paren)
        terms = self.sequence(depth + 1)
        if self.peek() is None:
            raise QueryError(f'unclosed "(" at column {paren + 1}', paren)
        self.next += 1
        if not terms:
            raise QueryError(f"empty parentheses at column {paren + 1}", paren)
        group = terms[0] if len(terms) == 1 else _Term("all", tuple(terms), _all_test(tuple(terms)))
        return _flipped(group) if token.negated else group


def _dangling(token: Token) -> QueryError:
    return QueryError(f"OR at column {token.at + 1} needs a term on each side", token.at)


def parse_query(
    text: str, *, now: datetime | None = None, tz: tzinfo | None = None, state: ReadingState | None = None,
    sizes: StorySizes | None = None,
) -> Query:
    """Compile the query text, raising QueryError with a one-line message when it is malformed.

    `state` answers is:read, is:unread and is:starred; without one nothing is read or starred. `sizes`
    answers sources:; without it every record is a story of one."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long: {len(text):,} characters, at most {MAX_QUERY_CHARS:,}")
    tz = tz if tz is not None else tzlocal()
    now = datetime.now(tz) if now is None else now if now.tzinfo else now.replace(tzinfo=tz)
    tokens = tokenize(text)
    count = sum(token.kind == "term" for token in tokens)
    if count > MAX_TERMS:
        raise QueryError(f"too many terms: {count:,}, at most {MAX_TERMS:,}")

    def compile_term(token: Token) -> _Term:
        name, value = token.name, token.value
        if name is None:
            folded = value.casefold()
            return _Term("text", folded, _text_test(folded), token.negated)
        key = name.casefold()
        if key not in _FIELDS:
            close = difflib.get_close_matches(key, _FIELDS, n=1)
            hint = f" - did you mean {close[0]}?" if close else ""
            if not close and not any(c.isalpha() for c in name):  # 10:30, 3:2: text with a colon
                hint = f' - quote it to search the text: "{squeeze(name)[:20]}:{squeeze(value)[:40]}"'
            raise QueryError(f'unknown field "{name}"{hint}', token.at)
        if not value:
            raise QueryError(f"empty value in {key}:", token.at)
        try:
            kind, compared, test = _field(key, value, now, tz, state, sizes)
        except QueryError as error:
            raise QueryError(str(error), token.at) from None
        return _Term(kind, compared, test, token.negated)

    parser = _Parser(tokens, compile_term)
    terms = parser.sequence(0)
    if (token := parser.peek()) is not None:
        raise QueryError(f'unmatched ")" at column {token.at + 1}', token.at)
    return Query(text, tuple(terms))


_PUBLISHED = _Term("is", True, _published_test(True))


def published_only(query: Query, state: ReadingState | None = None) -> Query:
    """The query limited to published records (the show_unpublished = false setting), unless it
    names published or unpublished itself. (`state` is kept for callers; the terms already hold it.)"""
    if query.names_published:
        return query
    return Query(f"is:published {query.text}", (_PUBLISHED, *query.terms))


def all_of(*queries: Query) -> Query:
    """One query that holds where all of them hold (its text is theirs, joined), built without parsing
    again, so the limits on one query's length and terms do not apply to the sum."""
    return Query(" ".join(query.text for query in queries), tuple(t for query in queries for t in query.terms))


def filter_summaries(query: Query, summaries: Iterable[Summary]) -> list[Summary]:
    """The summaries that match the query, in their given order."""
    if not query.terms:
        return list(summaries)
    matches = query.matches
    return [summary for summary in summaries if matches(summary)]
