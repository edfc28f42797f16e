"""The performance-goals table in every output (Markdown, terminal, HTML), from the judged `GoalRow`s.

Formatting only: the project's goal provider (`pytest_autointel_goals`) judged every goal; this module prints the
same digits and verdicts everywhere, and says "not measured in this session" with the benchmark that would measure
it. Results without goals (a project with no provider) get no goals section at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autointel.model.bench_results import GoalRow
from autointel.rendering.fmt import ci
from autointel.rendering.html_parts import NOT_MEASURED, css_class, esc

NOT_MEASURED_VERDICT = "not_measured"
UNIT_FORMATS = {"ms/task": "{:.1f}", "x real time": "{:.1f}", "slope": "{:.2f}"}
HEADERS = ["goal", "what", "measured [95% CI]", "target", "verdict", "where"]
TERMINAL_HEADERS = ["goal", "verdict", "measured [95% CI]", "target", "where"]


def figure(value: float | None, low: float | None, high: float | None, unit: str) -> str:
    """`value [low, high] unit`, or the not-measured phrase without a value."""
    if value is None:
        return NOT_MEASURED
    return f"{ci(value, low, high, UNIT_FORMATS.get(unit, '{:.3f}'))} {unit}".rstrip()


def measured(goal: GoalRow) -> str:
    return figure(goal.value, goal.ci_low, goal.ci_high, goal.unit)


def _detail(goal: GoalRow, detail: dict[str, Any]) -> str:
    """One place the goal was measured (a `details` entry: label, value, CI, verdict)."""
    shown = figure(detail.get("value", goal.value), detail.get("ci_low", goal.ci_low),
                   detail.get("ci_high", goal.ci_high), str(detail.get("unit", goal.unit)))
    return f"{detail.get('label')}: {shown}, {detail.get('verdict', goal.verdict)}"


def verdict(goal: GoalRow) -> str:
    stretch = goal.stretch
    return goal.verdict + (f" (stretch {stretch.target}: {stretch.verdict})" if stretch is not None else "")


def where(goal: GoalRow) -> str:
    if goal.verdict == NOT_MEASURED_VERDICT:
        return f"needs {goal.measured_by}"
    text = goal.where or "-"
    return f"{goal.session}: {text}" if goal.session else text


def split(goals: Sequence[GoalRow]) -> tuple[list[GoalRow], list[GoalRow]]:
    """The goals this session judged or measured, and those it has no data for (folded into one line)."""
    return ([g for g in goals if g.verdict != NOT_MEASURED_VERDICT],
            [g for g in goals if g.verdict == NOT_MEASURED_VERDICT])


def missing_line(missing: Sequence[GoalRow]) -> str:
    """One line for every goal without data here, grouped by the benchmark that would measure it."""
    by_bench: dict[str, list[str]] = {}
    for g in missing:
        by_bench.setdefault(g.measured_by or "another benchmark", []).append(g.id)
    needs = "; ".join(f"{', '.join(ids)} need {bench}" for bench, ids in by_bench.items())
    return f"Not measured in this session ({len(missing)} goals): {needs}."


def rows(goals: Sequence[GoalRow]) -> list[list[str]]:
    return [[g.id, g.text, measured(g), g.target, verdict(g), where(g)] for g in goals]


def terminal_lines(goals: Sequence[GoalRow]) -> list[str]:
    from autointel.rendering.tables import format_table

    shown, missing = split(goals)
    table = [[g.id, verdict(g), measured(g), g.target, where(g)] for g in shown]
    return (format_table(table, TERMINAL_HEADERS) if table else []) + ([missing_line(missing)] if missing else [])


def markdown_lines(goals: Sequence[GoalRow]) -> list[str]:
    from autointel.rendering.tables import md_table

    if not goals:
        return []
    shown, missing = split(goals)
    notes = [f"- **{g.id}** " + "; ".join(text for text in (g.how, g.note) if text) for g in shown if g.how or g.note]
    table = [*md_table(HEADERS, rows(shown)), ""] if shown else []
    return ["## Performance goals", "", *table, *([missing_line(missing), ""] if missing else []),
            "Verdicts: pass/fail only when the 95% CI lies wholly on one side of the limit, else inconclusive; "
            "measured = shown, not bounded.", "", *notes, ""]


def html_table(goals: Sequence[GoalRow]) -> str:
    """The goals section's body; empty (so no section) when there are no goals."""
    if not goals:
        return ""
    shown, missing = split(goals)
    head = "".join(f"<th>{esc(h)}</th>" for h in HEADERS)
    body = []
    for g, row in zip(shown, rows(shown), strict=True):
        extra = [text for text in (g.how, g.note) if text]
        extra += [_detail(g, d) for d in g.details]
        info = ("<details><summary>how</summary><ul>" + "".join(f"<li>{esc(x)}</li>" for x in extra)
                + "</ul></details>") if extra else ""
        cls = css_class(g.verdict)
        tds = [esc(c) for c in row[:4]] + [f'<span class="tag {cls}">{esc(row[4])}</span>', esc(row[5]) + info]
        body.append(f'<tr class="{cls}">' + "".join(f"<td>{td}</td>" for td in tds) + "</tr>")
    table = (f'<table id="goals-table" class="goals compact"><thead><tr>{head}</tr></thead>'
             f'<tbody>{"".join(body)}</tbody></table>') if shown else ""
    folded = f'<p id="goals-missing" class="hint">{esc(missing_line(missing))}</p>' if missing else ""
    return (table + folded + "<p class=\"hint\">Judged by the project's goal provider over this pytest session: "
            "pass/fail only when the 95% CI lies wholly on one side of the limit, else inconclusive; measured = shown, "
            "not bounded.</p>")
