"""A fast reader for the plain subset of YAML that aggregators write; anything else is left to PyYAML.

libyaml parses quickly, but PyYAML builds the Python objects in Python, node by node, and that is most
of the time spent loading a record. The files in the wild are machine-written: block mappings and
sequences, plain and double-quoted one-line scalars, no anchors, tags, flow collections or block
scalars. `load` reads exactly that subset, line by line, and returns None the moment it meets
anything else, so the caller falls back to the full parser: for the subset it gives the same result
as `yaml.load(text, CSafeLoader)` (a differential test holds it to that), and it never guesses.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: +|$)")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_PLAIN_START_FORBIDDEN = set("[]{}&*!|>%@`'\"#,?:-")
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_NULLS = {"", "~", "null", "Null", "NULL"}
_UTC_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")  # how aggregators write them
# Characters libyaml refuses in a stream (it accepts TAB, LF, CR, NEL and the printable ranges).
_NOT_YAML_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
# Line breaks to YAML 1.1 besides LF and CR: NEL, LS and PS. libyaml ends a line there (a plain scalar
# then fails unless the next line fits; a quoted one folds the break into a space): left to it.
_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]")

_resolver = Resolver()
_constructor = SafeConstructor()
_tags: dict[str, str] = {}  # keys and short values repeat across records: resolve each once


def _tag(value: str) -> str:
    """The tag YAML's implicit resolvers give a plain scalar."""
    tag = _tags.get(value)
    if tag is None:
        tag = _resolver.resolve(ScalarNode, value, (True, False))
        if len(_tags) > 20_000:
            _tags.clear()
        _tags[value] = tag
    return tag


class _Unsupported(Exception):
    """The text uses YAML this reader does not handle."""


# Which keys to build, level by level: None keeps everything below; a dict keeps only its keys (and
# applies to each mapping in a sequence). Values of other keys are skipped unread, so a projection
# does not check them: the full parse shown later does.
Want = dict[str, "Want"] | None

# Indentation and content; blank lines (also CRLF ones) and comment lines left out.
_LINE = re.compile(r"^( *)([^ \r\n#][^\n]*)", re.M)
_TAB_INDENT = re.compile(r"^ *\t", re.M)


def load(text: str, want: Want = None, encoded: bytes | None = None) -> Any:
    """The document in `text` (only the `want`ed keys), or None when it is not in the supported
    subset or not a mapping. `encoded`, when given, must be `text` in UTF-8 (strict, so without
    surrogates): the whole text's checks then run on the bytes, several times faster."""
    if not (_loadable(text) if encoded is None else _loadable_encoded(text, encoded)):
        return None
    if want is not None:
        try:
            return _project(text, want)
        except (_Unsupported, IndexError, ValueError, RecursionError):
            pass  # not the common shape: the line by line reader decides
    return _load_lines(text, want)


def _loadable(text: str) -> bool:
    """Whether the text as a whole may be in the subset."""
    if _NOT_YAML_PRINTABLE.search(text) or ("\r" in text and "\r" in text.replace("\r\n", "")):
        return False  # characters libyaml refuses, or lone carriage returns (line breaks to YAML)
    if _OTHER_BREAKS.search(text):
        return False  # NEL, LS or PS: line breaks to YAML
    if "\t" in text and _TAB_INDENT.search(text):
        return False  # tabs in indentation: let the real parser report it
    return True


# What each byte is to libyaml on its own: 1 for a character it refuses (C0 controls but TAB, LF and
# CR; DEL), else 0. The other characters it refuses (C1 controls but NEL, U+FFFE, U+FFFF) are multi-byte
# sequences whose first bytes the check looks for, and surrogates cannot be encoded in strict UTF-8.
_REFUSED_BYTES = bytes(code < 0x80 and bool(_NOT_YAML_PRINTABLE.match(chr(code))) for code in range(256))


def _loadable_encoded(text: str, encoded: bytes) -> bool:
    """`_loadable(text)` given the UTF-8 bytes of `text`: the searches run at memchr speed."""
    if b"\xef" in encoded and b"\xef\xbf" in encoded:
        return _loadable(text)  # perhaps U+FFFE or U+FFFF: the text decides
    position = encoded.find(b"\xc2")  # the first byte of U+0080 to U+00BF (C1 controls, no-break space)
    for _ in range(100):
        if position < 0:
            break
        if encoded[position + 1] < 0xA0:
            return False  # a C1 control, or NEL (a line break)
        position = encoded.find(b"\xc2", position + 2)
    else:
        return _loadable(text)  # many: the text decides
    # Their last bytes first: one byte is looked for at memchr speed, three ~50 times slower.
    if (b"\xa8" in encoded or b"\xa9" in encoded) and (b"\xe2\x80\xa8" in encoded or b"\xe2\x80\xa9" in encoded):
        return False  # LS or PS: line breaks to YAML
    if b"\x01" in encoded.translate(_REFUSED_BYTES):
        return False  # a character libyaml refuses
    if b"\r" in encoded and "\r" in text.replace("\r\n", ""):
        return False  # lone carriage returns (line breaks to YAML)
    if b"\t" in encoded and _TAB_INDENT.search(text):
        return False  # tabs in indentation: let the real parser report it
    return True


