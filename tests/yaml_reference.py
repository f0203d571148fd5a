"""The reference the fast YAML reader's projections are checked against (tests/core/test_fastyaml*.py)."""

from __future__ import annotations

from typing import Any


def project(value: Any, want: Any) -> Any:
    """What a projection keeps of a full document: the reference for `fastyaml.load(text, want)`."""
    if want is None:
        return value
    if isinstance(value, dict):
        return {key: project(item, want[key]) for key, item in value.items() if key in want}
    if isinstance(value, list):
        return [project(item, want) for item in value]
    return value
