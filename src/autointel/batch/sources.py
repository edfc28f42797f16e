"""What a batch is asked to do: the sources given, which of them an earlier run already finished, and where each
result goes. A source is known by its media's sha256: a local file's is read before anything runs, a URL's once its
run has downloaded it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from autointel.errors import InputError, first_line
from autointel.model.batch import BatchIndex, SourceRecord
from autointel.urls import public_url

INDEX_FILE = "index.json"
RESULTS_DIR = "results"


def read_source_list(path: Path) -> tuple[str, ...]:
    """One source per line; blank lines and lines starting with # are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"--from {path}: cannot be read ({first_line(exc)})") from None
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def batch_sources(given: Sequence[str], listed: Sequence[str]) -> tuple[str, ...]:
    """The sources in the order given, each once; none at all is bad input."""
    sources = tuple(dict.fromkeys(s.strip() for s in (*given, *listed) if s.strip()))
    if not sources:
        raise InputError("no sources given: name media files or URLs, or a list of them with --from FILE")
    return sources


def local_path(source: str) -> Path | None:
    """The file a source names, if it is a local one."""
    parts = urlsplit(source)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if parts.scheme in ("http", "https"):
        return None
    return Path(source).expanduser()


def local_sha256(source: str) -> str | None:
    """The sha256 of a local source's bytes (None for a URL or a file that cannot be read: its run says why)."""
    from autointel.phases.acquisition import sha256_file

    path = local_path(source)
    if path is None or not path.is_file():
        return None
    try:
        return sha256_file(path)  # the same digest acquisition gives the media
    except OSError:
        return None


def result_name(record_key: str) -> str:
    """A result's file name, relative to the batch folder."""
    return f"{RESULTS_DIR}/{record_key}.json"


def source_key(source: str, sha256: str | None) -> str:
    """The media's sha256; for a run that never got its media, a hash of the source text."""
    return sha256 or "source-" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:24]


def read_index(out_dir: Path) -> BatchIndex | None:
    """The index an earlier run left (None: a first run); a damaged one is bad input, never silently replaced."""
    path = out_dir / INDEX_FILE
    if not path.exists():
        return None
    try:
        return BatchIndex.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} cannot be read ({first_line(exc)}): move it away to start the batch afresh") \
            from None


def finished(previous: BatchIndex | None, out_dir: Path, sources: Sequence[str]) -> dict[str, SourceRecord]:
    """The given sources an earlier run finished (its result still on disk), by source; a local file counts as
    finished when media with its sha256 was, whatever it was called then."""
    if previous is None:
        return {}
    done = [r for r in previous.sources if r.status.done and r.result and (out_dir / r.result).is_file()]
    by_source = {r.source: r for r in done}
    by_sha = {r.sha256: r for r in done if r.sha256}
    kept: dict[str, SourceRecord] = {}
    for source in sources:
        record = by_source.get(public_url(source))
        sha = None if record is not None else local_sha256(source)
        record = record or (by_sha.get(sha) if sha else None)
        if record is not None:
            kept[source] = record
    return kept