def _load_lines(text: str, want: Want) -> Any:
    """`load` after its checks of the whole text, line by line."""
    lines = _lines(text)
    try:
        value, end = _block(lines, 0, 0, want)
    except (_Unsupported, IndexError, ValueError, RecursionError):
        return None
    if end != len(lines) or not isinstance(value, dict):
        return None
    return value


def _lines(text: str) -> list[tuple[int, str]]:
    return [(len(spaces), content.rstrip(" \r")) for spaces, content in _LINE.findall(text)]


# A projection reads the same documents as the line by line reader, and must give what it gives, but
# it looks at lines only where they matter: the top-level lines (found with one search), the blocks
# of wanted keys, and in a sequence of mappings (`related:`, most of a record) only the lines that
# start an item or hold a wanted key, once one regular expression has checked the shape of the
# whole sequence. Whatever does not have the expected shape raises _Unsupported, and the line by line
# reader reads the document again: it alone decides the unusual cases.

_TOP_LINE = re.compile(r"\n([^ \r\n#][^\n]*)")  # a line that starts at column 0 with content
_FIRST_LINE = re.compile(r"([^ \r\n#][^\n]*)")  # the same for the first line
_IGNORABLE = re.compile(r"(?: *+(?:[\r#][^\n]*+)?\n)*+")  # blank and comment lines (as _LINE skips them)
_SEQUENCE_START = re.compile(r"(?: *+(?:[\r#][^\n]*+)?\n)*+( *+)(- )?")
_STR = "tag:yaml.org,2002:str"
_MAX_FAST_INDENT = 16
_items_shape: dict[int, re.Pattern[str]] = {}
_items_wanted: dict[tuple[int, tuple[str, ...]], re.Pattern[str]] = {}


def _is_dash(content: str) -> bool:
    return content == "-" or content.startswith("- ")


def _dash_line(text: str, line: re.Match[str]) -> bool:
    """Whether a top-level line is a sequence item."""
    return text[line.start(1)] == "-" and _is_dash(line.group(1).rstrip(" \r"))


def _project(text: str, want: dict[str, Want]) -> dict[str, Any]:
    """`load(text, want)` for a document whose shape is the common one, else _Unsupported."""
    if not text.endswith("\n"):
        text += "\n"  # every line ends with a newline
    first = _FIRST_LINE.match(text)
    tops = [first] if first is not None else []
    tops += _TOP_LINE.finditer(text)
    if not tops or not _IGNORABLE.fullmatch(text, 0, tops[0].start(1)):
        raise _Unsupported  # nothing, or indented lines before the first key
    result: dict[str, Any] = {}
    count = len(tops)
    index = 0
    while index < count:
        line = tops[index]
        content = line.group(1).rstrip(" \r")
        block_start = line.end() + 1  # the lines under this one, up to the next top-level line
        index += 1
        block_end = tops[index].start(1) if index < count else len(text)
        match = _KEY.match(content)
        if match is None:
            raise _Unsupported
        key, rest = match.group(1), content[match.end() :]
        has_scalar = bool(rest) and not rest.startswith("#")
        if key not in want:
            if not has_scalar:  # its block is skipped, and so is a sequence at column 0 under it
                while index < count and _dash_line(text, tops[index]):
                    index += 1
            elif block_start != block_end and not _IGNORABLE.fullmatch(text, block_start, block_end):
                raise _Unsupported
            continue
        if _tag(key) != _STR:
            raise _Unsupported
        empty = block_start == block_end or _IGNORABLE.fullmatch(text, block_start, block_end) is not None
        if index < count and _dash_line(text, tops[index]):
            raise _Unsupported  # a sequence at column 0
        if has_scalar:
            if not empty:
                raise _Unsupported
            result[key] = _scalar(rest)
        elif empty:
            result[key] = None
        else:
            result[key] = _project_block(text, block_start, block_end, want[key])
    return result


