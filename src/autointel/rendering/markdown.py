"""Markdown summary (summary.md, a CI job summary or a PR comment): verdict, matrix, regressions, budgets."""

from __future__ import annotations

import html
import re
from typing import Any

from autointel.rendering import data, goals
from autointel.rendering.fmt import as_dict, as_list, ci, num
from autointel.rendering.tables import HEADERS, md_table, table_rows


def text(value: object) -> str:
    """Text from results (source names, headlines) as inert Markdown: no raw HTML, no link or emphasis syntax."""
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", html.escape(str(value), quote=False))


def code(value: object) -> str:
    """An inline code span that no backtick inside `value` can close early (CommonMark: a longer fence)."""
    raw = str(value).replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", raw)), default=0) + 1)
    pad = " " if raw.startswith("`") or raw.endswith("`") else ""  # CommonMark strips one space each side
    return f"{fence}{pad}{raw}{pad}{fence}"


def render_markdown(results: dict[str, Any]) -> str:
    meta, banner = as_dict(results.get("session")), as_dict(results.get("banner"))
    opts, machine = as_dict(meta.get("options")), as_dict(meta.get("machine"))
    lines = [
        f"# autointel benchmark: {text(meta.get('name', '?'))}",
        "",
        f"**{text(str(banner.get('verdict', 'unknown')).upper())}**: {text(banner.get('headline', ''))}",
        "",
        f"run {code(meta.get('run_id', '?'))}, seed {text(meta.get('seed', '?'))}, "
        f"source {code(meta.get('source', '?'))}, "
        f"depth {meta.get('depth', '?')}, {opts.get('iterations', '?')} runs + {opts.get('warmup', '?')} warmup "
        f"per cell, isolation {opts.get('isolate', '?')}, LLM profile {opts.get('llm_profile', '?')}, "
        f"commit {machine.get('git_commit') or 'unknown'}.",
        "",
    ]
    if meta.get("recovered"):
        lines += [f"> {text(meta['recovered'])}", ""]
    if banner.get("reasons"):
        lines += ["Conditions found:", *(f"- {text(r)}" for r in as_list(banner.get("reasons"))), ""]
    lines += goals.markdown_lines(results)
    lines += ["## Combinations", "", *md_table(HEADERS, table_rows(results)), ""]
    lines += _regressions(results)
    phases = [c for c in as_list(results.get("comparisons")) if str(c.get("metric", "")).startswith("phase:")]
    if phases:
        rows = [[str(c.get("engine")), str(c["metric"]).removeprefix("phase:"), str(c.get("name")),
                 ci(c, "ratio", "ratio_ci_low", "ratio_ci_high"), str(c.get("verdict"))] for c in phases]
        lines += ["## Phases vs baseline", "",
                  *md_table(["engine", "phase", "combination", "ratio [95% CI]", "verdict"], rows), ""]
    if results.get("effects"):
        rows = [[str(e.get("engine")), str(e.get("kind")), str(e.get("name")),
                 ci(e, "ratio", "ratio_ci_low", "ratio_ci_high"), str(e.get("n_units"))]
                for e in as_list(results.get("effects"))]
        lines += ["## Flag effects (ratio on/off; interactions: factor)", "",
                  *md_table(["engine", "kind", "effect", "ratio [95% CI]", "units"], rows), ""]
    lines += budget_lines(results)
    lines += compare_lines(results)
    lines += ["## Method", "", *(f"- {n}" for n in as_list(results.get("notes"))), ""]
    return "\n".join(lines)


def _regressions(results: dict[str, Any]) -> list[str]:
    found = [f"- {c.get('engine')} {c.get('name')} {c.get('metric')}: "
             f"x{ci(c, 'ratio', 'ratio_ci_low', 'ratio_ci_high')}"
             for c in as_list(results.get("comparisons")) if c.get("verdict") == "regression"]
    found += [f"- {h.get('engine')} baseline vs last {h.get('n_sessions')} sessions: "
              f"x{ci(h, 'ratio', 'ratio_ci_low', 'ratio_ci_high')}"
              for h in as_list(results.get("history")) if h.get("verdict") == "regression"]
    return ["## Regressions", "", *(found or ["none"]), ""]


def budget_lines(results: dict[str, Any]) -> list[str]:
    target = as_dict(as_dict(results.get("session")).get("options")).get("target_s")
    lines = ["## Budgets", ""]
    for cell in data.cells(results):
        lines.append(f"- target {num(target, '{:.0f}')} s, {cell.get('engine')} {cell.get('combo')}: "
                     f"median {cell.get('target_median')}, p95 {cell.get('target_p95')}")
    for m in as_list(results.get("memory")):
        lines.append(f"- memory budget +{num(m.get('budget'), '{:.0%}')}, {m.get('engine')} {m.get('combo')}: "
                     f"{m.get('verdict')} (ratio {ci(m, 'ratio', 'ci_low', 'ci_high')})")
    for h in as_list(results.get("history")):
        lines.append(f"- history ({h.get('engine')}, last {h.get('n_sessions')} sessions): {h.get('verdict')}")
    for e in as_list(results.get("equivalence")):
        if not e.get("matches"):
            lines.append(f"- work differs from baseline: {e.get('engine')} {e.get('combo')} in {e.get('differs_in')}")
    return [*lines, ""]


COMPARE_HEADERS = ["engine", "combination", "n", "median s", "other n", "other median s",
                   "ratio this/other [95% CI]", "verdict"]


def compare_rows(results: dict[str, Any]) -> list[list[str]]:
    """Rows of the cross-session comparison report_cli computed (`results["compare"]`)."""
    return [[str(r.get("engine")), str(r.get("combo")), str(r.get("n", "-")), num(r.get("median")),
             str(r.get("n_other", "-")), num(r.get("other_median")),
             ci(r, "ratio", "ratio_ci_low", "ratio_ci_high"), str(r.get("verdict", "-"))]
            for r in as_list(as_dict(results.get("compare")).get("rows"))]


def compare_lines(results: dict[str, Any]) -> list[str]:
    other = as_dict(as_dict(results.get("compare")).get("other"))
    if not other:
        return []
    return [f"## Compared with session {other.get('run_id', '?')} ({other.get('path', '?')})", "",
            *md_table(COMPARE_HEADERS, compare_rows(results)), ""]


def render_session_markdown(index: dict[str, Any]) -> str:
    """<report-root>/summary.md: the goals over the whole pytest session and each bench's verdict."""
    benches = as_dict(index.get("benches"))
    lines = [f"# autointel benchmark session {text(index.get('run_id', '?'))}", ""]
    lines += goals.markdown_lines(index) or ["No goals were evaluated.", ""]
    lines += ["## Benches", "", *(f"- {text(name)}: **{text(str(b.get('verdict', '?')).upper())}**: "
                                  f"{text(b.get('headline', ''))} ({code(b.get('report_dir'))})"
                                  for name, b in benches.items())]
    lines += ["" if benches else "none (measurements only)", ""]
    measured = [m for m in as_list(index.get("measurements")) if isinstance(m, dict)]
    if measured:
        lines += ["## Extra measurements", "", *md_table(["name", "unit", "n", "values"], [
            [str(m.get("name")), str(m.get("unit")), str(len(as_list(m.get("values")))),
             ", ".join(num(v, "{:.4f}") for v in as_list(m.get("values")))] for m in measured]), ""]
    lines += [f"- {text(e)}" for e in as_list(index.get("errors"))]
    return "\n".join(lines).rstrip() + "\n"
