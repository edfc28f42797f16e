"""Budget and model plots: memory vs budget, CPU vs wall, flag effects (forest), history, cost vs length.

Like `plots`, each returns an inline SVG or None when the results have nothing to draw, and plots
only the values analyze stored (point estimates and CI bounds), never a new statistic.
"""

from __future__ import annotations

from matplotlib.ticker import FuncFormatter

from autointel.model.bench_results import SessionResults
from autointel.model.statistics import Summary
from autointel.rendering import data
from autointel.rendering.fmt import MIB, finite, median, num
from autointel.rendering.svg import VERDICT_COLORS, label_width_in, new_figure, to_svg

MS = 1000.0


def _err(point: float, low: float | None, high: float | None) -> tuple[float, float]:
    """Distances from the point to its CI bounds (missing bounds draw no whisker)."""
    lo = low if finite(low) else point
    hi = high if finite(high) else point
    return max(point - lo, 0.0), max(hi - point, 0.0)


def _or_zero(value: float) -> float:
    return value if finite(value) else 0.0


def memory(results: SessionResults) -> str | None:
    """Left: peak RSS ratio vs baseline with CI against the budget line (colour = verdict).
    Right: median peak RSS per combination, MiB."""
    rows = data.memory_rows(results)
    cells = [(c, c.peak_rss) for c in results.cells
             if c.peak_rss is not None and finite(c.peak_rss.median) and c.peak_rss.median]
    if not cells:
        return None
    labels = [data.label(c, data.multi_engine(results)) for c, _ in cells]
    fig = new_figure(10.0, 0.34 * len(cells) + 1.1, left_in=label_width_in(labels, 9), top_in=0.4)
    left, right = fig.subplots(1, 2, sharey=True)
    fig.subplots_adjust(wspace=0.06)
    budget: float | None = None
    for y, (cell, rss) in zip(range(len(cells) - 1, -1, -1), cells, strict=True):
        row = rows.get(data.key(cell))
        if row is not None and finite(row.ratio):
            ratio, verdict = row.ratio, row.verdict
            lo, hi = _err(ratio, row.ci_low, row.ci_high)
            color = VERDICT_COLORS.get(verdict, "#555")
            left.errorbar([ratio], [y], xerr=[[lo], [hi]], fmt="o", capsize=3, color=color)
            left.annotate(f" {verdict}", (ratio + hi, y), va="center", fontsize=7)
            budget = row.budget or 0.0
        point = rss.median / MIB
        lo, hi = _err(point, _or_zero(rss.ci_low) / MIB, _or_zero(rss.ci_high) / MIB)
        right.barh(y, point, color="#90a4ae", height=0.6)
        right.errorbar([point], [y], xerr=[[lo], [hi]], fmt="none", color="black", capsize=2)
    left.axvline(1.0, color="#1565c0", lw=1, label="baseline")
    if budget is not None:
        left.axvline(1.0 + budget, color=VERDICT_COLORS["fail"], ls="--", lw=1.2, label=f"budget +{budget:.0%}")
    left.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0, 1), ncol=2, frameon=False)
    left.set_yticks(range(len(cells) - 1, -1, -1), labels)
    left.set_xlabel("peak RSS / baseline [95% CI]")
    left.margins(x=0.25)
    right.set_xlabel("median peak RSS, MiB [95% CI]")
    return to_svg(fig, "memory", "Peak memory per combination against the budget")


def cpu_wall(results: SessionResults) -> str | None:
    """Median wall vs median process CPU per combination: the gap is time spent waiting."""
    cells = [c for c in results.cells if finite(median(c.e2e))]
    if not cells:
        return None
    labels = [data.label(c, data.multi_engine(results)) for c in cells]
    fig = new_figure(9.0, 0.45 * len(cells) + 1.25, left_in=label_width_in(labels, 9), top_in=0.35)
    ax = fig.add_subplot()
    for y, cell in enumerate(reversed(cells)):
        wall = median(cell.e2e) * MS
        cpu = median(cell.cpu)
        ax.barh(y + 0.18, wall, height=0.34, color="#b0bec5", label="wall (e2e median)" if y == 0 else None)
        if finite(cpu):
            ax.barh(y - 0.18, cpu * MS, height=0.34, color="#6a1b9a",
                    label="process CPU (median)" if y == 0 else None)
        ax.text(wall, y + 0.18, f"  CPU/wall {num(median(cell.cpu_per_wall), '{:.2f}')}", va="center", fontsize=7)
    ax.set_yticks(range(len(cells)), labels[::-1])
    ax.set_xlabel("ms (wall without CPU = waiting: I/O, sleeps, locks, LLM latency)")
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0, 1), ncol=2, frameon=False)  # above: never on a bar
    ax.margins(x=0.18)
    return to_svg(fig, "cpuwall", "CPU time versus wall time per combination")


