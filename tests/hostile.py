"""A folder of hostile record files: terminal escapes, bidi tricks, markup and odd widths in every field.

    folder = write_hostile_folder(tmp_path / "hostile")
    folder.records    # file names that must load as records
    folder.problems   # file names that must be reported as problems
    folder.urls       # file name -> the URL `o` would act on (as written in the file)

Control characters are written with YAML double-quoted escapes (`\\e`, `\\a`, `\\x9b`, `\\u202e` …), so
the front matter stays valid YAML and the parser, not the file, produces the raw characters. Bodies
(Markdown after the front matter, not YAML) carry the raw characters themselves. A few files put raw
control characters where libyaml refuses them: those must become problems.

`forbidden(text)` lists what must never reach a terminal from record text.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ESC = "\x1b"

# Each payload is what the parser will produce; `yaml_quote` writes it as YAML escapes.
PAYLOADS: dict[str, str] = {
    "csi": "\x1b[31mRED\x1b[2J\x1b[H",
    "osc0": "\x1b]0;PWNED\x07",
    "osc2": "\x1b]2;PWNED\x1b\\",
    "osc52": "\x1b]52;c;UFdORUQ=\x07",
    "dcs": "\x1bP+q544e\x1b\\",  # XTGETTCAP: a terminal would answer it on stdin
    "rename": "\x1bkPWNED\x1b\\",  # screen/tmux window name
    "c1": "\x9b31m\x9d0;PWNED\x07\x90q\x9c",
    "c0": "bell\x07 back\x08\x08 cr\rX",
    "bidi": "\u202aa\u202bb\u202cc\u202dd\u202ee\u2066f\u2067g\u2068h\u2069",
    "zero-width": "z\u200bw\u200dj\ufeffb",
    "markup": "[bold red]x[/] [@click=app.quit]click me[/] [link=https://evil]x[/link]",
    "wide": "漢字 🎉 e\u0301 עברית العربية",
}
ALL_PAYLOADS = " ".join(PAYLOADS.values())

LONG_TITLE_LENGTH = 10_000
LONG_TITLE = ("long " + "漢字🎉e\u0301x " * LONG_TITLE_LENGTH)[:LONG_TITLE_LENGTH]

# Characters that move the cursor, change the terminal, reorder text or hide it (not the zero-width
# joiner and non-joiner: emoji sequences and scripts need them).
BIDI_AND_INVISIBLE = frozenset(
    "\u00ad\u061c\u180e\u200b\u200e\u200f\u2028\u2029"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff"
)


def forbidden(text: str, *, allow: str = "") -> list[str]:
    """Every character of `text` that must not reach a terminal from record text (C0 except `allow`,
    DEL, C1, lone surrogates, bidi controls, zero-width characters, tag characters)."""
    return [
        c
        for c in text
        if c not in allow
        and (
            ord(c) < 0x20
            or 0x7F <= ord(c) <= 0x9F
            or 0xD800 <= ord(c) <= 0xDFFF
            or c in BIDI_AND_INVISIBLE
            or 0xE0000 <= ord(c) <= 0xE007F
        )
    ]


def yaml_quote(text: str) -> str:
    """`text` as a YAML double-quoted scalar: every control or format character as an escape."""
    named = {'"': '\\"', "\\": "\\\\", ESC: "\\e", "\x07": "\\a", "\x08": "\\b", "\r": "\\r", "\n": "\\n",
             "\t": "\\t"}
    out = []
    for char in text:
        code = ord(char)
        if char in named:
            out.append(named[char])
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif unicodedata.category(char) in ("Cf", "Zl", "Zp", "Cs"):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def record_text(
    payload: str,
    *,
    tag: str,
    url: str | None = None,
    related_url: str | None = None,
    date: str = "2021-01-01T00:00:00Z",
    body: str | None = None,
) -> str:
    """A record with `payload` in every shown field: title, excerpt, provider, topics, type, category,
    image URL, related story, URLs and the body."""
    q = yaml_quote
    url = url if url is not None else f"https://ok.example/{tag}/{payload}"
    related_url = related_url if related_url is not None else f"https://related.example/{tag}/{payload}"
    lines = [
        "---",
        f"title: {q(f'{tag} {payload} end')}",
        f"excerpt: {q(f'excerpt {payload} &#x1b;[31m &#x202e; &#x9b; end')}",
        f"publishedDateTime: {date}",
        f"originalUrl: {q(url)}",
        f"webUrl: {q(f'https://web.example/{payload}')}",
        f"type: {q(f'type {payload}')}",
        f"category: {q(f'category {payload}')}",
        "quality: 50",
        "heat: 50",
        "published: true",
        "provider:",
        f"  name: {q(f'provider {payload}')}",
        f"  domain: {q(f'{payload}.example')}",
        "topics:",
        f"  - {q(f'{tag} {payload}')}",
        f"  - {q(payload)}",
        "images:",
        f"  - url: {q(f'https://img.example/{payload}.jpg')}",
        "    width: 1",
        "    height: 1",
        f"featuredContent: {q(f'<iframe src={chr(34)}https://video.example/{payload}{chr(34)}></iframe>')}",
        "related:",
        f"  - title: {q(f'related {tag} {payload}')}",
        f"    excerpt: {q(f'related excerpt {payload}')}",
        f"    webUrl: {q(related_url)}",
        "    provider:",
        f"      name: {q(f'related provider {payload}')}",
        f"      domain: {q(f'{payload}.related.example')}",
        "---",
    ]
    if body is None:
        body = markdown_body(payload)
    return "\n".join(lines) + "\n" + body


def markdown_body(payload: str) -> str:
    """A Markdown body with the payload raw (not YAML, so any character may appear) in every kind of
    block, and links with hostile targets."""
    return (
        f"# Heading {payload}\n\n"
        f"Paragraph {payload} end.\n\n"
        f"- item {payload}\n\n"
        f"`code {payload}`\n\n"
        f"```\nfence {payload}\n```\n\n"
        f"> quote {payload}\n\n"
        f"| a | b |\n|---|---|\n| {payload.replace('|', '/')} | x |\n\n"
        "[a link](javascript:alert(1)) [another](https://ok.example/\x1b]2;PWNED\x07) "
        "<https://auto.example/x>\n"
    )


# HTML character references, which Markdown decodes into the characters they name after the reader
# has made the body safe: control, C1, bidi and zero-width characters.
CHAR_REFS_BODY = (
    "references: &#x1b;[31m &#27;]2;PWNED&#7; &#x9b;31m &#x9d; &#13;cr &#x202e;rtl &#x2066;iso "
    "&#x200b;zw &#xfeff;bom &#8238;dec end\n\n"
    "[link &#x202e;text](https://ok.example/&#x1b;) `code &#x202e; stays`\n"
)


PWNED_MARKER = "/tmp/pwned"
RELATED_QUERY = "?related"
"""What the related story of a URL record adds to the record's URL (see `write_hostile_folder`)."""


