"""Choosing, vetting and comparing story URLs, with the standard library only."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

OPENABLE_SCHEMES = ("http", "https")


@dataclass(frozen=True, slots=True)
class Urls:
    """Every URL a story may carry; empty strings where a field is absent."""

    original: str = ""
    web: str = ""
    amp: str = ""
    cdn_amp: str = ""
    video: str = ""

    def all(self) -> list[tuple[str, str]]:
        """(label, url) for each URL present, in the order they are preferred."""
        named = [
            ("original", self.original),
            ("web", self.web),
            ("amp", self.amp),
            ("amp cache", self.cdn_amp),
            ("video", self.video),
        ]
        return [(label, url) for label, url in named if url]


_SHOWN_MAX = 80
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_DEFAULT_PORTS = {"http": (80,), "https": (443,), "": (80, 443)}
_HOST_PREFIXES = ("www.", "amp.", "m.")
_WRAPPED = r"(s/)?(?P<inner>[^/]*\.[^/]*(/.*)?)"  # the wrapped host must contain a dot
_AMP_CACHE = re.compile(r"/[cv]/" + _WRAPPED, re.DOTALL)
_GOOGLE_HOST = re.compile(r"(www\.)?google\.[a-z]{2,3}(\.[a-z]{2})?")
_GOOGLE_AMP = re.compile(r"/amp/" + _WRAPPED, re.DOTALL)
_AMP_PARAMS = frozenset({"amp", "amp_js_v", "amp_gsa", "usqp"})
_TITLE_FOLDS = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)


def choose_url(urls: Urls) -> str:
    """The URL to open: original, else web, else AMP, else video (some videos have no other link), else ""."""
    return urls.original or urls.web or urls.amp or urls.video or ""


def _is_control(char: str) -> bool:
    """Whether `char` is an ASCII control (C0 or DEL) or a C1 control."""
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F


def _shown(url: str) -> str:
    """The URL made safe for a one-line message: controls and format characters as '?', at most ~80 chars."""
    safe = "".join(
        "?" if _is_control(c) or unicodedata.category(c) in ("Cf", "Zl", "Zp") else c for c in url
    )
    return safe if len(safe) <= _SHOWN_MAX else safe[: _SHOWN_MAX - 1] + "\u2026"


# A URL of this plain shape passes every check of `_checked_refusal` (printable ASCII without spaces, an
# http(s) scheme, a host of letters, digits, dots and dashes, no port): most URLs, vetted by one match.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#][!-~]*)?")


def refusal(url: str) -> str | None:
    """None when `url` may be opened or copied, else a short one-line reason to show the user."""
    if _PLAIN_URL.fullmatch(url):
        return None
    return _checked_refusal(url)


def _checked_refusal(url: str) -> str | None:
    """`refusal` by every check, one by one."""
    if not url.strip():
        return "this story has no link"

    def refuse(why: str) -> str:
        return f'refusing to open "{_shown(url)}": {why}'

    if any(_is_control(c) for c in url):
        return refuse("it contains control characters")
    if any(unicodedata.category(c) == "Cf" for c in url):
        return refuse("it contains invisible or direction-changing characters")
    if url[0].isspace():
        return refuse("it starts with a space")
    match = _SCHEME.match(url)
    if match is None or match.group(1).casefold() not in OPENABLE_SCHEMES:
        return refuse("only http and https links are opened")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return refuse("it is not a valid link")
    if not (parts.hostname or "").strip():
        return refuse("it has no host")
    return None


def _unwrap_amp_cache(host: str, path: str) -> str | None:
    """The wrapped 'host/path' of an AMP cache or Google AMP viewer URL, or None if it is not one."""
    if host == "cdn.ampproject.org" or host.endswith(".cdn.ampproject.org"):
        match = _AMP_CACHE.fullmatch(path)
    elif _GOOGLE_HOST.fullmatch(host):
        match = _GOOGLE_AMP.fullmatch(path)
    else:
        return None
    return match.group("inner") if match else None


_ascii_hosts: dict[str, str] = {}  # providers' hosts recur across records: clean each once


def _clean_ascii_host(host: str) -> str:
    """_clean_host for a casefolded ASCII host."""
    clean = _ascii_hosts.get(host)
    if clean is None:
        if len(_ascii_hosts) > 20_000:
            _ascii_hosts.clear()
        clean = _ascii_hosts[host] = _clean_host(host)
    return clean


def _clean_host(host: str) -> str:
    """Casefold, IDNA-encode where possible, drop a trailing dot and a www./amp./m. prefix."""
    host = host.casefold().rstrip(".") or host.casefold()
    if not host.isascii():  # the idna codec is slow; most hosts need no encoding
        try:
            host = host.encode("idna").decode("ascii")
        except (UnicodeError, ValueError):
            pass
    stripped = True
    while stripped:
        stripped = False
        for prefix in _HOST_PREFIXES:
            if host.startswith(prefix) and "." in host[len(prefix) :]:
                host = host[len(prefix) :]
                stripped = True
    return host


def _clean_path(path: str) -> str:
    """Drop 'amp' / '.amp' segments, trailing slashes and a '.amp' (or '.amp.html' to '.html') suffix."""
    segments = [s for s in path.split("/") if s.casefold() not in ("amp", ".amp")]
    path = "/".join(segments).rstrip("/")
    head, _, last = path.rpartition("/")
    folded = last.casefold()
    if folded.endswith(".amp.html") and len(last) > len(".amp.html"):
        last = last[: -len(".amp.html")] + last[-len(".html") :]
    elif folded.endswith(".amp") and len(last) > len(".amp"):
        last = last[: -len(".amp")]
    return f"{head}/{last}" if head or path.startswith("/") else last


def _clean_query(query: str) -> str:
    """Drop AMP parameters and sort the rest, leaving their encoding as it was."""
    kept = []
    for item in query.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        key = unquote(key).casefold()
        if key in _AMP_PARAMS or (key == "outputtype" and unquote(value).casefold() == "amp"):
            continue
        kept.append(item)
    return "&".join(sorted(kept))


# A plain web URL (no user, port, query or AMP cache host) is the common case; it skips urlsplit. Only
# ASCII URLs take this path, so the path's characters are spelt out in ASCII ([^?#\s], faster).
_PATH_CHARS = "".join(re.escape(chr(code)) for code in range(128) if chr(code) not in "?#" and not chr(code).isspace())
_SIMPLE_URL = re.compile(rf"(?:[Hh][Tt][Tt][Pp][Ss]?:)?//([A-Za-z0-9.-]++)(/[{_PATH_CHARS}]*+)?(?:#.*)?", re.S)


@lru_cache(maxsize=65_536)  # related stories recur across the records of a cluster
def normalise_url(url: str) -> str:
    """A key equal for URLs of one story (scheme, www./amp./m., AMP forms ignored); "" if not a web URL."""
    match = _SIMPLE_URL.fullmatch(url.strip()) if url.isascii() else None
    if match is not None:
        host, path = match.groups()
        host = host.casefold()
        if (
            not host.endswith("ampproject.org")
            and not ("google." in host and _GOOGLE_HOST.fullmatch(host))
            and host.strip(".")
        ):
            if path is None:
                path = ""
            elif "amp" in path.lower():
                path = _clean_path(path)
            else:  # what _clean_path leaves of a path without any "amp" in it
                path = path.rstrip("/")
            return _clean_ascii_host(host) + path
    return _normalise_parsed(url)


def _normalise_parsed(url: str) -> str:
    """normalise_url for any URL, through urlsplit."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.casefold() not in ("", *OPENABLE_SCHEMES) or not parts.hostname:
        return ""
    for _ in range(4):
        inner = _unwrap_amp_cache(parts.hostname.casefold(), parts.path)
        if inner is None:
            break
        try:  # a wrapped URL that does not parse leaves the cache URL as the key
            query = f"?{parts.query}" if parts.query else ""
            unwrapped = urlsplit(f"//{inner}{query}")
            unwrapped_port = unwrapped.port
        except ValueError:
            break
        if not unwrapped.hostname:
            break
        parts, port = unwrapped, unwrapped_port
    host = _clean_host(parts.hostname)
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port not in _DEFAULT_PORTS.get(parts.scheme.casefold(), ()):
        host = f"{host}:{port}"
    query = _clean_query(parts.query)
    return f"{host}{_clean_path(parts.path)}" + (f"?{query}" if query else "")


