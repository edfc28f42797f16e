"""HTML building blocks: escaping, tables, chips, the verdict banner and the flag-matrix grid.

Everything user- or run-supplied goes through `esc` (html.escape); numbers come preformatted
from `fmt`, so the HTML shows exactly the digits the Markdown and terminal outputs show.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from typing import Any

from autointel.rendering import data
from autointel.rendering.fmt import as_dict, as_list, ci, mib, num, paired_mark

NOT_MEASURED = "not measured in this session"


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def css_class(verdict: Any) -> str:
    text = str(verdict)
    return f"v-{text}" if text in data.VERDICT_CLASSES else "v-other"


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], cls: str = "") -> str:
    """Cells are escaped here; pass raw strings."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def na(text: str = NOT_MEASURED) -> str:
    return f'<p class="na">{esc(text)}</p>'


def figure(svg: str | None, caption: str, missing: str = NOT_MEASURED) -> str:
    if svg is None:
        return na(missing)
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def chip(title: str, state: str, detail: str) -> str:
    return (f'<div class="chip {css_class(state)}"><span class="chip-title">{esc(title)}</span>'
            f'<span class="chip-state">{esc(state)}</span><span class="chip-detail">{esc(detail)}</span></div>')


def _tally(values: Iterable[Any]) -> str:
    counts = Counter(str(v) for v in values if v is not None)
    return ", ".join(f"{n} {k}" for k, n in counts.most_common()) or "no verdicts"


def _state(values: list[Any], bad: str = "fail") -> str:
    """Worst state among the verdicts analyze gave (display colour only)."""
    seen = {str(v) for v in values if v is not None}
    for state in (bad, "inconclusive", "insufficient", "not_comparable"):
        if state in seen:
            return state
    return "pass" if seen else "insufficient"


def banner(results: dict[str, Any]) -> str:
    b, cells = as_dict(results.get("banner")), data.cells(results)
    conditions = as_dict(b.get("conditions"))
    verdict = str(b.get("verdict", "unknown"))
    target = as_dict(as_dict(results.get("session")).get("options")).get("target_s")
    mem = [m.get("verdict") for m in as_list(results.get("memory"))]
    regressions = [c for c in as_list(results.get("comparisons")) if c.get("verdict") == "regression"]
    regressions += [h for h in as_list(results.get("history")) if h.get("verdict") == "regression"]
    failed, invalid = b.get("failed_runs", 0), b.get("invalid_runs", 0)
    chips = [
        chip(f"target {num(target, '{:.0f}')} s (median)", _state([c.get("target_median") for c in cells]),
             _tally(c.get("target_median") for c in cells)),
        chip("memory budget", _state(mem), _tally(mem) if mem else NOT_MEASURED),
        chip("regressions", "fail" if regressions or conditions.get("regression") else "pass",
             f"{len(regressions)} (e2e, phases, history)"),
        chip("failed runs", "fail" if failed else "pass", str(failed)),
        chip("invalid runs / work differs", "fail" if conditions.get("invalid") else "pass",
             f"{invalid} invalid" + ("; work differs" if conditions.get("invalid") and not invalid else "")),
    ]
    reasons = "".join(f"<li>{esc(r)}</li>" for r in as_list(b.get("reasons")))
    triggered = ", ".join(map(str, as_list(b.get("triggered")))) or "none"
    return (f'<section id="banner" class="banner {css_class(verdict)}">'
            f'<div class="verdict">{esc(verdict.upper())}</div><div class="headline">{esc(b.get("headline", ""))}'
            f'</div><div class="chips">{"".join(chips)}</div>'
            f'<p class="triggered">fail-on conditions triggered: {esc(triggered)} '
            f'(checked: {esc(", ".join(map(str, as_list(b.get("fail_on")))) or "none")})</p>'
            + (f"<ul>{reasons}</ul>" if reasons else "") + "</section>")


MATRIX_HEADERS = ["combination", "flags M A F", "n ok", "median e2e s [95% CI]", "ratio vs baseline [95% CI]",
                  "verdict", "CV", "peak RSS MiB", "memory", "target", "failed", "invalid", "work"]


def matrix(results: dict[str, Any]) -> str:
    """The flag-matrix grid: one row per combination x engine, coloured by its e2e verdict."""
    cells = data.cells(results)
    if not cells:
        return na("no combination was measured")
    e2e, mem = data.e2e_comparisons(results), data.memory_rows(results)
    work = {(str(e.get("engine")), str(e.get("combo"))): e for e in as_list(results.get("equivalence"))}
    with_engine = data.multi_engine(results)
    head = "".join(f"<th>{esc(h)}</th>" for h in MATRIX_HEADERS)
    rows = []
    for cell in cells:
        key = (str(cell.get("engine")), str(cell.get("combo")))
        comp, counts, flags = e2e.get(key), as_dict(cell.get("counts")), as_dict(cell.get("flags"))
        verdict = data.verdict(cell, comp)
        cv = (comp or {}).get("cv", as_dict(cell.get("e2e")).get("cv"))
        unstable = ' <span class="badge">unstable</span>' if data.unstable(comp) else ""
        marks = " ".join("&#10003;" if flags.get(f) else "&middot;" for f in
                         ("parallel_memory_ops", "parallel_analysis", "parallel_fact_checking"))
        eq = work.get(key)
        work_text = "-" if eq is None else ("same" if eq.get("matches") else f"differs: {eq.get('differs_in')}")
        memory_verdict = "baseline" if cell.get("combo") == "baseline" else str(mem.get(key, {}).get("verdict", "-"))
        tds = [esc(data.label(cell, with_engine)), marks, esc(counts.get("ok", "-")),
               esc(ci(cell.get("e2e"), "median", "ci_low", "ci_high")),
               ("1" if cell.get("combo") == "baseline"
                else esc(ci(comp, "ratio", "ratio_ci_low", "ratio_ci_high") + paired_mark(comp))),
               f"<b>{esc(verdict)}</b>", esc(num(cv, "{:.1%}")) + unstable,
               esc(mib(as_dict(cell.get("peak_rss")).get("median"))),
               f'<span class="{css_class(memory_verdict)} tag">{esc(memory_verdict)}</span>',
               f'<span class="{css_class(cell.get("target_median"))} tag">{esc(cell.get("target_median") or "-")}'
               "</span>",
               esc(counts.get("failed", "-")), esc(counts.get("invalid", "-")), esc(work_text)]
        rows.append(f'<tr class="{css_class(verdict)}">' + "".join(f"<td>{td}</td>" for td in tds) + "</tr>")
    return (f'<table id="matrix" class="matrix"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            "</table><p class=\"hint\">flags: M parallel_memory_ops, A parallel_analysis, F parallel_fact_checking. "
            "Verdicts follow autointel.stats.compare.decide; CV &ge; 10% marks a comparison unstable.</p>")
