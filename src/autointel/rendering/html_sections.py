"""The report's sections after the banner and matrix; each returns an HTML fragment.

A section with nothing in results.json to show says so ("not measured in this session") instead
of failing; `html.write_html_report` additionally contains any section that still raises.
"""

from __future__ import annotations

import shlex
from typing import Any

from autointel.rendering import data, plots, plots_budget
from autointel.rendering.fmt import MIB, as_dict, as_list, ci, mib, num
from autointel.rendering.html_parts import css_class, esc, figure, na, table
from autointel.rendering.markdown import COMPARE_HEADERS, compare_rows


def phases(results: dict[str, Any]) -> str:
    return (figure(plots.phase_histograms(results), "Per-phase wall time of every counted run (ms), one row "
                   "per combination, one column per phase.")
            + figure(plots.phase_stack(results), "Phase medians stacked per combination, e2e median [95% CI] "
                     "as a black diamond.")
            + _phase_verdicts(results))


def _phase_verdicts(results: dict[str, Any]) -> str:
    """Phase comparisons pivoted: combination x phase, each cell the ratio [CI] coloured by its verdict."""
    found = {(str(c.get("engine")), str(c.get("name")), str(c.get("metric", "")).removeprefix("phase:")): c
             for c in as_list(results.get("comparisons")) if str(c.get("metric", "")).startswith("phase:")}
    if not found:
        return ""
    order = data.phase_names(results)
    names = sorted(dict.fromkeys(k[2] for k in found), key=lambda n: order.index(n) if n in order else len(order))
    keys = list(dict.fromkeys(k[:2] for k in found))
    multi = len({k[0] for k in keys}) > 1
    rows = []
    for engine, combo in keys:
        tds = "".join(
            f'<td class="{css_class(c.get("verdict"))}" title="{esc(c.get("verdict"))}">'
            f'{esc(ci(c, "ratio", "ratio_ci_low", "ratio_ci_high"))}<br><small>{esc(c.get("verdict"))}</small></td>'
            if (c := found.get((engine, combo, n))) else "<td>-</td>" for n in names)
        rows.append(f"<tr><td>{esc(combo + (f' ({engine})' if multi else ''))}</td>{tds}</tr>")
    head = "".join(f"<th>{esc(n)}</th>" for n in ["combination", *names])
    return ("<h3>Phases vs baseline: ratio of medians [95% CI], Holm-adjusted per phase</h3>"
            f'<table class="compact pivot"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def timelines(results: dict[str, Any]) -> str:
    cells = data.cells(results)
    reps = [as_dict(c.get("representative")) for c in cells]
    longest = max((float(r["e2e_s"]) for r in reps if isinstance(r.get("e2e_s"), (int, float))), default=None)
    with_engine = data.multi_engine(results)
    parts = []
    for i, cell in enumerate(cells):
        rep = as_dict(cell.get("representative"))
        svg = plots.gantt(results, cell, f"gantt{i}", longest)
        caption = (f"{data.label(cell, with_engine)}: median run #{rep.get('order')}, e2e "
                   f"{num((rep.get('e2e_s') or 0) * 1000, '{:.1f}')} ms, at most {rep.get('max_parallel', '-')} "
                   "steps overlapped. Hover a bar for its thread.")
        parts.append(f'<div class="gantt"><h3>{esc(data.label(cell, with_engine))}</h3>'
                     f"{figure(svg, caption, 'no counted run: no timeline')}</div>")
    return (f'<div class="grid">{"".join(parts)}</div>' + _bounds(results)) if parts else na()


def _bounds(results: dict[str, Any]) -> str:
    """How close each combination came to its DAG's critical path, and how far that DAG allows at all."""
    headroom = {(str(h.get("engine")), str(h.get("combo"))): h for h in as_list(results.get("headroom"))}
    rows = [[str(c.get("engine")), str(c.get("combo")), str(c.get("bound_kind") or "-"),
             ci(as_dict(c.get("critical_path_bound")), "median", "ci_low", "ci_high", "{:.2f}"),
             ci(as_dict(c.get("e2e_per_bound")), "median", "ci_low", "ci_high"),
             ci(headroom.get((str(c.get("engine")), str(c.get("combo")))), "ratio", "ratio_ci_low", "ratio_ci_high")]
            for c in data.cells(results) if c.get("critical_path_bound")]
    headers = ["engine", "combination", "DAG", "critical-path bound s [95% CI]", "e2e / bound [95% CI]",
               "bound / baseline e2e [95% CI]"]
    return table(headers, rows, "compact") if rows else ""


def memory(results: dict[str, Any]) -> str:
    notes = sorted({str(m["note"]) for m in as_list(results.get("memory")) if m.get("note")})
    return (figure(plots_budget.memory(results), "Peak RSS relative to baseline with 95% CI (colour = verdict) "
                   "against the budget line; absolute medians on the right.")
            + "".join(f'<p class="hint">{esc(n)}</p>' for n in notes))


def cpu(results: dict[str, Any]) -> str:
    return figure(plots_budget.cpu_wall(results), "Median process CPU vs median wall time per combination; "
                  "CPU/wall is the median over runs of CPU seconds per wall second (above 1 = several cores busy).")


def effects(results: dict[str, Any]) -> str:
    rows = [[str(e.get("engine")), str(e.get("kind")), str(e.get("name")),
             ci(e, "ratio", "ratio_ci_low", "ratio_ci_high"), ci(e, "estimate", "ci_low", "ci_high", "{:.4f}"),
             str(e.get("scale")), str(e.get("n_units"))] for e in as_list(results.get("effects"))]
    body = figure(plots_budget.forest(results), "Ratios with 95% CIs; 1 = no effect; blue = main effect, "
                  "purple = two-way interaction.", "not measured in this session (needs >= 2 cells with >= 2 runs)")
    return body + (table(["engine", "kind", "effect", "ratio [95% CI]", "estimate [95% CI]", "scale", "units"],
                         rows, "compact") if rows else "")


def cost(results: dict[str, Any]) -> str:
    body = figure(plots_budget.cost_vs_length(results), "Median e2e against media duration.",
                  "not measured in this session (needs benchmarks over several media durations)")
    rows = [[str(m.get("engine")), str(m.get("combo")), ", ".join(f"{x:g}" for x in as_list(m.get("minutes"))),
             ci(m, "fixed_s", "fixed_ci_low", "fixed_ci_high", "{:.2f}"),
             ci(m, "per_minute_s", "per_minute_ci_low", "per_minute_ci_high", "{:.2f}")]
            for m in as_list(results.get("cost_model"))]
    headers = ["engine", "combination", "minutes", "fixed s per run [95% CI]", "s per minute of media [95% CI]"]
    return body + (table(headers, rows, "compact") if rows else "")


def history(results: dict[str, Any]) -> str:
    rows = [[str(h.get("engine")), str(h.get("n_sessions")), ", ".join(map(str, as_list(h.get("run_ids")))),
             ci(h, "ratio", "ratio_ci_low", "ratio_ci_high"), str(h.get("verdict"))]
            for h in as_list(results.get("history"))]
    if not rows:
        return na("no history file was given for this session")
    return (figure(plots_budget.history(results), "Baseline medians of earlier comparable sessions and this one "
                   "(95% CI).", "no earlier comparable session yet")
            + table(["engine", "sessions", "run ids", "ratio now/history [95% CI]", "verdict"], rows, "compact"))


def environment(results: dict[str, Any]) -> str:
    meta = as_dict(results.get("session"))
    machine = as_dict(meta.get("machine"))
    rows: list[list[Any]] = [
            ["run id", meta.get("run_id")], ["bench", meta.get("name")], ["source", meta.get("source")],
            ["depth", meta.get("depth")], ["LLM profile", meta.get("llm_profile")],
            ["started / finished", f"{meta.get('started_at')} / {meta.get('finished_at')}"],
            ["commit", machine.get("git_commit") or "unknown"], ["python", f"{machine.get('implementation', '')} "
                                                                            f"{machine.get('python', '?')}"],
            ["platform", machine.get("platform")], ["node", machine.get("node")],
            ["CPUs logical / physical", f"{machine.get('cpu_count')} / {machine.get('cpu_count_physical')}"],
            ["memory", f"{mib(machine.get('memory_total_bytes'))} MiB"]]
    packages = [[k, str(v or "not installed")] for k, v in as_dict(machine.get("packages")).items()]
    settings = [[k, str(v)] for k, v in as_dict(meta.get("settings")).items()]
    options = [[k, str(v)] for k, v in as_dict(meta.get("options")).items()]
    groups: list[tuple[str, list[list[str]]]] = [("package versions", packages), ("settings", settings),
                                                 ("bench options", options)]
    return (table(["", ""], [[str(k), "unknown" if v is None else str(v)] for k, v in rows], "kv")
            + '<div class="grid">' + "".join(
                f"<details><summary>{esc(t)} ({len(r)})</summary>{table(['name', 'value'], r, 'kv')}</details>"
                for t, r in groups) + "</div>")


def samples(results: dict[str, Any]) -> str:
    rows = [[str(s.get("order")), str(s.get("combo")), str(s.get("engine")), str(s.get("iteration")),
             "yes" if s.get("warmup") else "", str(s.get("purpose", "measure")), str(s.get("status")),
             "yes" if s.get("valid") else "no", num(s.get("e2e_s"), "{:.4f}"), num(s.get("cpu_process_s"), "{:.4f}"),
             num((s.get("peak_rss_bytes") or 0) / MIB, "{:.1f}"), str(s.get("error") or s.get("invalid_reason") or "")]
            for s in as_list(results.get("samples")) if isinstance(s, dict)]
    if not rows:
        return na("no raw samples in this results file")
    return (f"<details><summary>{len(rows)} recorded runs (warmups and diagnostic runs included; only measured, "
            "ok and valid runs enter the statistics)</summary>"
            + table(["order", "combination", "engine", "iteration", "warmup", "purpose", "status", "valid", "e2e s",
                     "CPU s", "peak RSS MiB", "error / invalid reason"], rows, "compact samples") + "</details>")


def command(results: dict[str, Any]) -> str:
    meta = as_dict(results.get("session"))
    argv = [str(a) for a in as_list(meta.get("command_line"))]
    if not argv:
        return na("the command line was not recorded")
    seed = meta.get("seed")
    hint = "" if any("seed" in a for a in argv) or seed is None else (
        f'<p class="hint">The seed was random: add <code>--autointel-seed={esc(seed)}</code> to repeat this '
        "session's run order and bootstraps.</p>")
    return f'<pre id="command-line"><code>{esc(shlex.join(argv))}</code></pre>{hint}'


def compare(results: dict[str, Any]) -> str:
    other = as_dict(as_dict(results.get("compare")).get("other"))
    if not other:
        return ""
    rows = compare_rows(results)
    head = "".join(f"<th>{esc(h)}</th>" for h in COMPARE_HEADERS)
    body = "".join(f'<tr class="{css_class(r[-1])}">' + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>"
                   for r in rows)
    return (f"<p>This session against <code>{esc(other.get('run_id', '?'))}</code> ({esc(other.get('path', ''))}); "
            "ratio &gt; 1 means this session is slower.</p>"
            f'<table class="compact"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def problems(results: dict[str, Any]) -> str:
    rows = [[f"{c.get('engine')} {c.get('combo')}", str(x)] for c in data.cells(results)
            for x in as_list(c.get("errors")) + as_list(c.get("invalid_reasons"))]
    return table(["cell", "error / invalid reason"], rows, "compact") if rows else ""


def notes(results: dict[str, Any]) -> str:
    items = "".join(f"<li>{esc(n)}</li>" for n in as_list(results.get("notes")))
    return f"<ul>{items}</ul>" if items else na("no method notes recorded")