def url_cases(marker: str = PWNED_MARKER) -> dict[str, str]:
    """Records whose only purpose is a URL for `o` and `y`: file name -> URL as written in the file.
    The shell one would create `marker` if it ever reached a shell."""
    return {
        "url-javascript.md": "javascript:alert(1)",
        "url-file.md": "file:///etc/passwd",
        "url-data.md": "data:text/html,x",
        "url-leading-space.md": " https://leading-space",
        "url-shell.md": f"https://ok.example/$(touch${{IFS}}{marker})",  # no space: links with one are refused
        "url-newline.md": "https://ok.example/a\nb",
        "url-escape.md": "https://ok.example/\x1b]2;PWNED\x07",
        "url-c1.md": "https://ok.example/\x9b31m",
        "url-bidi.md": "https://ok.example/\u202egpj.exe",
    }


@dataclass
class HostileFolder:
    """What `write_hostile_folder` wrote."""

    path: Path
    records: list[str] = field(default_factory=list)
    """File names that must load as records."""
    problems: list[str] = field(default_factory=list)
    """File names that must become problems."""
    urls: dict[str, str] = field(default_factory=dict)
    """File name -> the URL `o` acts on, exactly as written in the file."""
    long_title: str = ""
    """The file name of the record with a 10,000-character title."""

    def file(self, name: str) -> str:
        return str(self.path / name)


def _write(folder: Path, name: str | bytes, content: str | bytes) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    target = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else os.fsencode(name))
    with open(target, "wb") as handle:
        handle.write(data)


