"""Display-safe text: record text is data, and nothing in it may act on the terminal.

Every string that comes from a record passes through `safe_text` before it is stored or shown:
control characters become visible symbols (ESC shows as ``␛``), C1 controls and lone surrogates
become ``�``, and bidirectional overrides, isolates and invisible characters are removed, so text
can neither emit escape sequences nor reorder or hide what is on screen.

What writing needs is kept: the zero-width joiner (U+200D) and non-joiner (U+200C) that join
emoji sequences (👩‍💻) and shape Indic and Persian words, variation selectors (❤️), and the tags
of a subdivision flag (🏴 + a short lowercase code + the cancel tag, as in the flag of Scotland);
tag characters anywhere else are removed (they hide text).
"""

from __future__ import annotations

import re

_ELLIPSIS = "…"

# Characters that are never shown as they are.
_UNSAFE = re.compile(
    "["
    "\x00-\x1f\x7f"  # C0 controls and DEL (newline and tab are handled before this runs)
    "\x80-\x9f"  # C1 controls, including CSI (0x9b), OSC (0x9d) and DCS (0x90)
    "\u00ad\u061c\u180e"  # soft hyphen, Arabic letter mark, Mongolian vowel separator
    "\u200b\u200e\u200f"  # zero-width space, LRM, RLM (not the joiners between: emoji and scripts need them)
    "\u2028\u2029"  # line and paragraph separators
    "\u202a-\u202e"  # bidirectional embeddings and overrides
    "\u2060-\u206f"  # word joiner, invisible operators, bidirectional isolates
    "\ufeff\ufff9-\ufffb"  # byte order mark, interlinear annotations
    "\ud800-\udfff"  # lone surrogates (from YAML escapes); they cannot be encoded for the terminal
    "\U000e0000-\U000e007f"  # tag characters
    "]"
)


_FLAG = "\U0001f3f4"  # 🏴, which a subdivision flag's tag characters follow
# A subdivision flag (🏴 gbsct ␡ is Scotland's): kept whole. Any other tag character is unsafe.
_UNSAFE_OR_FLAG = re.compile(
    f"(?P<flag>{_FLAG}[\U000e0030-\U000e0039\U000e0061-\U000e007a]{{2,7}}\U000e007f)|{_UNSAFE.pattern}"
)


def _replacement(match: re.Match[str]) -> str:
    char = match.group()
    if len(char) > 1:  # a subdivision flag (see _UNSAFE_OR_FLAG)
        return char
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ … ␟, ␛ for ESC
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0x80 <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if char in "\u2028\u2029":
        return " "
    return ""


def safe_text(text: str, *, multiline: bool = False, limit: int | None = None) -> str:
    """Return `text` with every character that could act on a terminal neutralised.

    With `multiline`, newlines are kept (carriage returns dropped) and tabs become spaces; otherwise
    all line breaks and tabs become single spaces. Text longer than `limit` is cut with an ellipsis
    (to nothing for a limit of 0).
    """
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    else:
        text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + _ELLIPSIS if limit > 0 else ""  # never longer than the limit
    if text.isascii() and text.isprintable():
        return text
    unsafe = _UNSAFE_OR_FLAG if _FLAG in text else _UNSAFE
    if multiline:
        return "\n".join(unsafe.sub(_replacement, line) for line in text.split("\n"))
    return unsafe.sub(_replacement, text)


def one_line(text: str, limit: int | None = None) -> str:
    """Collapse runs of white space to single spaces, for lists and headers."""
    return " ".join(safe_text(text, limit=limit).split())


def without_unsafe(text: str) -> str:
    """`text` with every character `safe_text` would neutralise removed, for typed or pasted input."""
    text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    if _FLAG in text:
        return _UNSAFE_OR_FLAG.sub(lambda match: match.group("flag") or "", text)
    return _UNSAFE.sub("", text)
