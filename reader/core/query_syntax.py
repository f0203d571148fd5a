"""The filter language's syntax: the query text split into tokens, the limits on a query, and the
language described for the help (`query` compiles the tokens)."""

from __future__ import annotations

from dataclasses import dataclass

# Limits that keep a pasted or generated query from stalling the list: each term is tested against
# each record it reaches, ~7 ms a term at 100,000 records (10,000 `-topic:x` terms took 74 s), so 50
# terms that every record passes cost ~0.4 s. A query of that length is as long as a saved filter.
MAX_QUERY_CHARS = 1000
MAX_TERMS = 50
MAX_DEPTH = 10
"""How deeply parentheses may nest."""

SYNTAX: tuple[tuple[str, str], ...] = (
    ("word", "the word anywhere in the story: title, excerpt, provider, topics or text"),
    ('"two words"', "the words together, in this order"),
    ("a b", "both a and b (every term must hold)"),
    ("a OR b", "a or b, or both; OR binds tighter than the space between terms"),
    ("( )", "group terms: (a b) OR c"),
    ("-term, -( )", "not: leaves out what matches"),
    ("title:X", "X in the title"),
    ("provider:X, source:X", "X in the provider's name or domain"),
    ("topic:X", "a topic equal to X"),
    ("type:X, category:X", "the type or category equal to X"),
    ("on:DATE", "published that day; on:2021-08 the month, on:2021 the year"),
    ("after:DATE, before:DATE", "published at or after DATE, or before it; a month or year starts on its 1st"),
    ("since:N", "published in the last N hours, days, weeks, months or years: 12h, 7d, 2w, 3m, 1y"),
    ("quality:N, heat:N", "the score equal to N, or >N, >=N, <N, <=N"),
    ("sources:N", "the story reported by N records, or >N, >=N, <N, <=N (sources:>=5)"),
    ("is:read, is:unread, is:starred", "what you have read or starred"),
    ("is:published, is:unpublished", "shown on the aggregator's site or not (published: false in the record)"),
    ("has:image, has:related, has:body, has:url", "stories with one"),
)
"""The filter language for the help: (syntax, meaning) rows."""

EXAMPLES: tuple[tuple[str, str], ...] = (
    ("blizzard necromancer OR sorceress", "blizzard, and necromancer or sorceress"),
    ("(druid barbarian) OR necromancer", "both druid and barbarian, or necromancer"),
    ("diablo -(druid OR barbarian)", "diablo, without druid or barbarian"),
    ('topic:"computer vision" since:2w', "a topic, in the last two weeks"),
    ("after:2021 before:2022", "published in 2021 (also on:2021)"),
    ("quality:>=60 -is:read", "good stories not read yet"),
    ('"OR" "10:30"', "quotes search for OR or a word with a colon as text"),
)
"""Examples of queries for the help: (query, what it finds) rows."""


class QueryError(ValueError):
    """A query that cannot be parsed; the message is one user-facing line. `position` is the index
    in the query of the character at fault, when known."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


def squeeze(value: str) -> str:
    """The value squeezed onto one line, for error messages."""
    return " ".join(value.split())


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The text from `start` up to the closing quote, and the index just past that quote."""
    end = text.find('"', start)
    if end < 0:
        raise QueryError("unclosed quote", start - 1)
    return text[start:end], end + 1


@dataclass(frozen=True, slots=True)
class Token:
    """A piece of the query: "(", ")", "OR" or a term, and where it starts."""

    kind: str
    at: int
    negated: bool = False
    name: str | None = None
    value: str = ""


def _word_end(text: str, i: int) -> int:
    """Where the word starting at `i` ends: at white space, or at a `)` that closes no `(` of its own."""
    depth = 0
    while i < len(text) and not text[i].isspace():
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            if not depth:
                break
            depth -= 1
        i += 1
    return i


def tokenize(text: str) -> list[Token]:
    """Split the text into tokens; a term is (negated, field name or None, value)."""
    tokens: list[Token] = []
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return tokens
        at, negated = i, text[i] == "-"
        i += negated
        if i < len(text) and text[i] in "()":
            if text[i] == "(" or not negated:
                tokens.append(Token(text[i], at, negated))
                i += 1
            continue  # `-)`: a bare `-`, ignored, and the `)` comes next
        end = _word_end(text, i)
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
        if raw == "OR" and not negated:
            tokens.append(Token("OR", at))
        elif value or name is not None:
            tokens.append(Token("term", at, negated, name, value))


