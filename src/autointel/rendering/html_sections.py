"""The report's sections after the banner and matrix; each returns an HTML fragment.

A section with nothing in the results to show says so ("not measured in this session") instead
of failing; `html.write_html_report` additionally contains any section that still raises.
"""

from __future__ import annotations

import shlex

from autointel.model.bench_results import MetricComparison, SessionResults
from autointel.rendering import data, plots, plots_budget
from autointel.rendering.fmt import MIB, ci, finite, median_ci, mib, num, ratio_ci
from autointel.rendering.html_parts import css_class, esc, figure, na, table
from autointel.rendering.markdown import COMPARE_HEADERS, compare_rows
from autointel.rendering.tables import LLM_HEADERS, LLM_NOTE, llm_rows


def phases(results: SessionResults) -> str:
    return (figure(plots.phase_histograms(results), "Per-phase span (wall, waiting included) of every counted run "
                   "(ms), one row per combination, one column per phase.")
            + figure(plots.phase_stack(results), "Each phase's own work (the thread CPU of its steps), medians "
                     "stacked per combination, with the e2e median [95% CI] as a black diamond. Spans overlap "
                     "under the flags and include waiting: the timeline below shows them as they ran.")
            + _phase_verdicts(results))


def _phase_cell(own: MetricComparison | None, span: MetricComparison | None) -> str:
    if own is None and span is None:
        return "<td>-</td>"
    main = own if own is not None else span
    assert main is not None
    label = "own work" if own is not None else "span"
    span_text = f"<br><small>span {esc(ratio_ci(span))}</small>" if own is not None and span is not None else ""
    return (f'<td class="{css_class(main.verdict)}" title="{esc(label)}: {esc(main.verdict)}">'
            f"{esc(ratio_ci(main))}<br><small>{esc(main.verdict)}</small>{span_text}</td>")


