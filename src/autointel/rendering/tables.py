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


LLM_NOTE = ("Each run's LLM calls summed: the time they waited for a free server slot, the time from request to "
            "answer, and what the local server's own log says it spent evaluating prompts and generating (the rest "
            "of a call is sampling under the JSON grammar and HTTP). Tokens are the server's counts; the offline "
            "profile's are estimates of four characters per token.")
LLM_HEADERS = ["engine", "combination", "calls", "prompt tokens", "completion tokens", "waiting for a slot s",
               "in calls s", "server: prompt s", "server: generation s"]


def llm_rows(results: SessionResults) -> list[list[str]]:
    """Per cell, medians per run of its LLM calls (none when no cell's calls took any time: nothing to say)."""
    cells = [c for c in results.cells if c.llm is not None]
    if not any(median(c.llm.call_s) > 0 for c in cells if c.llm is not None):
        return []
    rows = []
    for cell in cells:
        load = cell.llm
        assert load is not None
        rows.append([cell.engine, cell.combo, num(median(load.calls), "{:.0f}"),
                     num(median(load.prompt_tokens), "{:.0f}"), num(median(load.completion_tokens), "{:.0f}"),
                     median_ci(load.queued_s, "{:.1f}"), median_ci(load.call_s, "{:.1f}"),
                     num(median(load.prompt_s), "{:.1f}"), num(median(load.generate_s), "{:.1f}")])
    return rows
