"""Markdown summary (summary.md, a CI job summary or a PR comment): verdict, matrix, regressions, budgets."""

from __future__ import annotations

import html
import re
from typing import Any

from autointel.model.bench_results import SessionResults, goal_rows
from autointel.rendering import data, goals
from autointel.rendering.fmt import ci, num, ratio_ci
from autointel.rendering.tables import HEADERS, LLM_HEADERS, LLM_NOTE, llm_rows, md_table, table_rows
from autointel.rendering.verdict import banner_lines


def text(value: object) -> str:
    """Text from results (source names, headlines) as inert Markdown: no raw HTML, no link or emphasis syntax."""
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", html.escape(str(value), quote=False))


def code(value: object) -> str:
    """An inline code span that no backtick inside `value` can close early (CommonMark: a longer fence)."""
    raw = str(value).replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", raw)), default=0) + 1)
    pad = " " if raw.startswith("`") or raw.endswith("`") else ""  # CommonMark strips one space each side
    return f"{fence}{pad}{raw}{pad}{fence}"


def render_markdown(results: SessionResults) -> str:
    meta, banner = results.session, results.banner
    opts, machine = meta.options, meta.machine
    lines = [
        f"# autointel benchmark: {text(meta.name)}",
        "",
        f"**{text(banner.verdict.upper())}**: {text(banner.headline)}",
        "",
        f"run {code(meta.run_id)}, seed {text(meta.seed)}, source {code(meta.source or '?')}, "
        + (f"depth {meta.depth}, " if meta.depth else "")
        + f"{opts.get('iterations', '?')} runs + {opts.get('warmup', '?')} warmup "
        f"per cell, isolation {opts.get('isolate', '?')}, "
        + (f"LLM profile {meta.llm_profile}, " if meta.llm_profile else "")
        + f"commit {machine.get('git_commit') or 'unknown'}.",
        "",
    ]
    if meta.recovered:
        lines += [f"> {text(meta.recovered)}", ""]
    rule, *checks = banner_lines(banner)
    lines += [text(rule), "", *(f"- {text(c)}" for c in checks), *([""] if checks else [])]
    lines += goals.markdown_lines(results.goals)
    lines += ["## Combinations", "", *md_table(HEADERS, table_rows(results)), ""]
    lines += _regressions(results)
    phases = data.phase_comparisons(results)
    if phases:
        rows = [[engine, phase, combo, ratio_ci(own) if own else "-", own.verdict if own else "-",
                 ratio_ci(span) if span else "-"] for (engine, combo, phase), (own, span) in phases.items()]
        lines += ["## Phases vs baseline", "",
                  "Own work is the thread CPU of a phase's steps; its span (first start to last end) includes "
                  "waiting for steps that run beside it, so under the flags a span can grow while the run gets "
                  "faster. Neither is part of the verdict.", "",
                  *md_table(["engine", "phase", "combination", "own work ratio [95% CI]", "verdict",
                             "span ratio [95% CI]"], rows), ""]
    if results.effects:
        rows = [[e.engine, e.kind, e.name, ratio_ci(e), str(e.n_units)] for e in results.effects]
        lines += ["## Flag effects (ratio on/off; interactions: factor)", "",
                  *md_table(["engine", "kind", "effect", "ratio [95% CI]", "units"], rows), ""]
    llm = llm_rows(results)
    if llm:
        lines += ["## LLM calls (median per run [95% CI])", "", LLM_NOTE, "", *md_table(LLM_HEADERS, llm), ""]
    lines += budget_lines(results)
    lines += compare_lines(results)
    lines += ["## Method", "", *(f"- {n}" for n in results.notes), ""]
    return "\n".join(lines)


def _regressions(results: SessionResults) -> list[str]:
    found = [f"- {c.engine} {c.name} {c.metric}: x{ratio_ci(c)}"
             for c in results.comparisons if c.verdict == "regression"]
    found += [f"- {h.engine} baseline vs last {h.n_sessions} sessions: x{ratio_ci(h)}"
              for h in results.history if h.verdict == "regression"]
    return ["## Regressions", "", *(found or ["none"]), ""]


def budget_lines(results: SessionResults) -> list[str]:
    target = results.session.options.get("target_s")
    lines = ["## Budgets", ""]
    for cell in results.cells:
        lines.append(f"- target {num(target, '{:.0f}')} s, {cell.engine} {cell.combo}: "
                     f"median {cell.target_median}, p95 {cell.target_p95}")
    for m in results.memory:
        lines.append(f"- memory budget +{num(m.budget, '{:.0%}')}, {m.engine} {m.combo}: "
                     f"{m.verdict} (ratio {ci(m.ratio, m.ci_low, m.ci_high)})")
    for h in results.history:
        lines.append(f"- history ({h.engine}, last {h.n_sessions} sessions): {h.verdict}")
    for e in results.equivalence:
        if not e.matches:
            lines.append(f"- work differs from baseline: {e.engine} {e.combo} in {list(e.differs_in)}")
    return [*lines, ""]


COMPARE_HEADERS = ["engine", "combination", "n", "median s", "other n", "other median s",
                   "ratio this/other [95% CI]", "verdict"]


def compare_rows(results: SessionResults) -> list[list[str]]:
    """Rows of the cross-session comparison report_cli computed (`results.compare`)."""
    if results.compare is None:
        return []
    return [[r.engine, r.combo, str(r.n), num(r.median), str(r.n_other), num(r.other_median), ratio_ci(r),
             r.verdict or "-"] for r in results.compare.rows]


def compare_lines(results: SessionResults) -> list[str]:
    if results.compare is None:
        return []
    other = results.compare.other
    return [f"## Compared with session {other.run_id or '?'} ({other.path})", "",
            *md_table(COMPARE_HEADERS, compare_rows(results)), ""]


def render_session_markdown(index: dict[str, Any]) -> str:
    """<report-root>/summary.md: the goals over the whole pytest session and each bench's verdict.

    `index` is index.json (`autointel.bench.report.session_index`), not a results document."""
    benches = index.get("benches")
    benches = benches if isinstance(benches, dict) else {}
    lines = [f"# autointel benchmark session {text(index.get('run_id', '?'))}", ""]
    lines += goals.markdown_lines(goal_rows(index.get("goals") or [])) or ["No goals were evaluated.", ""]
    lines += ["## Benches", "", *(f"- {text(name)}: **{text(str(b.get('verdict', '?')).upper())}**: "
                                  f"{text(b.get('headline', ''))} ({code(b.get('report_dir'))})"
                                  for name, b in benches.items())]
    lines += ["" if benches else "none (measurements only)", ""]
    measured = [m for m in _list(index.get("measurements")) if isinstance(m, dict)]
    if measured:
        lines += ["## Extra measurements", "", *md_table(["name", "unit", "n", "values"], [
            [str(m.get("name")), str(m.get("unit")), str(len(_list(m.get("values")))),
             ", ".join(num(v, "{:.4f}") for v in _list(m.get("values")))] for m in measured]), ""]
    lines += [f"- {text(e)}" for e in _list(index.get("errors"))]
    return "\n".join(lines).rstrip() + "\n"


def _list(value: object) -> list[Any]:
    """index.json is read as written by whichever version wrote it: a missing or mistyped list is empty."""
    return value if isinstance(value, list) else []