def _phase_verdicts(results: SessionResults) -> str:
    """Phase comparisons pivoted: combination x phase, each cell its own work's ratio [CI] coloured by its verdict,
    its span's ratio below (a span includes waiting, so it is shown, never judged)."""
    found = data.phase_comparisons(results)
    if not found:
        return ""
    order = data.phase_names(results)
    names = sorted(dict.fromkeys(k[2] for k in found), key=lambda n: order.index(n) if n in order else len(order))
    keys = list(dict.fromkeys(k[:2] for k in found))
    multi = len({k[0] for k in keys}) > 1
    rows = []
    for engine, combo in keys:
        tds = "".join(_phase_cell(*found.get((engine, combo, n), (None, None))) for n in names)
        rows.append(f"<tr><td>{esc(combo + (f' ({engine})' if multi else ''))}</td>{tds}</tr>")
    head = "".join(f"<th>{esc(n)}</th>" for n in ["combination", *names])
    return ("<h3>Phases vs baseline: own work (thread CPU) ratio of medians [95% CI], Holm-adjusted per phase; "
            "the span's ratio below, for reference (it includes waiting); neither decides the verdict</h3>"
            f'<table class="compact pivot"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def timelines(results: SessionResults) -> str:
    reps = [c.representative for c in results.cells]
    longest = max((r.e2e_s for r in reps if r is not None and finite(r.e2e_s)), default=None)
    with_engine = data.multi_engine(results)
    parts = []
    for i, cell in enumerate(results.cells):
        rep = cell.representative
        svg = plots.gantt(results, cell, f"gantt{i}", longest)
        e2e_ms = (rep.e2e_s if rep is not None and finite(rep.e2e_s) else 0.0) * 1000
        caption = (f"{data.label(cell, with_engine)}: median run #{rep.order if rep else None}, e2e "
                   f"{num(e2e_ms, '{:.1f}')} ms, at most {rep.max_parallel if rep else '-'} "
                   "steps overlapped. Hover a bar for its thread.")
        parts.append(f'<div class="gantt"><h3>{esc(data.label(cell, with_engine))}</h3>'
                     f"{figure(svg, caption, 'no counted run: no timeline')}</div>")
    return (f'<div class="grid">{"".join(parts)}</div>' + _bounds(results)) if parts else na()


def _bounds(results: SessionResults) -> str:
    """How close each combination came to its DAG's critical path, and how far that DAG allows at all."""
    headroom = {(h.engine, h.combo): h for h in results.headroom}
    rows = [[c.engine, c.combo, c.bound_kind or "-", median_ci(c.critical_path_bound, "{:.2f}"),
             median_ci(c.e2e_per_bound), ratio_ci(headroom.get(data.key(c)))]
            for c in results.cells if c.critical_path_bound is not None]
    headers = ["engine", "combination", "DAG", "critical-path bound s [95% CI]", "e2e / bound [95% CI]",
               "bound / baseline e2e [95% CI]"]
    return table(headers, rows, "compact") if rows else ""


def memory(results: SessionResults) -> str:
    notes = sorted({m.note for m in results.memory if m.note})
    return (figure(plots_budget.memory(results), "Peak RSS relative to baseline with 95% CI (colour = verdict) "
                   "against the budget line; absolute medians on the right.")
            + "".join(f'<p class="hint">{esc(n)}</p>' for n in notes))


def cpu(results: SessionResults) -> str:
    return figure(plots_budget.cpu_wall(results), "Median process CPU vs median wall time per combination; "
                  "CPU/wall is the median over runs of CPU seconds per wall second (above 1 = several cores busy).")


def effects(results: SessionResults) -> str:
    rows = [[e.engine, e.kind, e.name, ratio_ci(e), ci(e.estimate, e.ci_low, e.ci_high, "{:.4f}"), e.scale,
             str(e.n_units)] for e in results.effects]
    body = figure(plots_budget.forest(results), "Ratios with 95% CIs; 1 = no effect; blue = main effect, "
                  "purple = two-way interaction.", "not measured in this session (needs >= 2 cells with >= 2 runs)")
    return body + (table(["engine", "kind", "effect", "ratio [95% CI]", "estimate [95% CI]", "scale", "units"],
                         rows, "compact") if rows else "")


def cost(results: SessionResults) -> str:
    body = figure(plots_budget.cost_vs_length(results), "Median e2e against media duration.",
                  "not measured in this session (needs benchmarks over several media durations)")
    rows = [[m.engine, m.combo, ", ".join(f"{x:g}" for x in m.minutes),
             ci(m.fixed_s, m.fixed_ci_low, m.fixed_ci_high, "{:.2f}"),
             ci(m.per_minute_s, m.per_minute_ci_low, m.per_minute_ci_high, "{:.2f}")]
            for m in results.cost_model]
    headers = ["engine", "combination", "minutes", "fixed s per run [95% CI]", "s per minute of media [95% CI]"]
    return body + (table(headers, rows, "compact") if rows else "")


def llm(results: SessionResults) -> str:
    rows = llm_rows(results)
    if not rows:
        return na("no LLM call took time in this session")
    return f'<p class="hint">{esc(LLM_NOTE)}</p>' + table(LLM_HEADERS, rows, "compact")


def history(results: SessionResults) -> str:
    rows = [[h.engine, str(h.n_sessions), ", ".join(map(str, h.run_ids)), ratio_ci(h), h.verdict]
            for h in results.history]
    if not rows:
        return na("no history file was given for this session")
    return (figure(plots_budget.history(results), "Baseline medians of earlier comparable sessions and this one "
                   "(95% CI).", "no earlier comparable session yet")
            + table(["engine", "sessions", "run ids", "ratio now/history [95% CI]", "verdict"], rows, "compact"))


def _present(*rows: tuple[str, str | None]) -> list[list[object]]:
    """The rows whose value the pipeline has (another pipeline has no depth or LLM profile)."""
    return [[label, value] for label, value in rows if value]


def environment(results: SessionResults) -> str:
    meta = results.session
    machine = meta.machine
    rows: list[list[object]] = [
            ["run id", meta.run_id], ["bench", meta.name], ["source", meta.source],
            *_present(("depth", meta.depth), ("LLM profile", meta.llm_profile)),
            ["started / finished", f"{meta.started_at} / {meta.finished_at}"],
            ["commit", machine.get("git_commit") or "unknown"], ["python", f"{machine.get('implementation', '')} "
                                                                            f"{machine.get('python', '?')}"],
            ["platform", machine.get("platform")], ["node", machine.get("node")],
            ["CPUs logical / physical", f"{machine.get('cpu_count')} / {machine.get('cpu_count_physical')}"],
            ["memory", f"{mib(machine.get('memory_total_bytes'))} MiB"]]
    packages = machine.get("packages")
    package_rows = [[str(k), str(v or "not installed")] for k, v in packages.items()] \
        if isinstance(packages, dict) else []
    settings = [[k, str(v)] for k, v in meta.settings.items()]
    options = [[k, str(v)] for k, v in meta.options.items()]
    groups: list[tuple[str, list[list[str]]]] = [("package versions", package_rows), ("settings", settings),
                                                 ("bench options", options)]
    return (table(["", ""], [[str(k), "unknown" if v is None else str(v)] for k, v in rows], "kv")
            + '<div class="grid">' + "".join(
                f"<details><summary>{esc(t)} ({len(r)})</summary>{table(['name', 'value'], r, 'kv')}</details>"
                for t, r in groups) + "</div>")


def samples(results: SessionResults) -> str:
    rows = [[str(s.order), s.combo, s.engine, str(s.iteration), "yes" if s.warmup else "", s.purpose, s.status,
             "yes" if s.valid else "no", num(s.e2e_s, "{:.4f}"), num(s.cpu_process_s, "{:.4f}"),
             num((s.peak_rss_bytes or 0) / MIB, "{:.1f}"), s.error or s.invalid_reason or ""]
            for s in results.samples]
    if not rows:
        return na("no raw samples in this results file")
    return (f"<details><summary>{len(rows)} recorded runs (warmups and diagnostic runs included; only measured, "
            "ok and valid runs enter the statistics)</summary>"
            + table(["order", "combination", "engine", "iteration", "warmup", "purpose", "status", "valid", "e2e s",
                     "CPU s", "peak RSS MiB", "error / invalid reason"], rows, "compact samples") + "</details>")


def command(results: SessionResults) -> str:
    meta = results.session
    argv = list(meta.command_line)
    if not argv:
        return na("the command line was not recorded")
    hint = "" if any("seed" in a for a in argv) else (
        f'<p class="hint">The seed was random: add <code>--autointel-seed={esc(meta.seed)}</code> to repeat this '
        "session's run order and bootstraps.</p>")
    return f'<pre id="command-line"><code>{esc(shlex.join(argv))}</code></pre>{hint}'


def compare(results: SessionResults) -> str:
    if results.compare is None:
        return ""
    other = results.compare.other
    head = "".join(f"<th>{esc(h)}</th>" for h in COMPARE_HEADERS)
    body = "".join(f'<tr class="{css_class(r[-1])}">' + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>"
                   for r in compare_rows(results))
    return (f"<p>This session against <code>{esc(other.run_id or '?')}</code> ({esc(other.path)}); "
            "ratio &gt; 1 means this session is slower.</p>"
            f'<table class="compact"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def problems(results: SessionResults) -> str:
    rows = [[f"{c.engine} {c.combo}", x] for c in results.cells for x in (*c.errors, *c.invalid_reasons)]
    return table(["cell", "error / invalid reason"], rows, "compact") if rows else ""


def notes(results: SessionResults) -> str:
    items = "".join(f"<li>{esc(n)}</li>" for n in results.notes)
    return f"<ul>{items}</ul>" if items else na("no method notes recorded")
