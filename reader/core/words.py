"""An index of the words in the records' text, so that a free-text term tests only the records that
could hold it rather than every record.

A record's words are the runs of word bytes (a-z, 0-9 and every byte of a non-ASCII character) of its
casefolded title and of the rest of its text (`Summary.title_cf`, `text_cf`), as UTF-8. A text term
(`word`, `"a phrase"`, `title:x`) matches when it is a substring of one of those texts, so each run of
word bytes in the term lies inside one word of every record it matches: anywhere in the word when the
run is the whole term, at the start of a word when something that is not a word byte comes before it
in the term, at the end when something comes after, the whole word when both. The index looks those
words up in its vocabulary (one buffer, searched in C) and unites the records that have them (their
postings); the query itself still decides, so the index only narrows which records are tested and
never changes a result.

Compact: the vocabulary is one bytearray, a dict of word numbers and an array of where each word
starts; each word's postings (its records' slots) are added to an array of 32-bit slots, then packed
in bytes as 16-bit gaps between them (`PACK_AT`), unpacked in C (`itertools.accumulate`). A word in
more than `common_share` of the records keeps no postings: a term that needs it is not narrowed (its
matches are common, and their first page comes at once by the plain scan).

In step with the library: records are indexed in the order of the library's list (`catch_up`, off the
UI thread, in chunks), and records not indexed yet are always candidates. A list that only grew is
indexed on from where it stopped. When records were removed or replaced (the watcher's changes), the
old list is matched with the new one by comparing runs of them (in C): the records gone leave dead
slots, mapped to no position, and their replacements are indexed as new records at the end.
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate, chain
from operator import sub

from .record import Summary

WORD = re.compile(rb"[0-9a-z\x80-\xff]+")
"""A word: a run of ASCII letters and digits and bytes of non-ASCII characters (UTF-8, casefolded)."""
_SPACED = bytes(byte if 48 <= byte <= 57 or 97 <= byte <= 122 or byte >= 128 else 32 for byte in range(256))
"""Bytes that are not word bytes as spaces: `split` then gives the words (as `WORD` finds them)."""
CHUNK = 1024
"""How many records `catch_up` indexes between checks that it is still wanted."""
COMMON_SHARE = 1 / 16
"""A word in more than this share of the records indexed keeps no postings..."""
COMMON_MIN = 64
"""...when it is in more than this many records, too."""
FIRST_SWEEP = 1024
"""How many records are indexed before words are first found common (then at twice as many, and so
on, and whenever every record is indexed): a common word kept until then costs more time than memory,
as indexing a posting is most of the work."""
_NONE_ADDED = ()
"""A word's slots added since it was packed, when there are none (an empty array costs 64 bytes)."""
PACK_AT = 8
"""A word's slots are packed as gaps at a sweep once this many were added since the last."""
MAX_WORDS = 512
"""How many vocabulary words one run of the term may stand for before the term is not narrowed."""


