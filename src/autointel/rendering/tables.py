"""The per-cell table rows every text output shares (summary.md, the pytest terminal summary)."""

from __future__ import annotations

from typing import Any

from autointel.rendering import data
from autointel.rendering.fmt import as_dict, ci, mib, num, paired_mark

HEADERS = ["engine", "combination", "ok", "failed", "invalid", "median e2e s [95% CI]",
           "ratio vs baseline [95% CI]", "verdict", "CV", "peak RSS MiB"]


def table_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per cell: the numbers a reader needs to trust or distrust the verdict."""
    e2e = data.e2e_comparisons(results)
    rows = []
    for cell in data.cells(results):
        comp = e2e.get((str(cell.get("engine")), str(cell.get("combo"))))
        counts = as_dict(cell.get("counts"))
        verdict = data.verdict(cell, comp) + (" (unstable)" if data.unstable(comp) else "")
        cv = (comp or {}).get("cv", as_dict(cell.get("e2e")).get("cv"))
        base = cell.get("combo") == "baseline"
        rows.append([
            str(cell.get("engine", "-")), str(cell.get("combo", "-")), str(counts.get("ok", "-")),
            str(counts.get("failed", "-")), str(counts.get("invalid", "-")),
            ci(cell.get("e2e"), "median", "ci_low", "ci_high"),
            "1" if base else ci(comp, "ratio", "ratio_ci_low", "ratio_ci_high") + paired_mark(comp),
            verdict, num(cv, "{:.1%}"), mib(as_dict(cell.get("peak_rss")).get("median")),
        ])
    return rows


def format_table(rows: list[list[str]], headers: list[str] = HEADERS) -> list[str]:
    """Left-aligned fixed-width columns, trailing spaces stripped."""
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    return ["  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=False)).rstrip()
            for r in [headers, *rows]]


def md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """A GitHub Markdown table; pipes inside cells are escaped so a message cannot split a row."""
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return [line(headers), "|" + "---|" * len(headers), *(line(r) for r in rows)]
