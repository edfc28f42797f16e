"""One self-contained HTML report per benchmark: inline CSS, inline SVG plots, a tiny inline script,
and the whole results document (`SessionResults.to_dict`, what results.json holds) embedded as a JSON
island (`<script type="application/json" id="results">`).

Why self-contained: CI artifacts and mail attachments open offline, and the page's CSP forbids every
network request, so the report cannot leak anything or break when a CDN is gone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autointel.model.bench_results import SessionResults
from autointel.rendering import goals, html_parts, html_sections
from autointel.rendering.html_parts import esc

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'"

CSS = """
:root{--red:#c62828;--green:#2e7d32;--amber:#ef8f00;--grey:#9e9e9e;--blue:#1565c0;--slate:#546e7a}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1280px;
padding:16px 24px;color:#212121;background:#fafafa}
h1{font-size:22px;margin:4px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:14px;margin:12px 0 4px}nav{display:flex;flex-wrap:wrap;gap:2px 12px}
nav a{color:var(--blue);white-space:nowrap}
section{overflow-x:auto}
.meta{color:#616161}.hint,.na{color:#616161;font-size:12px}.na{font-style:italic}
.banner{border-left:10px solid var(--grey);background:#fff;padding:12px 16px;border-radius:6px;
box-shadow:0 1px 3px #0002}.banner.v-fail{border-color:var(--red)}.banner.v-pass{border-color:var(--green)}
.banner.v-inconclusive{border-color:var(--amber)}
.verdict{font-size:28px;font-weight:700}.v-fail .verdict{color:var(--red)}.v-pass .verdict{color:var(--green)}
.v-inconclusive .verdict{color:#8d6e00}
.headline{font-size:15px;margin-bottom:8px}.chips{display:flex;flex-wrap:wrap;gap:8px}
.chip{display:flex;flex-direction:column;padding:6px 10px;border-radius:6px;background:#eceff1;min-width:150px;
border-top:4px solid var(--grey)}.chip-title{font-size:11px;text-transform:uppercase;color:#616161}
.chip-state{font-weight:700}.chip-detail{font-size:12px}
.chip.v-fail,.chip.v-regression{border-color:var(--red);background:#ffebee}
.chip.v-pass{border-color:var(--green);background:#e8f5e9}
.chip.v-inconclusive{border-color:var(--amber);background:#fff8e1}
table{border-collapse:collapse;margin:6px 0;background:#fff;font-size:13px}
th,td{border:1px solid #e0e0e0;padding:3px 7px;text-align:left;vertical-align:top}th{background:#eceff1}
table.matrix td:nth-child(n+2){font-variant-numeric:tabular-nums;white-space:nowrap}
tr.v-regression td{background:#ffcdd2}tr.v-improvement td{background:#c8e6c9}tr.v-no_change td{background:#eceff1}
tr.v-inconclusive td{background:#fff3cd}tr.v-insufficient td{background:#f5f5f5;color:#757575}
tr.v-baseline td{background:#e3f2fd}
table.goals td:nth-child(3){white-space:nowrap}
table.goals tr.v-pass td{background:#e8f5e9}table.goals tr.v-fail td{background:#ffebee}
table.goals tr.v-not_measured td{color:#757575}.tag.v-measured{background:var(--blue);color:#fff}
.tag.v-not_measured{background:var(--grey);color:#fff}
table.pivot td.v-regression{background:#ffcdd2}table.pivot td.v-improvement{background:#c8e6c9}
table.pivot td.v-inconclusive{background:#fff3cd}table.pivot td.v-no_change{background:#eceff1}
table.pivot td{white-space:nowrap}.badge{background:var(--amber);color:#fff;border-radius:3px;padding:0 4px;
font-size:11px}.tag{padding:0 4px;border-radius:3px}.tag.v-fail{background:var(--red);color:#fff}
.tag.v-pass{background:var(--green);color:#fff}.tag.v-inconclusive{background:var(--amber);color:#fff}
table.compact{font-size:12px}table.samples td{white-space:nowrap}
figure{margin:8px 0;background:#fff;padding:6px;border-radius:6px;box-shadow:0 1px 2px #0001}
figcaption{font-size:12px;color:#616161}svg.plot{max-width:100%;height:auto;display:block}
svg.plot *{stroke-linejoin:round;stroke-linecap:butt}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:10px}
pre{background:#263238;color:#eceff1;padding:10px;border-radius:6px;overflow-x:auto}
details{margin:6px 0}summary{cursor:pointer;color:var(--blue)}#js-errors{color:var(--red);font-weight:700}
"""

JS_HEAD = ("window.onerror=function(m,s,l){var d=document.getElementById('js-errors');"
           "if(!d){d=document.createElement('pre');d.id='js-errors';document.documentElement.appendChild(d);}"
           "d.hidden=false;d.textContent+='JS-ERROR: '+m+' (line '+l+')\\n';};")
JS_BODY = ("(function(){var r=JSON.parse(document.getElementById('results').textContent);"
           "document.body.setAttribute('data-js','ok');"
           "var n=document.getElementById('json-size');if(n){n.textContent=String((r.samples||[]).length);}})();")


def _goals(results: SessionResults) -> str:
    return goals.html_table(results.goals)


Section = Callable[[SessionResults], str]

SECTIONS: tuple[tuple[str, str, Section], ...] = (
    ("matrix-section", "Flag matrix", html_parts.matrix),
    ("timeline", "Concurrency timeline (median run per combination)", html_sections.timelines),
    ("compare", "Compared with another session", html_sections.compare),
    ("problems", "Failed and invalid runs", html_sections.problems),
    ("goals", "Performance goals", _goals),
    ("phases", "Phases", html_sections.phases),
    ("memory", "Memory against the budget", html_sections.memory),
    ("cpu", "CPU vs wall time (where time is waiting)", html_sections.cpu),
    ("llm", "LLM calls: tokens and where their time went", html_sections.llm),
    ("effects", "Flag effects and interactions", html_sections.effects),
    ("cost", "Cost vs media length", html_sections.cost),
    ("history", "History", html_sections.history),
    ("environment", "Environment", html_sections.environment),
    ("samples", "Raw samples", html_sections.samples),
    ("command", "Reproduce", html_sections.command),
    ("notes", "Method", html_sections.notes),
)


def json_island(document: dict[str, Any]) -> str:
    """JSON that cannot close its <script> element or start a comment (<, >, & escaped)."""
    text = json.dumps(document, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _section(anchor: str, title: str, render: Section, results: SessionResults) -> str:
    try:
        body = render(results)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:  # one bad field, not no report
        body = html_parts.na(f"could not render this section: {type(exc).__name__}: {exc}")
    return f'<section id="{anchor}"><h2>{esc(title)}</h2>{body}</section>' if body else ""


def render_html(results: SessionResults) -> str:
    meta = results.session
    title = f"autointel benchmark: {meta.name}"
    sections = [_section(a, t, f, results) for a, t, f in SECTIONS]
    nav = "".join(f'<a href="#{a}">{esc(t.split(" (")[0])}</a>' for a, t, _ in SECTIONS
                  if f'id="{a}"' in "".join(sections))
    recovered = f'<p class="hint">{esc(meta.recovered)}</p>' if meta.recovered else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style><script>{JS_HEAD}</script></head>\n<body>"
        '<pre id="js-errors" hidden></pre>'
        f"<header><h1>{esc(title)}</h1><p class=\"meta\">run {esc(meta.run_id or '?')} &middot; source "
        f"{esc(meta.source or '?')} &middot; " + (f"depth {esc(meta.depth)} &middot; " if meta.depth else "")
        + "seed "
        f"{esc(meta.seed)} &middot; finished {esc(meta.finished_at or 'unknown')} &middot; "
        f'<span id="json-size">?</span> runs embedded as JSON</p>{recovered}<nav>{nav}</nav></header>\n'
        + _section("banner-section", "Verdict", html_parts.banner, results).replace("<h2>Verdict</h2>", "", 1)
        + "\n".join(sections)
        + f'\n<script type="application/json" id="results">{json_island(results.to_dict())}</script>'
        f"<script>{JS_BODY}</script></body></html>\n"
    )


def write_html_report(results: SessionResults, path: Path) -> None:
    """Write the report atomically, so a reader never opens half a page."""
    from autointel.atomic import atomic_write_text

    atomic_write_text(path, render_html(results))
