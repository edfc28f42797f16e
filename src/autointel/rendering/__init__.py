"""Rendering of a bench session's results (`autointel.model.bench_results.SessionResults`, what results.json
holds): HTML report, Markdown, terminal table, Chrome trace.

Layers: rendering only formats the typed results and imports nothing above `autointel.model`; every number is
computed by `autointel.bench.analysis.analyze` (and `autointel.stats`). `write_html_report` is imported lazily: it pulls
in matplotlib, which the light renderers (Markdown, terminal, trace) never need.
"""

from __future__ import annotations

from typing import Any

from autointel.rendering.markdown import render_markdown
from autointel.rendering.terminal import render_terminal
from autointel.rendering.trace import chrome_trace

__all__ = ["chrome_trace", "render_markdown", "render_terminal", "write_html_report"]


def __getattr__(name: str) -> Any:
    if name == "write_html_report":
        from autointel.rendering.html import write_html_report

        return write_html_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