class WordIndex:
    """Words of a list of summaries -> the positions of the summaries that have them. Thread-safe."""

    def __init__(
        self, *, common_min: int = COMMON_MIN, common_share: float = COMMON_SHARE, max_words: int = MAX_WORDS,
        chunk: int = CHUNK, pack_at: int = PACK_AT,
    ) -> None:
        self.chunk = chunk
        self.pack_at = pack_at
        self.common_min = common_min
        self.common_share = common_share
        self.max_words = max_words
        self._lock = threading.Lock()
        self._version = -1
        self._records: Sequence[Summary] = []
        self._reset()

    def _reset(self) -> None:
        self._vocab: dict[bytes, int] = {}
        self._words: list[bytes] = []
        self._buffer = bytearray(b"\n")
        """Every word, each followed by a newline (and the first preceded by one)."""
        self._starts = array("I")
        """Where each word starts in the buffer."""
        self._postings: list[array[int] | tuple[()] | None] = []
        """The slots of the records that have each word, added since it was last packed; None for a
        common word."""
        self._packed: list[bytes | None] = []
        """Each word's slots packed, as the 16-bit gaps after its first one (None: none packed yet)."""
        self._first = array("I")
        """Each word's first packed slot."""
        self._last = array("I")
        """Each word's last packed slot."""
        self._common: set[bytes] = set()
        self._covered = 0
        """Positions [0, covered) of the list are indexed, each with a live slot."""
        self._slots = 0
        self._slot_pos: array[int] | None = None
        """The position of each slot in the list (-1: dead); None while slot and position are one."""
        self._swept_at = 0

    @property
    def covered(self) -> int:
        """How many records of the list are indexed (the first ones)."""
        return self._covered

    def catch_up(
        self, records: Sequence[Summary], version: int, stop: Callable[[], bool] = lambda: False
    ) -> bool:
        """Index `records` (the list of library version `version`) as far as `stop()` lets it: True
        once every record is indexed. A list older than the one indexed is left alone."""
        while True:
            if stop():
                return False
            with self._lock:
                if not self._sync(records, version):
                    return False
                start = self._covered
                end = min(start + self.chunk, len(records))
                if start >= end:
                    # Swept again once the records indexed since grew by a chunk or a 16th: a sweep walks
                    # every word (~60 ms at 100,000 records), and a few records the watcher adds make
                    # no word common that matters (the query decides; the index only narrows).
                    if self._covered - self._swept_at >= min(self.chunk, max(1, self._swept_at // 16)):
                        self._sweep()
                    return True
                self._add(records, start, end)
                if self._covered >= max(FIRST_SWEEP, 2 * self._swept_at):
                    self._sweep()

    def candidates(
        self, records: Sequence[Summary], version: int, terms: Iterable[object], limit: int
    ) -> list[int] | None:
        """The positions in `records` (of library version `version`) of every record that may match all
        of `terms` (a query's terms), unordered; None when the terms cannot be narrowed so, or when that
        gives more than `limit` records (then testing every record costs little more)."""
        with self._lock:
            if not self._sync(records, version):
                return None
            tail = len(records) - self._covered  # not indexed yet: candidates all
            if tail > limit:
                return None
            slots = self._all(terms, limit - tail)
            if slots is None:
                return None
            if self._slot_pos is None:
                positions = list(slots)
            else:
                positions = [p for p in map(self._slot_pos.__getitem__, slots) if p >= 0]
            positions.extend(range(self._covered, len(records)))
            return positions

    # Keeping in step with the list.

    def _sync(self, records: Sequence[Summary], version: int) -> bool:
        """Make positions refer to `records`; False when it is older than the list indexed."""
        if version < self._version:
            return False
        if records is self._records:
            self._version = version
            return True
        covered, old = self._covered, self._records
        self._records, self._version = records, version
        if covered == 0 or old[:covered] == records[:covered]:  # the list only grew (or was copied)
            return True
        dead = _removed(old, records, covered)
        kept = covered - len(dead) if dead is not None else 0
        if dead is None or self._slots - kept > max(kept, self.chunk):  # mostly new, or mostly dead slots
            self._reset()
            return True
        table = array("i")  # old position -> new position, -1 for a record gone; one more -1 at the end
        shift, previous = 0, 0
        for gone in dead:
            table.extend(range(previous - shift, gone - shift))
            table.append(-1)
            shift, previous = shift + 1, gone + 1
        table.extend(range(previous - shift, covered - shift))
        table.append(-1)  # a dead slot's -1 looks up this one
        if self._slot_pos is None:
            self._slot_pos = table[:covered]
        else:
            self._slot_pos = array("i", map(table.__getitem__, self._slot_pos))
        self._covered = kept
        return True

    def _add(self, records: Sequence[Summary], start: int, end: int) -> None:
        """Index the records at positions [start, end), the first ones not indexed yet."""
        vocab, postings, common = self._vocab, self._postings, self._common
        slot, slot_pos = self._slots, self._slot_pos
        for position in range(start, end):
            summary = records[position]
            rest = summary.text_cf
            if not isinstance(rest, bytes):  # a damaged index row: indexed as text, never a crash here
                rest = str(rest).encode("utf-8", "replace")
            text = summary.title_cf.encode("utf-8", "replace") + b"\n" + rest
            for word in set(text.translate(_SPACED).split()).difference(common):
                number = vocab.get(word)
                if number is None:
                    number = self._new_word(word)
                added = postings[number]
                if added is _NONE_ADDED:
                    added = postings[number] = array("I")
                added.append(slot)  # type: ignore[union-attr]  # common words were left out
            if slot_pos is not None:
                slot_pos.append(position)
            slot += 1
        self._slots, self._covered = slot, end

    def _new_word(self, word: bytes) -> int:
        number = self._vocab[word] = len(self._words)
        self._words.append(word)
        self._starts.append(len(self._buffer))
        self._buffer += word
        self._buffer += b"\n"
        self._postings.append(array("I"))
        self._packed.append(None)
        self._first.append(0)
        self._last.append(0)
        return number

    def _sweep(self) -> None:
        """Drop the postings of words grown common, and pack those of the others."""
        most = max(self.common_min, int(self._covered * self.common_share))
        for number, added in enumerate(self._postings):
            if added is None:
                continue
            packed = self._packed[number]
            if len(added) + (len(packed) // 2 + 1 if packed is not None else 0) > most:
                self._postings[number] = self._packed[number] = None
                self._common.add(self._words[number])
            elif len(added) >= self.pack_at:
                self._pack(number, added, packed)
        self._swept_at = self._covered

    def _pack(self, number: int, added: array[int] | tuple[()], packed: bytes | None) -> None:
        """Move a word's slots added since it was last packed into its packed gaps."""
        after = self._last[number] if packed is not None else added[0]
        rest = added if packed is not None else added[1:]
        try:
            gaps = array("H", map(sub, rest, chain((after,), rest)))
        except OverflowError:
            return  # gaps wider than 16 bits: a rare word, whose few slots stay as they are
        if packed is None:
            self._packed[number], self._first[number] = gaps.tobytes(), added[0]
        else:
            self._packed[number] = packed + gaps.tobytes()
        self._last[number] = added[-1]
        self._postings[number] = _NONE_ADDED

    def _slots_of(self, number: int) -> Iterable[int]:
        """The slots of a word's records (of a word that is not common)."""
        packed, added = self._packed[number], self._postings[number]
        assert added is not None
        if packed is None:
            return added
        return chain(accumulate(memoryview(packed).cast("H"), initial=self._first[number]), added)

    def _count(self, number: int) -> int:
        packed, added = self._packed[number], self._postings[number]
        return (len(packed) // 2 + 1 if packed is not None else 0) + (len(added) if added is not None else 0)

    # Looking terms up.

    def _all(self, terms: Iterable[object], limit: int) -> set[int] | None:
        """Slots that may match all the terms: the fewest any one term allows."""
        best: set[int] | None = None
        for term in terms:
            if getattr(term, "negated", True):
                continue
            found = self._term(term, limit if best is None else min(limit, len(best) - 1))
            if found is not None:
                best = found
        return best

    def _term(self, term: object, limit: int) -> set[int] | None:
        kind, value = getattr(term, "kind", None), getattr(term, "value", None)
        if kind in ("text", "title") and isinstance(value, str):
            return self._text(value, limit)
        if kind == "all" and isinstance(value, tuple):
            return self._all(value, limit)
        if kind == "any" and isinstance(value, tuple):
            union: set[int] = set()
            for alternative in value:
                if getattr(alternative, "negated", True):
                    return None
                found = self._term(alternative, limit - len(union))
                if found is None:
                    return None
                union |= found
                if len(union) > limit:
                    return None
            return union
        return None

    def _text(self, text: str, limit: int) -> set[int] | None:
        """Slots that may hold `text` (casefolded): the fewest any one of its runs of word bytes allows."""
        data = text.encode("utf-8", "replace")
        runs = [(m.group(), m.start() > 0, m.end() < len(data)) for m in WORD.finditer(data)]
        runs.sort(key=lambda run: (not (run[1] and run[2]), -len(run[0])))  # whole words first, then long
        best: set[int] | None = None
        for word, starts, ends in runs:
            found = self._run(word, starts, ends, limit)
            if found is not None:
                best, limit = found, len(found) - 1
                if not found:
                    break
        return best

    def _run(self, word: bytes, starts: bool, ends: bool, limit: int) -> set[int] | None:
        """Slots of the records with a word holding `word` (starting with it, ending with it: the whole
        word, when both); None when that is more than `limit`, or a common word."""
        if limit < 0:
            return None
        if starts and ends:
            number = self._vocab.get(word)
            if number is None:
                return set()
            if self._postings[number] is None or self._count(number) > limit:
                return None
            return set(self._slots_of(number))
        needle = b"\n" * starts + word + b"\n" * ends
        buffer, first, postings = self._buffer, self._starts, self._postings
        found: set[int] = set()
        count = 0
        at = buffer.find(needle)
        while at >= 0:
            number = bisect_right(first, at + starts) - 1
            count += 1
            if postings[number] is None or count > self.max_words:
                return None
            found.update(self._slots_of(number))
            if len(found) > limit:
                return None
            if number + 1 >= len(first):
                break
            at = buffer.find(needle, first[number + 1] - starts)  # on from the next word
        return found


def _removed(old: Sequence[Summary], new: Sequence[Summary], covered: int) -> list[int] | None:
    """The positions below `covered` of the records of `old` that are not in `new`, where `new` keeps
    the others in their order (and may add records after them); None when that is most of them."""
    dead: list[int] = []
    i = j = 0
    while i < covered:
        step = _same_run(old, i, new, j, covered - i)
        i, j = i + step, j + step
        if i < covered:
            dead.append(i)
            i += 1
            if len(dead) * 2 > covered:
                return None
    return dead


def _same_run(a: Sequence[Summary], i: int, b: Sequence[Summary], j: int, most: int) -> int:
    """How many records from a[i] and b[j] on are the same (up to `most`), found by comparing ever
    longer slices (each in C), then shorter ones."""
    same, step = 0, 1
    while same < most:
        size = min(step, most - same)
        if a[i + same : i + same + size] == b[j + same : j + same + size]:
            same, step = same + size, step * 2
        elif size == 1:
            break
        else:
            step = 1
    return same
