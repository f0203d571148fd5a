"""A query's terms as SQL that narrows which index rows are looked at, never rejecting a row a term
could match: numbers, dates and flags exactly; text terms exactly for ASCII text, and for text that is
not all ASCII exactly too when the connection has a function that casefolds as Python does (`casefold`,
called only on such text); without it those rows are kept and marked for the query itself to check
(see `warm_listing`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .index_schema import TOPIC_SEPARATOR, Flag

TermKind = Literal[
    "quality", "heat", "sources", "from", "until", "on", "is", "has", "text", "title", "provider", "topic",
    "type", "category", "state",
]
"""The kinds of query terms this module turns into SQL (or, for "state", leaves to Python); a term of
another kind is checked by the query alone."""


def _not_ascii(column: str) -> str:
    """SQL true when the text holds a character that is not ASCII (or a NUL): its length in characters
    and in bytes differ."""
    return f"(length({column}) != length(CAST({column} AS BLOB)))"


@dataclass
class Narrowing:
    """What a query's terms give: conditions every match meets, and when a row must be checked."""

    where: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    """SQL for "this row must be tested in Python"; "1" for every row."""
    by_story: list[object] = field(default_factory=list)
    """Terms on the reading state, tested in Python on every row, with the story's URL and path alone."""

    def keep(self, condition: str, *params: object) -> None:
        """Keep only the rows that meet `condition`."""
        self.where.append(condition)
        self.params.extend(params)


_NUMBERS = ("integer", "real")
_OPERATORS = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "=": "="}
_FLAG_BITS = {
    "image": int(Flag.IMAGE), "related": int(Flag.RELATED), "body": int(Flag.BODY), "url": int(Flag.URL),
}
_NUMBER_KINDS: tuple[TermKind, ...] = ("quality", "heat")
# The text each text term looks in (besides `text_cf`, for "text").
_TEXT_COLUMNS: dict[TermKind, str] = {
    "text": "title", "title": "title", "provider": "(provider_name || char(10) || provider_domain)",
}
_WORD_KINDS: tuple[TermKind, ...] = ("topic", "type", "category")


def narrowing(
    terms: Iterable[object], ascii_lower: bool, casefold: str | None = None, sizes: str | None = None
) -> Narrowing:
    """SQL for the terms: for each, a condition no row it could match fails, and which rows SQL cannot
    decide for it. `ascii_lower`: SQLite's lower() changes only ASCII letters (no ICU), as assumed for
    text terms; otherwise text terms are all left to Python, unless `casefold` names a SQL function
    of one argument that gives `str.casefold` of text (then every text term is exact). `sizes`: SQL
    for the size of a row's story (sources: terms), else those terms are left to Python."""
    sql = Narrowing()
    for term in terms:
        kind, value = getattr(term, "kind", None), getattr(term, "value", None)
        negated = getattr(term, "negated", False)
        try:
            if _exact(sql, kind, value, negated):
                continue
            if kind == "sources" and sizes is not None and _sources(sql, value, negated, sizes):
                continue
            if casefold is not None and _folded_text(sql, kind, value, negated, casefold, ascii_lower):
                continue
            if ascii_lower and _textual(sql, kind, value, negated):
                continue
        except (TypeError, ValueError):
            pass
        if kind == "state":
            sql.by_story.append(term)
            continue
        sql.checks.append("1")  # anything else (a kind this module does not know): Python decides
    return sql


def _exact(sql: Narrowing, kind: object, value: object, negated: bool) -> bool:
    """Terms SQL decides exactly: numbers, dates, published, has:."""
    sign = "NOT " if negated else ""
    if kind in _NUMBER_KINDS:
        op, limit = value  # type: ignore[misc]
        if op not in _OPERATORS or not isinstance(limit, float):
            return False
        sql.keep(f"{sign}(typeof({kind}) IN {_NUMBERS} AND {kind} {_OPERATORS[op]} ?)", limit)
        return True
    if kind in ("from", "until"):
        if not isinstance(value, float):
            return False
        op = ">=" if kind == "from" else "<"
        sql.keep(f"{sign}(typeof(timestamp) IN {_NUMBERS} AND timestamp {op} ?)", value)
        return True
    if kind == "on":
        low, high = value  # type: ignore[misc]
        if not (isinstance(low, float) and isinstance(high, float)):
            return False
        sql.keep(f"{sign}(typeof(timestamp) IN {_NUMBERS} AND timestamp >= ? AND timestamp < ?)", low, high)
        return True
    if kind == "is" and isinstance(value, bool):
        sql.keep(f"{sign}(coalesce(published = 1, 0) = ?)", int(value))
        return True
    if kind == "has" and value in _FLAG_BITS:
        sql.keep(f"{sign}((flags & ?) != 0)", _FLAG_BITS[value])  # type: ignore[index]
        return True
    return False


