"""The per-cell table rows every text output shares (summary.md, the pytest terminal summary)."""

from __future__ import annotations

from collections.abc import Sequence

from autointel.model.bench_results import SessionResults
from autointel.rendering import data
from autointel.rendering.fmt import median, median_ci, mib, num, paired_mark, ratio_ci

HEADERS = ["engine", "combination", "ok", "failed", "invalid", "median e2e s [95% CI]",
           "ratio vs baseline [95% CI]", "verdict", "CV", "peak RSS MiB"]


def table_rows(results: SessionResults) -> list[list[str]]:
    """One row per cell: the numbers a reader needs to trust or distrust the verdict."""
    e2e = data.e2e_comparisons(results)
    rows = []
    for cell in results.cells:
        comp = e2e.get(data.key(cell))
        verdict = data.verdict(cell, comp) + (" (unstable)" if data.unstable(comp) else "")
        ratio = "1" if cell.combo == "baseline" else ratio_ci(comp) + paired_mark(comp is not None and comp.paired)
        rows.append([
            cell.engine, cell.combo, str(cell.counts.ok), str(cell.counts.failed), str(cell.counts.invalid),
            median_ci(cell.e2e), ratio, verdict, num(data.cv(cell, comp), "{:.1%}"), mib(median(cell.peak_rss)),
        ])
    return rows


def format_table(rows: Sequence[Sequence[str]], headers: Sequence[str] = HEADERS) -> list[str]:
    """Left-aligned fixed-width columns, trailing spaces stripped."""
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    return ["  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=False)).rstrip()
            for r in [headers, *rows]]


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub Markdown table; pipes inside cells are escaped so a message cannot split a row."""
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return [line(headers), "|" + "---|" * len(headers), *(line(r) for r in rows)]