def write_hostile_folder(
    folder: Path, *, char_refs: bool = True, undecodable_name: bool = False, marker: str = PWNED_MARKER
) -> HostileFolder:
    """Write the hostile records into `folder` (created) and say what each file should become.

    `char_refs`: include a record whose Markdown body holds HTML character references for control,
    bidi and zero-width characters. `undecodable_name`: include a record whose file name is not UTF-8
    (bytes 0xff 0xfe), which the file system allows. `marker`: the file `$(touch …)` in a URL names.
    """
    folder.mkdir(parents=True, exist_ok=True)
    result = HostileFolder(folder)

    def record(name: str | bytes, text: str) -> None:
        _write(folder, name, text)
        result.records.append(os.fsdecode(name))

    def problem(name: str, text: str | bytes) -> None:
        _write(folder, name, text)
        result.problems.append(name)

    # One record per kind of payload, then one with all of them at once.
    for day, (tag, payload) in enumerate(PAYLOADS.items(), start=1):
        record(f"payload-{tag}.md", record_text(payload, tag=tag, date=f"2021-02-{day:02d}T12:00:00Z"))
    record("payload-all.md", record_text(ALL_PAYLOADS, tag="all", date="2021-03-01T12:00:00Z"))

    # The 10,000-character title (wide, emoji and combining characters all the way).
    result.long_title = "long-title.md"
    record(
        result.long_title,
        f"---\ntitle: {yaml_quote(LONG_TITLE)}\npublishedDateTime: 2021-03-02T00:00:00Z\n"
        f"provider: {{name: {yaml_quote('漢字🎉' * 20)}}}\n---\n",
    )

    # Links for `o` and `y`: the record's own URL, and a related story with the same URL and a query
    # (one with the record's own URL is the record itself, which the story pane does not list).
    for day, (name, url) in enumerate(url_cases(marker).items(), start=1):
        related_url = url + RELATED_QUERY
        record(name, record_text("plain", tag=name.removesuffix(".md"), url=url, related_url=related_url,
                                 date=f"2020-06-{day:02d}T00:00:00Z", body=""))
        result.urls[name] = url

    # Raw (unescaped) characters. Bidi controls and zero-width spaces are allowed raw in YAML scalars.
    record("raw-bidi.md", "---\ntitle: raw \u202eevil\u2066 x\u200by\u2069\ntopics: [\u2067raw\u2069]\n"
           "publishedDateTime: 2020-05-01\n---\n")
    # ESC in a Markdown body is not YAML: the record loads, and the ESC must be neutralised.
    record("raw-esc-body.md", "---\ntitle: raw esc body\npublishedDateTime: 2020-05-02\n---\n"
           "body \x1b]2;PWNED\x07 \x1b[2J \x9b31m \u202eend\r\nline\x08\x08two\n")
    # Raw NEL and LINE SEPARATOR are YAML line breaks (folded to spaces in a quoted title); a literal
    # block scalar keeps its own line breaks and backslashes.
    record("block-scalar.md", "---\ntitle: \"block\u0085scalar\u2028title\"\nexcerpt: |\n"
           "  line one \\e is no escape here\n  line two\npublishedDateTime: 2020-05-03\n---\n")
    # libyaml refuses raw control characters in the YAML itself: each file is a problem.
    problem("raw-esc-block-scalar.md", "---\ntitle: raw\nexcerpt: |\n  before \x1b]2;PWNED\x07 after\n---\n")
    problem("raw-esc-plain.md", "---\ntitle: raw \x1b[31mred\n---\n")
    problem("raw-c1-quoted.md", '---\ntitle: "raw \x9b31m c1"\n---\n')
    problem("raw-bel-topic.md", "---\ntitle: ok\ntopics: [a\x07b]\n---\n")

    # Hostile file names: shown as the title fallback and on the problems screen.
    record("name-\x1b]2;PWNED\x07-\u202eevil-[@click=app.quit]x.md", "---\nexcerpt: no title\n---\n")
    problem("bad-\x1b]0;PWNED\x07-\x1b[2J-\u202e-[bold]b.md", "---\ntitle: [unclosed\n---\n")

    if char_refs:
        record("body-char-refs.md", "---\ntitle: body char refs\npublishedDateTime: 2020-05-04\n---\n"
               + CHAR_REFS_BODY)
    if undecodable_name:
        record(b"undecodable-\xff\xfe.md", "---\ntitle: undecodable file name\n---\n")
    return result


# Pieces of hostile front matter: delimiters, YAML syntax, tags, escapes, controls and field names, which
# property tests join at random (the hostile-input tests, and benchmarks/hostile_bench.py).
FRAGMENTS = [
    "---", "...", "\n", "\r\n", ":", ": ", " ", "  ", "\t", "-", "- ", "[", "]", "{", "}", ",", "?", "|", ">",
    "#", "&a", "*a", "&b ", "*b", "<<", "<<: *a", "!!python/object", "!!python/object/apply:os.system",
    "!!binary", "!!str", "!!map", "!!set", "!", "%YAML 1.1", "%TAG", '"', "'", "\\", "\\e", "\\x9b",
    "\\u202e", "\\", "\x1b", "\x07", "\x85", "\u2028", "\u202e", "\ufeff", "&#x1b;", "&#x202e;", "&amp;",
    "title", "excerpt", "topics", "related", "provider", "name", "originalUrl", "webUrl", "images", "url",
    "publishedDateTime", "quality", "heat", "published", "secured", "featuredContent", "2021-13-45",
    "2021-01-01T00:00:00Z", "9" * 25, "-.inf", ".nan", "~", "null", "true", "yes", "0x1F", "0o17",
    "javascript:alert(1)", "https://x.example/", "<iframe src=\"", "漢字", "🎉", "e\u0301", "עברית",
]