def _project_block(text: str, start: int, end: int, want: Want) -> Any:
    """The block in text[start:end], whose lines are all indented."""
    if want is not None:
        first = _SEQUENCE_START.match(text, start, end)
        indent = len(first.group(1)) if first is not None else -1
        if first is not None and first.group(2) and indent <= _MAX_FAST_INDENT:
            return _project_items(text, start, end, indent, want)
    lines = _lines(text[start:end])
    value, stop = _block(lines, 0, lines[0][0], want)
    if stop != len(lines):
        raise _Unsupported
    return value


def _items_patterns(indent: int, want: dict[str, Want]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The shape of a sequence of mappings whose items start at `indent` ("- key: ...", then the other
    keys two columns deeper), and the lines of it that matter to `want`: item starts and wanted keys."""
    shape = _items_shape.get(indent)
    if shape is None:
        inner = indent + 2
        # Possessive quantifiers throughout: each line can be read one way only, so nothing is retried.
        ignorable = r"(?: *+(?:[\r#][^\n]*+)?\n)"
        entry = (
            r"[A-Za-z_][A-Za-z0-9_]*+:(?:"
            rf" ++[^ #\r\n][^\n]*+\n{ignorable}*+"  # a key and a scalar, or
            # a key without a scalar: what follows it is deeper, or a sequence at its own level (the
            # line by line reader skips such a block when the key is unwanted, and reads it when it is
            # wanted: a wanted key without a scalar sends the document there, see _project_items).
            rf"|(?: *+\r?| ++#[^\n]*+)\n"
            rf"(?:{ignorable}| {{{inner + 1},}}+[^ \r\n#][^\n]*+\n| {{{inner}}}-(?:[ \r][^\n]*+)?\n)*+)"
        )
        shape = _items_shape[indent] = re.compile(
            rf"{ignorable}*+(?: {{{indent}}}- {entry}(?: {{{inner}}}{entry})*+)++"
        )
    keys = tuple(want)
    wanted = _items_wanted.get((indent, keys))
    if wanted is None:
        if any(_tag(name) != _STR for name in keys):
            raise _Unsupported  # a wanted key that YAML does not read as a string
        names = "|".join(re.escape(name) for name in keys) or "(?!)"
        if len(_items_wanted) > 64:
            _items_wanted.clear()
        wanted = _items_wanted[(indent, keys)] = re.compile(
            rf"\n {{{indent}}}(?:(- )(?:({names}): *+([^\n]*+))?|  ({names}): *+([^\n]*+))"
        )
    return shape, wanted


def _project_items(text: str, start: int, end: int, indent: int, want: dict[str, Want]) -> list[Any]:
    shape, wanted = _items_patterns(indent, want)
    if shape.fullmatch(text, start, end) is None:
        raise _Unsupported
    items: list[dict[str, Any]] = []
    item: dict[str, Any] = {}
    for dash, key, rest, inner_key, inner_rest in wanted.findall(text, start - 1, end):
        if dash:
            item = {}
            items.append(item)
            if not key:
                continue
        else:
            key, rest = inner_key, inner_rest
        rest = rest.rstrip(" \r")
        if not rest or rest[0] == "#":
            raise _Unsupported  # a wanted key with a block under it
        if rest[0] == '"' and rest.find('"', 1) == len(rest) - 1 and "\\" not in rest:
            item[key] = rest[1:-1]  # as _scalar reads it
        else:
            item[key] = _scalar(rest)
    return items


def _block(lines: list[tuple[int, str]], start: int, indent: int, want: Want) -> tuple[Any, int]:
    """The mapping or sequence whose lines begin at `start` with exactly `indent` spaces."""
    if lines[start][0] != indent:
        raise _Unsupported
    if lines[start][1] == "-" or lines[start][1].startswith("- "):
        return _sequence(lines, start, indent, want)
    return _mapping(lines, start, indent, want)


def _nested(lines: list[tuple[int, str]], index: int, indent: int) -> bool:
    """Whether a block value starts at `index` under a key indented by `indent`."""
    return index < len(lines) and (
        lines[index][0] > indent
        or (lines[index][0] == indent and (lines[index][1] == "-" or lines[index][1].startswith("- ")))
    )


def _mapping(
    lines: list[tuple[int, str]], start: int, indent: int, want: Want, first: str | None = None
) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    index = start
    end = len(lines)
    while index < end:
        line_indent, content = lines[index]
        if first is not None:
            content, first = first, None
        elif line_indent != indent:
            if line_indent > indent:
                raise _Unsupported  # a continuation line or odd indentation
            break
        match = _KEY.match(content)
        if match is None:
            raise _Unsupported
        key, rest = match.group(1), content[match.end() :]
        index += 1
        has_scalar = bool(rest) and not rest.startswith("#")
        if want is not None and key not in want:
            # Skipped unread, whatever it is (even a key YAML reads as a boolean: it is not wanted).
            if not has_scalar:
                while index < end:  # the block under it: deeper lines, or a sequence at its level
                    line_indent, content = lines[index]
                    if line_indent < indent or (
                        line_indent == indent and not (content == "-" or content.startswith("- "))
                    ):
                        break
                    index += 1
            continue
        if _tag(key) != "tag:yaml.org,2002:str":
            raise _Unsupported  # "on:", "null:", "yes:" are not string keys in YAML 1.1
        sub = want[key] if want is not None else None
        if has_scalar:
            result[key] = _scalar(rest)
        elif _nested(lines, index, indent):
            result[key], index = _block(lines, index, lines[index][0], sub)
        else:
            result[key] = None
    return result, index


def _sequence(lines: list[tuple[int, str]], start: int, indent: int, want: Want) -> tuple[list[Any], int]:
    result: list[Any] = []
    index = start
    while index < len(lines):
        line_indent, content = lines[index]
        if line_indent != indent or not (content == "-" or content.startswith("- ")):
            if line_indent > indent:
                raise _Unsupported
            break
        rest = content[1:].lstrip(" ")
        index += 1
        if not rest or rest.startswith("#"):
            if index < len(lines) and lines[index][0] > indent:
                value, index = _block(lines, index, lines[index][0], want)
                result.append(value)
            else:
                result.append(None)
        elif _KEY.match(rest):
            # "- key: value" opens a mapping whose other keys sit under the first key.
            item_indent = indent + len(content) - len(rest)
            value, index = _mapping(lines, index - 1, item_indent, want, first=rest)
            result.append(value)
        else:
            result.append(_scalar(rest))
    return result, index


def _scalar(text: str) -> Any:
    if text[0] == '"':
        if text.find('"', 1) == len(text) - 1 and "\\" not in text:
            return text[1:-1]  # the common case: no escapes, nothing after the closing quote
        return _double_quoted(text)
    if text[0] in _PLAIN_START_FORBIDDEN and not (text[0] == "-" and len(text) > 1 and text[1] not in " "):
        raise _Unsupported
    value = text.split(" #", 1)[0].rstrip(" ")
    if ": " in value or value.endswith(":") or "\t" in value:
        raise _Unsupported
    if value in _NULLS:
        return None
    if len(value) == 20 and _UTC_TIMESTAMP.fullmatch(value):  # as PyYAML constructs it, at a fraction of the cost
        return datetime(
            int(value[:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]), int(value[14:16]),
            int(value[17:19]), tzinfo=timezone.utc,
        )
    tag = _tag(value)
    if tag == "tag:yaml.org,2002:str":
        return value
    if tag == "tag:yaml.org,2002:int" and _DECIMAL.match(value):
        return int(value)
    if tag == "tag:yaml.org,2002:bool":
        return _constructor.construct_yaml_bool(ScalarNode(tag, value))
    if tag == "tag:yaml.org,2002:timestamp":
        return _constructor.construct_yaml_timestamp(ScalarNode(tag, value))
    raise _Unsupported  # floats, octal, sexagesimal: rare here, and PyYAML knows them


def _double_quoted(text: str) -> str:
    out = []
    index = 1
    while True:
        end = text.find('"', index)
        slash = text.find("\\", index)
        if end < 0:
            raise _Unsupported  # the string goes on to the next line
        if 0 <= slash < end:
            out.append(text[index:slash])
            code = text[slash + 1]
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                index = slash + 2
            elif code in _HEX_ESCAPES:
                digits = text[slash + 2 : slash + 2 + _HEX_ESCAPES[code]]
                if len(digits) != _HEX_ESCAPES[code] or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise _Unsupported
                out.append(chr(int(digits, 16)))
                index = slash + 2 + len(digits)
            else:
                raise _Unsupported
            continue
        out.append(text[index:end])
        rest = text[end + 1 :].lstrip(" ")
        if rest and not rest.startswith("#"):
            raise _Unsupported
        value = "".join(out)
        if ("\\u" in text or "\\U" in text) and _NOT_YAML_PRINTABLE.search(value):
            raise _Unsupported  # escapes that libyaml treats differently (surrogates): let it decide
        return value
