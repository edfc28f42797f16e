"""Labelled lines read from a JSONL file into typed records; a line that cannot be scored becomes an error.

One reader for every kind, so the CLI, `nox -s quality` and the tests accept exactly the same files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Kind = Literal["fallacies", "claims", "checkworthy"]
KINDS: tuple[Kind, ...] = ("fallacies", "claims", "checkworthy")
VERDICT_LABELS = ("supported", "contradicted", "unverifiable")
NO_FALLACY = "none"


@dataclass(frozen=True)
class FallacyRecord:
    text: str
    label: str  # a fallacy type or NO_FALLACY


@dataclass(frozen=True)
class ClaimRecord:
    claim: str
    evidence: tuple[str, ...]
    label: str  # one of VERDICT_LABELS


@dataclass(frozen=True)
class CheckworthyRecord:
    text: str
    checkworthy: bool


Record = FallacyRecord | ClaimRecord | CheckworthyRecord


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str


@dataclass(frozen=True)
class Parsed:
    records: tuple[Record, ...]
    lines: tuple[int, ...]  # the file line of each record
    errors: tuple[LineError, ...]


class RecordError(ValueError):
    """Why one line cannot be scored (becomes a LineError, never a traceback)."""


def read_records(kind: Kind, path: Path, fallacy_types: Iterable[str]) -> Parsed:
    """Parse every non-blank line of `path`; raises OSError/UnicodeDecodeError for an unreadable file."""
    parse = _parser(kind, frozenset(fallacy_types))
    records: list[Record] = []
    lines: list[int] = []
    errors: list[LineError] = []
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                records.append(parse(_object(raw)))
                lines.append(number)
            except RecordError as exc:
                errors.append(LineError(number, str(exc)))
    return Parsed(tuple(records), tuple(lines), tuple(errors))


def _parser(kind: Kind, fallacy_types: frozenset[str]) -> Callable[[dict[str, Any]], Record]:
    if kind == "fallacies":
        allowed = (*sorted(fallacy_types), NO_FALLACY)
        return lambda row: FallacyRecord(_text(row, "text"), _label(row, "label", allowed))
    if kind == "claims":
        return lambda row: ClaimRecord(_text(row, "claim"), _evidence(row), _label(row, "label", VERDICT_LABELS))
    return lambda row: CheckworthyRecord(_text(row, "text"), _flag(row, "checkworthy"))


def _object(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RecordError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(value, dict):
        raise RecordError(f"expected a JSON object, got {type(value).__name__}")
    return value


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"'{key}' must be a non-empty string")
    return " ".join(value.split())


def _label(row: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = row.get(key)
    if not isinstance(value, str):
        raise RecordError(f"'{key}' must be a string, one of: {', '.join(allowed)}")
    label = value.strip().lower()
    if label not in allowed:
        raise RecordError(f"unknown {key} {value!r}; allowed: {', '.join(allowed)}")
    return label


def _evidence(row: dict[str, Any]) -> tuple[str, ...]:
    value = row.get("evidence")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError("'evidence' must be a list of strings")
    return tuple(" ".join(v.split()) for v in value if v.strip())


def _flag(row: dict[str, Any], key: str) -> bool:
    value = row.get(key)
    if not isinstance(value, bool):
        raise RecordError(f"'{key}' must be true or false")
    return value