def _sources(sql: Narrowing, value: object, negated: bool, sizes: str) -> bool:
    """sources:N exactly, the size of each row's story given by the SQL `sizes`."""
    op, limit = value  # type: ignore[misc]
    if op not in _OPERATORS or not isinstance(limit, float):
        return False
    sql.keep(f"{'NOT ' if negated else ''}(coalesce({sizes}, 1) {_OPERATORS[op]} ?)", limit)
    return True


def _folded_text(
    sql: Narrowing, kind: object, value: object, negated: bool, casefold: str, ascii_lower: bool
) -> bool:
    """Text terms decided exactly in SQL: each column casefolded, by lower() when it is ASCII (and
    lower() is ASCII's), else by the `casefold` function; the rest of the text is kept casefolded."""
    if not isinstance(value, str) or not value or not value.isprintable():
        return False

    def folded(column: str) -> str:
        if not ascii_lower:
            return f"{casefold}({column})"
        return f"(CASE WHEN {_not_ascii(column)} THEN {casefold}({column}) ELSE lower({column}) END)"

    if kind in _TEXT_COLUMNS:
        column = _TEXT_COLUMNS[kind]  # type: ignore[index]
        certain = f"instr({folded(column)}, ?) > 0"
        params: list[object] = [value]
        if kind == "text":  # the rest of the text is kept casefolded: a byte search there is exact
            certain = f"instr(text_cf, ?) > 0 OR {certain}"
            params.insert(0, value.encode("utf-8", "replace"))
    elif kind == "topic":
        if TOPIC_SEPARATOR in value:
            return False
        certain = f"instr(? || {folded('coalesce(topics, char())')} || ?, ?) > 0"
        params = [TOPIC_SEPARATOR, TOPIC_SEPARATOR, TOPIC_SEPARATOR + value + TOPIC_SEPARATOR]
    elif kind in _WORD_KINDS:
        certain, params = f"{folded(str(kind))} = ?", [value]
    else:
        return False
    sql.keep(f"{'NOT ' if negated else ''}coalesce({certain}, 0)", *params)
    return True


def _textual(sql: Narrowing, kind: object, value: object, negated: bool) -> bool:
    """Text terms: SQL is sure of them for rows whose text is ASCII (casefold is then lower()) and
    when it finds the value itself; the other rows are kept and checked."""
    if not isinstance(value, str) or not value or not value.isprintable():
        return False
    ascii_value = value.isascii()
    if kind in _TEXT_COLUMNS:
        column = _TEXT_COLUMNS[kind]  # type: ignore[index]
        sure: list[str] = []
        params: list[object] = []
        if kind == "text":  # the rest of the text is kept casefolded: a byte search there is exact
            sure.append("instr(text_cf, ?) > 0")
            params.append(value.encode("utf-8", "replace"))
        if ascii_value:
            sure.append(f"instr(lower({column}), ?) > 0")
            params.append(value)
    elif kind in _WORD_KINDS:
        column = "coalesce(topics, '')" if kind == "topic" else str(kind)
        sure, params = [], []
        if ascii_value:
            if kind == "topic":
                if TOPIC_SEPARATOR in value:
                    return False
                sure.append(f"instr(? || lower({column}) || ?, ?) > 0")
                params += [TOPIC_SEPARATOR, TOPIC_SEPARATOR, TOPIC_SEPARATOR + value + TOPIC_SEPARATOR]
            else:
                sure.append(f"lower({column}) = ?")
                params.append(value)
    else:
        return False
    unsure = _not_ascii(column)
    certain = " OR ".join(sure)
    if negated:
        if sure:
            sql.keep(f"NOT ({certain})", *params)
    else:
        sql.keep(f"({certain} OR {unsure})" if sure else unsure, *params)
    sql.checks.append(unsure)
    return True