# What normalise_title does to each ASCII character: drop apostrophes, punctuation and controls to spaces.
_ASCII_TITLE_FOLDS = {
    code: (None if chr(code) == "'" else " ")
    for code in range(128)
    if unicodedata.category(chr(code))[0] == "P" or unicodedata.category(chr(code)) == "Cc"
}


# The same for ASCII text as a bytes table, which translates without a lookup a character.
_ASCII_TITLE_BYTES = bytes(
    ord(" ") if fold == " " else code for code, fold in ((c, _ASCII_TITLE_FOLDS.get(c, c)) for c in range(256))
)


class _CharFolds(dict[int, "int | str | None"]):
    """What normalise_title does to any character after NFKC, found the first time the character is
    met: the _TITLE_FOLDS quotes and dashes, then apostrophes and format characters dropped, and
    punctuation, controls and line separators made spaces."""

    def __missing__(self, code: int) -> int | str | None:
        char = _TITLE_FOLDS.get(code) or chr(code)
        category = unicodedata.category(char)
        if char == "'" or category == "Cf":
            fold: int | str | None = None
        elif category[0] == "P" or category in ("Cc", "Zl", "Zp"):
            fold = " "
        else:
            fold = char
        if len(self) > 100_000:
            self.clear()
        self[code] = fold
        return fold


_CHAR_FOLDS = _CharFolds()


