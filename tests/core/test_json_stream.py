"""Reading a large JSON object a piece at a time (reader.core.json_stream), at every chunk size: what
it reads is what `json.loads` reads, and what is not JSON is a one-line error."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from reader.core import json_stream
from reader.core.json_stream import JSONStream, JSONStreamError

DOCUMENTS = [
    "{}",
    " { } ",
    '{"a": 1}',
    '{"a": [], "b": [ ], "c": {}}',
    '{"list": [1, 22, 333, -4.5e3, true, false, null, "x"], "n": 1234567890123}',
    '\n{\t"é": "✓ü", "list" : [ {"id": "a\\"b", "t": 1.5} , {"id": "c"} ] ,"z":null}\r\n',
    '{"deep": {"a": [1, [2, [3]]]}, "tail": 12345678901234567890}',
    '{"a":1,"b":[1,2,3],"c":["x","y"],"d":[]}',
]


def read_all(stream: JSONStream, limit: int = 1000) -> dict[str, Any]:
    """Every member of the object, each list read an entry at a time."""
    got: dict[str, Any] = {}
    for key in stream.members(limit):
        got[key] = list(stream.entries(limit)) if stream.peek() == "[" else stream.value(limit)
    return got


def stream_of(text: str | bytes) -> JSONStream:
    return JSONStream(io.BytesIO(text.encode("utf-8") if isinstance(text, str) else text))


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 1024 * 1024])
@pytest.mark.parametrize("text", DOCUMENTS)
def test_what_is_read_is_what_json_loads_reads_at_every_chunk_size(
    monkeypatch: pytest.MonkeyPatch, chunk: int, text: str
) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", chunk)
    assert read_all(stream_of(text)) == json.loads(text)


@pytest.mark.parametrize("chunk", [1, 4, 1024 * 1024])
def test_a_byte_order_mark_is_skipped_at_the_start_only(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", chunk)
    assert read_all(stream_of(b'\xef\xbb\xbf{"a": "\xc3\xa9"}')) == {"a": "é"}
    assert read_all(stream_of(b'\xef\xbb\xbf{"a": "\xef\xbb\xbfb"}')) == {"a": "\ufeffb"}


def test_a_number_cut_by_the_chunk_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", 8)
    stream = stream_of('{"n": [123456, 7890123456789, true]}')
    assert read_all(stream) == {"n": [123456, 7890123456789, True]}


def test_the_text_held_is_about_one_chunk_and_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", 10)
    entries = [{"id": "x" * 20, "n": n} for n in range(200)]
    stream = stream_of(json.dumps({"list": entries}))
    assert read_all(stream) == {"list": entries}
    assert 10 <= stream.largest <= 10 + len(json.dumps(entries[0])) + 2
    numbers = list(range(1000, 3000))
    stream = stream_of(json.dumps({"list": numbers, "t": 1.5}))
    assert read_all(stream) == {"list": numbers, "t": 1.5}
    assert 10 <= stream.largest <= 10 + 6


def test_an_empty_file_holds_nothing() -> None:
    stream = stream_of("")
    with pytest.raises(JSONStreamError):
        read_all(stream)
    assert stream.largest == 0


def test_peek_gives_the_next_character_that_is_not_white_space() -> None:
    stream = stream_of(' \n\t\r {"a" : 1 } \n ')
    assert stream.peek() == "{"
    stream.take("{", "an object")
    assert stream.peek() == '"' and stream.value(10) == "a"
    stream.take(":", '":"')
    assert stream.value(10) == 1
    stream.take("}", "the end")
    assert stream.peek() == ""


@pytest.mark.parametrize("text, message", [
    ("", 'not JSON (expected an object, found the end of the file)'),
    ("[1]", "not JSON (expected an object, found '[')"),
    ('{"a": 1', 'not JSON (expected "," or "}", found the end of the file)'),
    ('{"a": 1 "b": 2}', "not JSON (expected \",\" or \"}\", found '\"')"),
    ('{"a" 1}', "not JSON (expected \":\", found '1')"),
    ("{a: 1}", "not JSON (expected a key, found 'a')"),
    ('{"a": [1, 2', 'not JSON (expected "," or "]", found the end of the file)'),
    ('{"a": [1 2]}', "not JSON (expected \",\" or \"]\", found '2')"),
    ('{"a": tru}', "not JSON (Expecting value)"),
    ('{"a": 1} x', "not JSON (more after the end of the object)"),
    ('{"a": 1}{}', "not JSON (more after the end of the object)"),
    ("{}x", "not JSON (more after the end of the object)"),
    ('{"a": []x}', "not JSON (expected \",\" or \"}\", found 'x')"),
    ('{"a": "abc', "not JSON (Unterminated string starting at)"),
    ('{"a": "x\ny"}', "not JSON (Invalid control character at)"),
])
@pytest.mark.parametrize("chunk", [1, 3, 1024 * 1024])
def test_what_is_not_json_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, chunk: int, text: str, message: str
) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", chunk)
    with pytest.raises(JSONStreamError) as raised:
        read_all(stream_of(text))
    assert str(raised.value) == message
    assert "\n" not in str(raised.value)


def test_a_list_as_the_value_must_be_a_list() -> None:
    stream = stream_of('{"a": 1}')
    keys = stream.members(100)
    assert next(keys) == "a"
    with pytest.raises(JSONStreamError, match=r"^not JSON \(expected a list, found '1'\)$"):
        list(stream.entries(100))


def test_nesting_too_deep_is_an_error_not_a_crash() -> None:
    text = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(JSONStreamError, match=r"^not JSON \(nested too deeply\)$"):
        read_all(stream_of(text))


def test_an_integer_too_long_to_convert_is_not_json() -> None:
    with pytest.raises(JSONStreamError, match=r"^not JSON \(Exceeds the limit"):
        read_all(stream_of('{"a": ' + "9" * 5000 + "}"), limit=10_000)


@pytest.mark.parametrize("chunk", [1, 7, 1024 * 1024])
def test_text_that_is_not_utf8_says_at_which_byte(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", chunk)
    with pytest.raises(JSONStreamError, match=r"^not UTF-8 text \(byte 10\)$"):
        read_all(stream_of(b'{"abc": "d\xff"}'))
    with pytest.raises(JSONStreamError, match=r"^not UTF-8 text \(byte 0\)$"):
        read_all(stream_of(b"\xff{}"))
    # A character cut by the chunk is placed where it starts, and a byte order mark counts.
    with pytest.raises(JSONStreamError, match=r"^not UTF-8 text \(byte 7\)$"):
        read_all(stream_of(b'{"a": "\xe2\x82("}'))
    with pytest.raises(JSONStreamError, match=r"^not UTF-8 text \(byte 10\)$"):
        read_all(stream_of(b'\xef\xbb\xbf{"a": "\xe2\x82("}'))
    with pytest.raises(JSONStreamError, match=r"^not UTF-8 text \(byte 7\)$"):
        read_all(stream_of(b'{"a": "\xe2\x82'))


@pytest.mark.parametrize("chunk", [1, 4, 1024 * 1024])
def test_an_entry_up_to_the_limit_is_read_and_a_longer_one_refused(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", chunk)
    ten = '"' + "x" * 8 + '"'  # 10 characters
    assert read_all(stream_of('{"a": [' + ten + ", 123456789]}"), limit=10) == {"a": ["x" * 8, 123456789]}
    for long in ('"' + "x" * 9 + '"', "12345678901", '{"k": 123456}', '"' + "x" * 50):
        with pytest.raises(JSONStreamError, match=r"^an entry is longer than 10 characters$"):
            read_all(stream_of('{"a": [' + long + "]}"), limit=10)
    with pytest.raises(JSONStreamError, match=r"^an entry is longer than 1,000 characters$"):
        read_all(stream_of('{"a": "' + "x" * 2000 + '"}'), limit=1000)


def value_of_a(text: str, limit: int) -> Any:
    stream = stream_of(text)
    assert next(stream.members(limit)) == "a"
    return stream.value(limit)


@pytest.mark.parametrize("chunk", [1, 1024 * 1024])
def test_a_value_that_is_fine_up_to_the_limit_and_goes_on_is_too_long(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", chunk)
    # The first 10 characters, "[1, 2, 3, ", are a list going on; what follows is past the limit.
    with pytest.raises(JSONStreamError, match=r"^an entry is longer than 10 characters$"):
        value_of_a('{"a": [1, 2, 3, x, 5]}', limit=10)
    # Here the mistake is within the first 10 characters.
    with pytest.raises(JSONStreamError, match=r"^not JSON \(Expecting value\)$"):
        value_of_a('{"a": [1, 2, x, 4, 5]}', limit=10)
    # An unterminated string that ends with the file, within the limit, is not JSON: exactly at it too.
    with pytest.raises(JSONStreamError, match=r"^not JSON \(Unterminated string starting at\)$"):
        value_of_a('{"a": "abc', limit=4)
    with pytest.raises(JSONStreamError, match=r"^an entry is longer than 3 characters$"):
        value_of_a('{"a": "abc', limit=3)


@pytest.mark.parametrize("chunk", [1, 1024 * 1024])
def test_an_error_inside_a_long_value_within_the_limit_is_not_json(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", chunk)
    with pytest.raises(JSONStreamError, match=r"^not JSON \(Expecting ',' delimiter\)$"):
        read_all(stream_of('{"a": {"k": 1 2, "x": "' + "x" * 50 + '"}}'), limit=20)
    with pytest.raises(JSONStreamError, match=r"^not JSON \(Expecting ',' delimiter\)$"):
        read_all(stream_of('{"a": {"k": 1 2}}'), limit=20)


def test_a_float_cut_by_the_chunk_after_its_point_or_exponent_is_read_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A number that is a member's value or a list's entry, cut by the chunk after its point or its
    exponent's "e", is read whole (it was read as 1700000000, and then ".25" was not JSON)."""
    text = '{"t": 1700000000.25, "list": [2e-3, 3E+2, -0.5, 7], "z": 1.0}'
    for chunk in range(1, len(text) + 1):
        monkeypatch.setattr(json_stream, "CHUNK_BYTES", chunk)
        assert read_all(stream_of(text)) == json.loads(text), chunk
