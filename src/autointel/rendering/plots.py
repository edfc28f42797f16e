"""Timing plots: per-phase histograms, stacked phase medians and the median run's Gantt chart.

Every function takes the session's results and returns an inline SVG string, or None when they
hold nothing to draw (the HTML then says "not measured"). Values are plotted as analyze stored
them; the only arithmetic is unit scaling (s -> ms) and axis limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autointel.model.bench_results import CellStats, SessionResults
from autointel.model.statistics import Summary
from autointel.rendering import data
from autointel.rendering.fmt import finite, num
from autointel.rendering.svg import VERDICT_COLORS, label_width_in, new_figure, phase_color, to_svg

MS = 1000.0


def _value(value: float | None, *fallbacks: float | None) -> float:
    """The first finite of the values, else 0 (a bar or marker with nothing measured starts at the axis)."""
    return next((v for v in (value, *fallbacks) if finite(v)), 0.0)


def _phase_median(summaries: Mapping[str, Summary | None], phase: str) -> float:
    """A phase's median from a cell's per-phase summaries (its spans, or its own work), 0 without one."""
    summary = summaries.get(phase)
    return _value(summary.median if summary is not None else None)


def phase_histograms(results: SessionResults) -> str | None:
    """One panel per phase; in it one histogram row per combination (counted runs only), all rows of a
    panel on shared bins so the combinations can be compared by eye."""
    phases = data.phase_names(results)
    runs = [(c, counted) for c in results.cells if (counted := data.counted_samples(results, c))]
    if not phases or not runs:
        return None
    with_engine = data.multi_engine(results)
    labels = [data.label(c, with_engine) for c, _ in runs]
    left = label_width_in(labels)
    fig = new_figure(min(2.3 * len(phases), 12.0) + left, 0.3 * len(runs) + 1.0, left_in=left)
    fig.subplots_adjust(wspace=0.08)
    axes = fig.subplots(1, len(phases), squeeze=False, sharey=True)[0]
    for ax, phase in zip(axes, phases, strict=True):
        color = phase_color(phases, phase)
        values = [[float(s.phases[phase].get("wall_s", 0.0)) * MS for s in counted if phase in s.phases]
                  for _, counted in runs]
        pooled = [v for vs in values for v in vs]
        if not pooled:
            continue
        low, high = min(pooled), max(pooled)
        edges = [low + (high - low or 1e-9) * k / 12 for k in range(13)]  # shared bins: axis layout only
        for row, own in enumerate(values):
            y = len(runs) - 1 - row
            if own:  # bar height = share of the cell's runs in the bin, scaled to 0.9 of a row
                ax.hist(own, bins=edges, bottom=y, weights=[0.9 / len(own)] * len(own), color=color,
                        histtype="stepfilled", alpha=0.85)
        ax.hlines(range(len(runs)), low, high, color="#bdbdbd", lw=0.5)
        ax.set_title(phase)
        ax.set_xlabel("ms")
    axes[0].set_yticks([len(runs) - 1 - i + 0.3 for i in range(len(runs))], labels, fontsize=8)
    axes[0].set_ylim(0, len(runs))
    return to_svg(fig, "phasehist", "Per-phase duration histograms per combination")


def phase_stack(results: SessionResults) -> str | None:
    """Each phase's own work (thread CPU medians) stacked per combination, with the e2e median and its CI as a black
    marker: CPU adds up, while spans overlap under the flags and would stack past the run's own length."""
    phases = data.phase_names(results)
    cells = [(c, c.e2e) for c in results.cells if c.e2e is not None]
    if not phases or not cells:
        return None
    labels = [data.label(c, data.multi_engine(results)) for c, _ in cells]
    fig = new_figure(10.0, 0.36 * len(cells) + 1.2, left_in=label_width_in(labels, 9), top_in=0.45)
    ax = fig.add_subplot()
    ys = list(range(len(cells)))[::-1]
    lefts = [0.0] * len(cells)
    own_work = any(c.phase_cpu for c, _ in cells)  # results written before phases carried CPU: their spans
    for phase in phases:  # stacking: each bar starts where the previous phase's bar ended
        widths = [_phase_median(c.phase_cpu if own_work else c.phases, phase) * MS for c, _ in cells]
        ax.barh(ys, widths, left=lefts, color=phase_color(phases, phase), label=phase, height=0.6)
        lefts = [left + width for left, width in zip(lefts, widths, strict=True)]
    e2e: list[Summary] = [e for _, e in cells]
    med = [_value(e.median) * MS for e in e2e]
    err = [[m - _value(e.ci_low, e.median) * MS for m, e in zip(med, e2e, strict=True)],
           [_value(e.ci_high, e.median) * MS - m for m, e in zip(med, e2e, strict=True)]]
    ax.errorbar(med, ys, xerr=err, fmt="D", color="black", markersize=4, capsize=3, label="e2e median [95% CI]")
    ax.set_yticks(ys, labels)
    ax.set_xlabel("ms: thread CPU per phase (own work); the e2e marker also counts waiting (LLM turns, I/O)"
                  if own_work else "ms: phase spans (they overlap under the flags, so a stack can pass the e2e marker)")
    fig.legend(loc="upper center", ncol=len(phases) + 1, fontsize=8, frameon=False)
    return to_svg(fig, "phasestack", "Own work per phase, stacked per combination" if own_work
                  else "Phase spans, stacked per combination")


def _start(step: dict[str, Any]) -> tuple[float, str]:
    return float(step.get("start_s", 0.0)), str(step.get("name"))


def gantt(results: SessionResults, cell: CellStats, key: str, x_max_s: float | None) -> str | None:
    """One row per step of the cell's median run, coloured by phase; hover shows thread and timing."""
    sample = data.representative(results, cell)
    steps = sorted((s for s in (sample.steps if sample is not None else []) if isinstance(s, dict)), key=_start)
    if not steps:
        return None
    phases = data.phase_names(results)
    names = [str(s.get("name")) for s in steps]
    fig = new_figure(7.2, 0.2 * len(steps) + 0.9, left_in=label_width_in(names, 7), top_in=0.15)
    ax = fig.add_subplot()
    tips: dict[str, str] = {}
    for i, step in enumerate(steps):
        start, end = float(step.get("start_s", 0.0)), float(step.get("end_s", 0.0))
        bars = ax.barh(len(steps) - 1 - i, max(end - start, 0.0) * MS, left=start * MS, height=0.7,
                       color=phase_color(phases, str(step.get("phase"))),
                       edgecolor=VERDICT_COLORS["fail"] if step.get("status") == "failed" else "none")
        gid = f"tip-{i}"
        bars.patches[0].set_gid(gid)
        deps = step.get("deps")
        tips[gid] = (f"{step.get('name')} ({step.get('phase')}) on thread {step.get('thread')}: "
                     f"{num(start * MS, '{:.1f}')}-{num(end * MS, '{:.1f}')} ms, status {step.get('status', '?')}, "
                     f"after {', '.join(map(str, deps if isinstance(deps, list) else [])) or 'nothing'}")
    ax.set_yticks(range(len(steps)), names[::-1], fontsize=7)
    if x_max_s:
        ax.set_xlim(0, x_max_s * MS * 1.02)
    ax.set_xlabel("ms since run start")
    ax.grid(axis="x", alpha=0.3)
    return to_svg(fig, key, f"Timeline of the median run of {cell.combo}", tips)
