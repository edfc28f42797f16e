"""A compact fixed-width table for a terminal: one line per cell, the verdict first."""

from __future__ import annotations

from typing import Any

from autointel.rendering import data, goals
from autointel.rendering.fmt import as_dict, as_list, ci, mib
from autointel.rendering.markdown import COMPARE_HEADERS, compare_rows
from autointel.rendering.tables import format_table

HEADERS = ["combination", "n", "median e2e s [95% CI]", "ratio [95% CI]", "verdict", "peak RSS MiB"]


def terminal_rows(results: dict[str, Any]) -> list[list[str]]:
    e2e = data.e2e_comparisons(results)
    with_engine = data.multi_engine(results)
    rows = []
    for cell in data.cells(results):
        comp = e2e.get((str(cell.get("engine")), str(cell.get("combo"))))
        base = cell.get("combo") == "baseline"
        rows.append([
            data.label(cell, with_engine), str(as_dict(cell.get("counts")).get("ok", "-")),
            ci(cell.get("e2e"), "median", "ci_low", "ci_high"),
            "1" if base else ci(comp, "ratio", "ratio_ci_low", "ratio_ci_high"),
            data.verdict(cell, comp) + (" (unstable)" if data.unstable(comp) else ""),
            mib(as_dict(cell.get("peak_rss")).get("median")),
        ])
    return rows


def render_terminal(results: dict[str, Any]) -> str:
    meta, banner = as_dict(results.get("session")), as_dict(results.get("banner"))
    lines = [f"{meta.get('name', '?')} ({meta.get('run_id', '?')}): "
             f"{str(banner.get('verdict', 'unknown')).upper()}: {banner.get('headline', '')}"]
    lines += format_table(terminal_rows(results), HEADERS)
    lines += [f"! {r}" for r in as_list(banner.get("reasons"))]
    if goals.goals(results):
        lines += ["", "performance goals:", *goals.terminal_lines(goals.goals(results))]
    if as_dict(results.get("compare")).get("rows"):
        other = as_dict(as_dict(results.get("compare")).get("other"))
        lines += ["", f"compared with {other.get('run_id', '?')}:", *format_table(compare_rows(results),
                                                                                COMPARE_HEADERS)]
    return "\n".join(lines) + "\n"
