"""HTML building blocks: escaping, tables, chips, the verdict banner and the flag-matrix grid.

Everything user- or run-supplied goes through `esc` (html.escape); numbers come preformatted
from `fmt`, so the HTML shows exactly the digits the Markdown and terminal outputs show.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from autointel.model.bench_results import SessionResults
from autointel.rendering import data
from autointel.rendering.fmt import median, median_ci, mib, num, paired_mark, ratio_ci
from autointel.rendering.verdict import verdict_rule

NOT_MEASURED = "not measured in this session"


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def css_class(verdict: object) -> str:
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


def banner(results: SessionResults) -> str:
    """The verdict and one card per check it rests on, each in the state the verdict gave it (nothing re-judged)."""
    b = results.banner
    chips = [chip(c.title + ("" if c.gates else " (shown, not a fail-on condition)"), c.state, c.detail)
             for c in b.checks]
    cards = "".join(chips) or na("this results file records no checks (written by an older autointel)")
    return (f'<section id="banner" class="banner {css_class(b.verdict)}">'
            f'<div class="verdict">{esc(b.verdict.upper())}</div><div class="headline">{esc(b.headline)}'
            f'</div><div class="chips">{cards}</div>'
            f'<p class="triggered">{esc(verdict_rule(b.verdict, b.triggered, b.fail_on))}</p></section>')


MATRIX_HEADERS = ["combination", "flags", "n ok", "median e2e s [95% CI]", "ratio vs baseline [95% CI]",
                  "verdict", "CV", "peak RSS MiB", "memory", "target", "failed", "invalid", "work"]


def flag_columns(results: SessionResults) -> dict[str, str]:
    """The flags some cell of the session switched on, each with a short mark (initials of its words)."""
    names = [n for n in dict.fromkeys(k for c in results.cells for k in c.flags) if any(c.flags.get(n)
                                                                                      for c in results.cells)]
    marks: dict[str, str] = {}
    for name in names:
        mark = "".join(word[:1] for word in name.split("_")).upper()
        marks[name] = mark if mark not in marks.values() else f"{mark}{len(marks) + 1}"
    return marks


def matrix(results: SessionResults) -> str:
    """The flag-matrix grid: one row per combination x engine, coloured by its e2e verdict."""
    if not results.cells:
        return na("no combination was measured")
    e2e, mem = data.e2e_comparisons(results), data.memory_rows(results)
    work = {(e.engine, e.combo): e for e in results.equivalence}
    with_engine = data.multi_engine(results)
    flags = flag_columns(results)
    legend = ", ".join(f"{mark} {name}" for name, mark in flags.items())
    headers = [f"flags {' '.join(flags.values())}" if h == "flags" else h for h in MATRIX_HEADERS]
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    rows = []
    for cell in results.cells:
        key, base = data.key(cell), cell.combo == "baseline"
        comp, counts = e2e.get(key), cell.counts
        verdict = data.verdict(cell, comp)
        unstable = ' <span class="badge">unstable</span>' if data.unstable(comp) else ""
        marks = " ".join("&#10003;" if cell.flags.get(f) else "&middot;" for f in flags)
        eq = work.get(key)
        work_text = "-" if eq is None else ("same" if eq.matches else f"differs: {list(eq.differs_in)}")
        memory_verdict = "baseline" if base else (mem[key].verdict if key in mem else "-")
        tds = [esc(data.label(cell, with_engine)), marks, esc(counts.ok), esc(median_ci(cell.e2e)),
               "1" if base else esc(ratio_ci(comp) + paired_mark(comp is not None and comp.paired)),
               f"<b>{esc(verdict)}</b>", esc(num(data.cv(cell, comp), "{:.1%}")) + unstable,
               esc(mib(median(cell.peak_rss))),
               f'<span class="{css_class(memory_verdict)} tag">{esc(memory_verdict)}</span>',
               f'<span class="{css_class(cell.target_median)} tag">{esc(cell.target_median or "-")}</span>',
               esc(counts.failed), esc(counts.invalid), esc(work_text)]
        rows.append(f'<tr class="{css_class(verdict)}">' + "".join(f"<td>{td}</td>" for td in tds) + "</tr>")
    return (f'<table id="matrix" class="matrix"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            f"</table><p class=\"hint\">flags: {esc(legend) or 'none switched on'}. Verdicts follow "
            "autointel.stats.compare.decide; CV &ge; 10% marks a comparison unstable.</p>")
