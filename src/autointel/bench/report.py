"""Write what a session found: results.json (atomic) and summary.md (rendered by `autointel.rendering`)."""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

from autointel.atomic import atomic_write_text
from autointel.measurement.redact import redact
from autointel.model.bench_results import GoalRow, SessionResults
from autointel.model.serialize import json_safe
from autointel.rendering.markdown import render_markdown
from autointel.rendering.tables import HEADERS, format_table, table_rows

__all__ = ["HEADERS", "append_jsonl", "environment", "format_table", "render_summary_md", "session_index",
           "table_rows", "write_json_atomic", "write_renderings", "write_reports"]

PACKAGES = ("autointel", "pytest", "pytest-benchmark", "numpy", "scipy", "psutil", "crewai", "faster-whisper",
            "qdrant-client", "memray", "pyinstrument", "ctranslate2", "onnxruntime")


def write_json_atomic(path: Path, data: Any) -> None:
    """A reader sees the old file or the new one, never half of one."""
    atomic_write_text(path, json.dumps(json_safe(data), indent=2, allow_nan=False, sort_keys=False))


def git_commit(start: Path) -> str | None:
    """Read the commit from .git files (no git subprocess): HEAD -> ref -> loose or packed ref."""
    for folder in (start, *start.parents):
        git = folder / ".git"
        if git.is_file():
            text = git.read_text(encoding="utf-8").strip()
            git = (folder / text.removeprefix("gitdir:").strip()) if text.startswith("gitdir:") else git
        if not git.is_dir():
            continue
        try:
            head = (git / "HEAD").read_text(encoding="utf-8").strip()
            if not head.startswith("ref:"):
                return head
            ref = head.removeprefix("ref:").strip()
            common = git / "commondir"
            base = (git / common.read_text().strip()).resolve() if common.exists() else git
            for root in (git, base):
                if (root / ref).exists():
                    return (root / ref).read_text(encoding="utf-8").strip()
            for line in (base / "packed-refs").read_text(encoding="utf-8").splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0]
        except OSError:
            return None
        return None
    return None


def environment(root: Path) -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "node": platform.node(),
        "cpu_count": os.cpu_count(),
        "cpu_count_physical": psutil.cpu_count(logical=False),
        "memory_total_bytes": psutil.virtual_memory().total,
        "packages": versions,
        "git_commit": git_commit(root),
    }


def render_summary_md(results: SessionResults) -> str:
    """summary.md; the Markdown itself lives in `autointel.rendering.markdown` (rendering layer)."""
    return render_markdown(results)


def write_reports(results: SessionResults, report_dir: Path) -> None:
    """results.json, summary.md and (when matplotlib is there) report.html of one bench, each atomic."""
    atomic_write_text(report_dir / "results.json", results.to_json())
    write_renderings(results, report_dir)


def write_renderings(results: SessionResults, report_dir: Path) -> None:
    """summary.md and (when matplotlib is there) report.html of one bench, each atomic; results.json untouched."""
    atomic_write_text(report_dir / "summary.md", render_summary_md(results))
    try:
        from autointel.rendering.html import write_html_report
    except ImportError:
        return
    write_html_report(results, report_dir / "report.html")


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    """One redacted JSON line, flushed and fsynced before returning: a killed session keeps it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(redact(json_safe(record)), sort_keys=True, allow_nan=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def session_index(
    run_id: str, command_line: list[str], results: Mapping[str, SessionResults], goals: Sequence[GoalRow],
    measurements: list[dict[str, Any]], errors: list[str],
) -> dict[str, Any]:
    """index.json of a pytest session: each bench's verdict, the goals, the extra measurements, errors."""
    index: dict[str, Any] = redact(json_safe({
        "run_id": run_id, "command_line": command_line,
        "benches": {n: {"verdict": r.banner.verdict, "triggered": list(r.banner.triggered),
                        "headline": r.banner.headline, "report_dir": r.session.report_dir}
                    for n, r in results.items()},
        "goals": [dataclasses.asdict(g) for g in goals], "measurements": measurements, "errors": errors,
    }))
    return index
