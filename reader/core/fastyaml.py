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
# Characters libyaml refuses in a stream (it accepts TAB, LF, CR, NEL and the printable ranges).
_NOT_YAML_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

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


def load(text: str, want: Want = None) -> Any:
    """The document in `text` (only the `want`ed keys), or None when it is not in the supported
    subset or not a mapping."""
    if _NOT_YAML_PRINTABLE.search(text) or "\r" in text.replace("\r\n", ""):
        return None  # characters libyaml refuses, or lone carriage returns (line breaks to YAML)
    if _TAB_INDENT.search(text):
        return None  # tabs in indentation: let the real parser report it
    lines = [(len(spaces), content.rstrip(" \r")) for spaces, content in _LINE.findall(text)]
    try:
        value, end = _block(lines, 0, 0, want)
    except (_Unsupported, IndexError, ValueError, RecursionError):
        return None
    if end != len(lines) or not isinstance(value, dict):
        return None
    return value


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
        return _double_quoted(text)
    if text[0] in _PLAIN_START_FORBIDDEN and not (text[0] == "-" and len(text) > 1 and text[1] not in " "):
        raise _Unsupported
    value = text.split(" #", 1)[0].rstrip(" ")
    if ": " in value or value.endswith(":") or "\t" in value:
        raise _Unsupported
    if value in _NULLS:
        return None
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
