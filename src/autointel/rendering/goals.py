"""The performance-goals table in every output (Markdown, terminal, HTML), from results["goals"].

Formatting only: `autointel.bench.goals` judged every goal; this module prints the same digits and
verdicts everywhere, and says "not measured in this session" with the benchmark that would measure it.
"""

from __future__ import annotations

from typing import Any

from autointel.rendering.fmt import as_dict, as_list, num
from autointel.rendering.html_parts import NOT_MEASURED, css_class, esc, na

UNIT_FORMATS = {"ms/task": "{:.1f}", "x real time": "{:.1f}", "slope": "{:.2f}"}
HEADERS = ["goal", "what", "measured [95% CI]", "target", "verdict", "where"]
TERMINAL_HEADERS = ["goal", "verdict", "measured [95% CI]", "target", "where"]


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for g in as_list(results.get("goals")) if isinstance(g, dict)]


def measured(goal: dict[str, Any]) -> str:
    """`value [low, high] unit`, or the not-measured phrase."""
    if goal.get("value") is None:
        return NOT_MEASURED
    fmt = UNIT_FORMATS.get(str(goal.get("unit")), "{:.3f}")
    ci = f" [{num(goal.get('ci_low'), fmt)}, {num(goal.get('ci_high'), fmt)}]"
    return f"{num(goal['value'], fmt)}{ci} {goal.get('unit', '')}".rstrip()


def verdict(goal: dict[str, Any]) -> str:
    stretch = as_dict(goal.get("stretch"))
    text = str(goal.get("verdict", "-"))
    return text + (f" (stretch {stretch.get('target')}: {stretch.get('verdict')})" if stretch else "")


def where(goal: dict[str, Any]) -> str:
    if goal.get("verdict") == "not_measured":
        return f"needs {goal.get('measured_by', '?')}"
    text = str(goal.get("where") or "-")
    return f"{goal['session']}: {text}" if goal.get("session") else text


def rows(results: dict[str, Any]) -> list[list[str]]:
    return [[str(g.get("id")), str(g.get("text")), measured(g), str(g.get("target")), verdict(g), where(g)]
            for g in goals(results)]


def terminal_lines(items: list[dict[str, Any]]) -> list[str]:
    from autointel.rendering.tables import format_table

    table = [[str(g.get("id")), verdict(g), measured(g), str(g.get("target")), where(g)] for g in items]
    return format_table(table, TERMINAL_HEADERS) if table else []


def markdown_lines(results: dict[str, Any]) -> list[str]:
    from autointel.rendering.tables import md_table

    found = goals(results)
    if not found:
        return []
    notes = [f"- **{g.get('id')}** " + ("not measured: " if g.get("verdict") == "not_measured" else "")
             + "; ".join(str(g[k]) for k in ("how", "note") if g.get(k))
             for g in found if g.get("how") or g.get("note")]
    return ["## Performance goals", "", *md_table(HEADERS, rows(results)), "",
            "Verdicts: pass/fail only when the 95% CI lies wholly on one side of the limit, else inconclusive; "
            "measured = shown, not bounded; not_measured = no data in this session.", "", *notes, ""]


def html_table(results: dict[str, Any]) -> str:
    found = goals(results)
    if not found:
        return na("the goals were not evaluated for this results file")
    head = "".join(f"<th>{esc(h)}</th>" for h in HEADERS)
    body = []
    for g, row in zip(found, rows(results), strict=True):
        extra = [str(g.get(k)) for k in ("how", "note") if g.get(k)]
        extra += [f"{d.get('label')}: {measured({**g, **d})}, {d.get('verdict')}" for d in as_list(g.get("details"))
                  if isinstance(d, dict)]
        info = ("<details><summary>how</summary><ul>" + "".join(f"<li>{esc(x)}</li>" for x in extra)
                + "</ul></details>") if extra else ""
        cls = css_class(g.get("verdict"))
        tds = [esc(c) for c in row[:4]] + [f'<span class="tag {cls}">{esc(row[4])}</span>', esc(row[5]) + info]
        body.append(f'<tr class="{cls}">' + "".join(f"<td>{td}</td>" for td in tds) + "</tr>")
    return (f'<table id="goals-table" class="goals compact"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}'
            "</tbody></table><p class=\"hint\">Judged by autointel.bench.goals over this pytest session: pass/fail "
            "only when the 95% CI lies wholly on one side of the limit, else inconclusive; measured = shown, not "
            "bounded.</p>")