def forest(results: SessionResults) -> str | None:
    """Flag main effects and interactions as ratios with CIs on a log axis (1 = no effect)."""
    rows = [e for e in results.effects if finite(e.ratio)]
    if not rows:
        return None
    multi = len({e.engine for e in rows}) > 1
    labels = [(f"{e.engine}: " if multi else "") + f"{e.kind}: {e.name}" for e in rows]
    fig = new_figure(9.0, 0.3 * len(rows) + 0.9, left_in=label_width_in(labels), top_in=0.1)
    ax = fig.add_subplot()
    for y, row in enumerate(reversed(rows)):
        lo, hi = _err(row.ratio, row.ratio_ci_low, row.ratio_ci_high)
        color = "#1565c0" if row.kind == "main" else "#8e24aa"
        ax.errorbar([row.ratio], [y], xerr=[[lo], [hi]], fmt="s", color=color, capsize=3, markersize=5)
    ax.set_yticks(range(len(rows)), labels[::-1], fontsize=8)
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_xscale("log")
    plain = FuncFormatter(lambda v, _: f"{v:.3g}")
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(plain)
    ax.tick_params(axis="x", which="minor", labelsize=7)
    ax.set_xlabel("ratio on/off (interactions: factor) [95% CI], log scale")
    ax.grid(axis="x", alpha=0.3, which="both")
    return to_svg(fig, "forest", "Flag main effects and interactions")


def history(results: SessionResults) -> str | None:
    """Baseline medians of the last comparable sessions, then this session's (highlighted)."""
    rows = [h for h in results.history if h.medians]
    if not rows:
        return None
    fig = new_figure(8.0, 2.6, left_in=0.8, top_in=0.1)
    ax = fig.add_subplot()
    base: dict[str, Summary] = {c.engine: c.e2e for c in results.cells if c.combo == "baseline" and c.e2e}
    for row in rows:
        past = [m * MS for m in row.medians]
        ax.plot(range(1, len(past) + 1), past, "o-", label=f"{row.engine}: earlier sessions")
        now = base.get(row.engine)
        if now is not None and finite(now.median):
            point = now.median * MS
            lo, hi = _err(point, _or_zero(now.ci_low) * MS, _or_zero(now.ci_high) * MS)
            ax.errorbar([len(past) + 1], [point], yerr=[[lo], [hi]], fmt="D", capsize=3,
                        color=VERDICT_COLORS.get(row.verdict, "#555"),
                        label=f"{row.engine}: this session ({row.verdict})")
    longest = max(len(r.medians) for r in rows)
    ax.set_xticks(range(1, longest + 2), [str(k - longest - 1) for k in range(1, longest + 1)] + ["now"])
    ax.set_xlabel("session (earlier sessions counted back from this one)")
    ax.set_ylabel("baseline median, ms")
    ax.legend(fontsize=8)
    return to_svg(fig, "history", "Baseline median across sessions")


def cost_vs_length(results: SessionResults) -> str | None:
    """Median e2e against media duration, when results carry several media lengths."""
    rows = [r for r in results.cost_vs_length if finite(r.media_duration_s) and finite(r.median_s)]
    if len({r.media_duration_s for r in rows}) < 2:
        return None
    fig = new_figure(7.0, 3.2, left_in=0.8, top_in=0.1)
    ax = fig.add_subplot()
    for combo in dict.fromkeys(r.combo for r in rows):
        own = sorted((r for r in rows if r.combo == combo), key=lambda r: r.media_duration_s)
        ax.plot([r.media_duration_s for r in own], [r.median_s for r in own], "o-", label=combo)
    ax.set_xlabel("media duration, s")
    ax.set_ylabel("median e2e, s")
    ax.legend(fontsize=8)
    return to_svg(fig, "cost", "Cost versus media length")
