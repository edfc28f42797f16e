"""A compact fixed-width table for a terminal: one line per cell, the verdict first."""

from __future__ import annotations

from autointel.model.bench_results import SessionResults
from autointel.rendering import data, goals
from autointel.rendering.fmt import median, median_ci, mib, ratio_ci
from autointel.rendering.markdown import COMPARE_HEADERS, compare_rows
from autointel.rendering.tables import format_table
from autointel.rendering.verdict import banner_lines

HEADERS = ["combination", "n", "median e2e s [95% CI]", "ratio [95% CI]", "verdict", "peak RSS MiB"]


def terminal_rows(results: SessionResults) -> list[list[str]]:
    e2e = data.e2e_comparisons(results)
    with_engine = data.multi_engine(results)
    rows = []
    for cell in results.cells:
        comp = e2e.get(data.key(cell))
        rows.append([
            data.label(cell, with_engine), str(cell.counts.ok), median_ci(cell.e2e),
            "1" if cell.combo == "baseline" else ratio_ci(comp),
            data.verdict(cell, comp) + (" (unstable)" if data.unstable(comp) else ""),
            mib(median(cell.peak_rss)),
        ])
    return rows


def render_terminal(results: SessionResults) -> str:
    meta, banner = results.session, results.banner
    lines = [f"{meta.name} ({meta.run_id}): {banner.verdict.upper()}: {banner.headline}"]
    lines += format_table(terminal_rows(results), HEADERS)
    rule, *checks = banner_lines(banner)
    lines += [rule, *(f"  {c}" for c in checks)]
    if results.goals:
        lines += ["", "performance goals:", *goals.terminal_lines(results.goals)]
    if results.compare is not None and results.compare.rows:
        lines += ["", f"compared with {results.compare.other.run_id or '?'}:",
                  *format_table(compare_rows(results), COMPARE_HEADERS)]
    return "\n".join(lines) + "\n"
