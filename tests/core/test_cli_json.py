"""`reader --list --format json` writes valid UTF-8 JSON, with a way back to a file name that is not
UTF-8 (issue 12)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.corpus import write_library

REPO = Path(__file__).resolve().parents[2]


def test_a_file_name_that_is_not_utf8_is_valid_json_and_recoverable(tmp_path: Path) -> None:
    library = write_library(tmp_path / "library")
    odd = os.fsencode(library) + b"/caf\xe9 \xff.md"
    with open(os.fsencode(library / "old.md"), "rb") as source, open(odd, "wb") as target:
        target.write(source.read().replace(b"An older robotics story", b"A story in an odd file"))
    done = subprocess.run([sys.executable, "-m", "reader", "--list", "--format", "json", "--filter", "odd",
                           str(library)], capture_output=True, cwd=REPO, timeout=120, check=True)
    line = done.stdout.decode("utf-8", "strict")  # valid UTF-8
    assert "\\ud" not in line  # and no lone surrogates written as escapes
    record = json.loads(line)
    assert record["title"] == "A story in an odd file"
    assert record["path"] == str(library) + "/caf\ufffd \ufffd.md"
    assert base64.b64decode(record["pathBytes"]) == odd
    with open(base64.b64decode(record["pathBytes"]), "rb") as file:  # the way back to the file
        assert b"A story in an odd file" in file.read()
    plain = subprocess.run([sys.executable, "-m", "reader", "--list", "--format", "json", "--filter", "older",
                            str(library)], capture_output=True, text=True, cwd=REPO, timeout=120, check=True)
    assert "pathBytes" not in json.loads(plain.stdout)  # only when the name needs it