def normalise_title(title: str) -> str:
    """A key equal for titles that differ only in case, width, quotes, dashes, punctuation or spacing.

    (Not cached: the titles of related stories rarely recur, so a cache cost more than it saved.)"""
    text = title.casefold()
    if text.isascii():  # the common case
        return b" ".join(text.encode("ascii").translate(_ASCII_TITLE_BYTES, b"'").split()).decode("ascii")
    # ASCII characters by the bytes table (UTF-8 leaves them single bytes and maps nothing else onto
    # them), then each other character by _CHAR_FOLDS: a title has few of them.
    text = unicodedata.normalize("NFKC", text).encode("utf-8", "surrogatepass")
    text = text.translate(_UNICODE_TITLE_BYTES, _UNICODE_TITLE_DELETE).decode("utf-8", "surrogatepass")
    return " ".join(_NOT_ASCII.sub(_fold_char, text).split())


# normalise_titles folds ASCII titles as one text, with the table above except that the line breaks
# between them become a byte that is not whitespace (nor ASCII, so no title has it).
_ASCII_TITLE_LINES = _ASCII_TITLE_BYTES[: ord("\n")] + b"\x80" + _ASCII_TITLE_BYTES[ord("\n") + 1 :]


def normalise_titles(titles: list[str]) -> list[str]:
    """`[normalise_title(title) for title in titles]`, a list at a time: when they fold to ASCII and hold
    no line break (the common case), they are folded together as one text."""
    text = "\n".join(titles).casefold()  # casefold maps each character alone, so lines stay titles
    if len(titles) < 2 or not text.isascii() or text.count("\n") != len(titles) - 1:
        return [normalise_title(title) for title in titles]
    # The table makes every other byte that bytes.split() splits at a space: runs of spaces become one,
    # which is then taken from either side of each title's end.
    folded = _SPACE_RUNS.sub(b" ", text.encode("ascii").translate(_ASCII_TITLE_LINES, b"'"))
    folded = folded.replace(b" \x80", b"\x80").replace(b"\x80 ", b"\x80").strip(b" ")
    return folded.decode("latin-1").split("\x80")


_SPACE_RUNS = re.compile(b"  +")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
# What _CHAR_FOLDS does to ASCII characters (it drops the backtick, which _TITLE_FOLDS makes a quote,
# where the ASCII-only path keeps it), as a bytes table and the bytes to delete.
_UNICODE_TITLE_BYTES = bytes(
    ord(fold) if code < 128 and isinstance(fold, str) else code
    for code, fold in ((code, _CHAR_FOLDS[code]) for code in range(256))
)  # bytes from 128 up are parts of other characters: left alone
_UNICODE_TITLE_DELETE = bytes(code for code in range(128) if _CHAR_FOLDS[code] is None)


def _fold_char(match: re.Match[str]) -> str:
    return _CHAR_FOLDS[ord(match.group())] or ""


def story_keys(urls: Urls) -> list[str]:
    """The distinct non-empty `normalise_url` keys of a story's original, web, AMP and AMP cache URLs."""
    keys: list[str] = []
    for url in (urls.original, urls.web, urls.amp, urls.cdn_amp):
        key = normalise_url(url)
        if key and key not in keys:
            keys.append(key)
    return keys


# What may stay as it is in a URL given to a browser command: the characters valid in a URL less those
# a shell treats specially inside quotes (' " ` $ \) and < > { } | ^, which are not valid anyway.
_COMMAND_KEEP = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!&()*+,;="
)
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def command_url(url: str) -> str:
    """`url` as it may be put into a configured browser command: every character that is not valid in
    a URL or that a shell treats specially inside quotes (`'`, `"`, `` ` ``, `$`, `\\`, white space,
    `<`, `>`, `{`, `}`, `|`, `^`, control and non-ASCII characters) percent-encoded as UTF-8, and a `%`
    that does not start an escape too, so that `sh -c "echo '{url}'"` cannot be broken out of.
    Browsers read the encoded form as the same link (Newsboat does the same for `'`)."""
    if all(char in _COMMAND_KEEP for char in url):
        return url
    out = []
    for at, char in enumerate(url):
        if char in _COMMAND_KEEP or (char == "%" and _ESCAPE.match(url, at)):
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    return "".join(out)


def open_refusal(url: str) -> str | None:
    """`refusal`, and also a link with white space in it (a space or a no-break space: what follows
    would reach a browser or a command as more than the link) or with a user name before its host
    (`https://google.com@evil.example/` goes to evil.example): None when `url` may be opened."""
    if (reason := refusal(url)) is not None:
        return reason
    if _PLAIN_URL.fullmatch(url) and "@" not in url:
        return None
    if any(char.isspace() for char in url):
        return f'refusing to open "{_shown(url)}": it contains spaces'
    parts = urlsplit(url)
    if "@" in parts.netloc:
        host = _shown(parts.hostname or "")
        return f'refusing to open "{_shown(url)}": its host is {host}, not what comes before "@"'
    return None
