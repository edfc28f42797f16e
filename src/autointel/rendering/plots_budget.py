"""Budget and model plots: memory vs budget, CPU vs wall, flag effects (forest), history, cost vs length.

Like `plots`, each returns an inline SVG or None when results.json has nothing to draw, and plots
only the values analyze stored (point estimates and CI bounds), never a new statistic.
"""

from __future__ import annotations

from typing import Any

from matplotlib.ticker import FuncFormatter

from autointel.rendering import data
from autointel.rendering.fmt import MIB, as_dict, as_list, num
from autointel.rendering.svg import VERDICT_COLORS, label_width_in, new_figure, to_svg

MS = 1000.0


def _err(point: float, low: Any, high: Any) -> tuple[float, float]:
    """Distances from the point to its CI bounds (missing bounds draw no whisker)."""
    lo = float(low) if isinstance(low, (int, float)) else point
    hi = float(high) if isinstance(high, (int, float)) else point
    return max(point - lo, 0.0), max(hi - point, 0.0)


def memory(results: dict[str, Any]) -> str | None:
    """Left: peak RSS ratio vs baseline with CI against the budget line (colour = verdict).
    Right: median peak RSS per combination, MiB."""
    rows = data.memory_rows(results)
    cells = [c for c in data.cells(results) if as_dict(c.get("peak_rss")).get("median")]
    if not cells:
        return None
    labels = [data.label(c, data.multi_engine(results)) for c in cells]
    fig = new_figure(10.0, 0.34 * len(cells) + 1.1, left_in=label_width_in(labels, 9), top_in=0.4)
    left, right = fig.subplots(1, 2, sharey=True)
    fig.subplots_adjust(wspace=0.06)
    budget: float | None = None
    for y, cell in zip(range(len(cells) - 1, -1, -1), cells, strict=True):
        row = rows.get((str(cell.get("engine")), str(cell.get("combo"))), {})
        if isinstance(row.get("ratio"), (int, float)):
            ratio, verdict = float(row["ratio"]), str(row.get("verdict"))
            lo, hi = _err(ratio, row.get("ci_low"), row.get("ci_high"))
            color = VERDICT_COLORS.get(verdict, "#555")
            left.errorbar([ratio], [y], xerr=[[lo], [hi]], fmt="o", capsize=3, color=color)
            left.annotate(f" {verdict}", (ratio + hi, y), va="center", fontsize=7)
            budget = float(row.get("budget") or 0.0)
        rss = as_dict(cell.get("peak_rss"))
        point = float(rss["median"]) / MIB
        lo, hi = _err(point, (rss.get("ci_low") or 0) / MIB, (rss.get("ci_high") or 0) / MIB)
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


def cpu_wall(results: dict[str, Any]) -> str | None:
    """Median wall vs median process CPU per combination: the gap is time spent waiting."""
    cells = [c for c in data.cells(results) if as_dict(c.get("e2e")).get("median") is not None]
    if not cells:
        return None
    labels = [data.label(c, data.multi_engine(results)) for c in cells]
    fig = new_figure(9.0, 0.45 * len(cells) + 1.0, left_in=label_width_in(labels, 9), top_in=0.1)
    ax = fig.add_subplot()
    for y, cell in enumerate(reversed(cells)):
        wall = float(as_dict(cell.get("e2e"))["median"]) * MS
        cpu = as_dict(cell.get("cpu")).get("median")
        ax.barh(y + 0.18, wall, height=0.34, color="#b0bec5", label="wall (e2e median)" if y == 0 else None)
        if isinstance(cpu, (int, float)):
            ax.barh(y - 0.18, float(cpu) * MS, height=0.34, color="#6a1b9a",
                    label="process CPU (median)" if y == 0 else None)
        share = as_dict(cell.get("cpu_per_wall")).get("median")
        ax.text(wall, y + 0.18, f"  CPU/wall {num(share, '{:.2f}')}", va="center", fontsize=7)
    ax.set_yticks(range(len(cells)), labels[::-1])
    ax.set_xlabel("ms (wall without CPU = waiting: I/O, sleeps, locks, LLM latency)")
    ax.legend(fontsize=8, loc="lower right")
    ax.margins(x=0.18)
    return to_svg(fig, "cpuwall", "CPU time versus wall time per combination")


def forest(results: dict[str, Any]) -> str | None:
    """Flag main effects and interactions as ratios with CIs on a log axis (1 = no effect)."""
    rows = [e for e in as_list(results.get("effects")) if isinstance(e.get("ratio"), (int, float))]
    if not rows:
        return None
    multi = len({e.get("engine") for e in rows}) > 1
    labels = [(f"{e.get('engine')}: " if multi else "") + f"{e.get('kind')}: {e.get('name')}" for e in rows]
    fig = new_figure(9.0, 0.3 * len(rows) + 0.9, left_in=label_width_in(labels), top_in=0.1)
    ax = fig.add_subplot()
    for y, row in enumerate(reversed(rows)):
        ratio = float(row["ratio"])
        lo, hi = _err(ratio, row.get("ratio_ci_low"), row.get("ratio_ci_high"))
        color = "#1565c0" if row.get("kind") == "main" else "#8e24aa"
        ax.errorbar([ratio], [y], xerr=[[lo], [hi]], fmt="s", color=color, capsize=3, markersize=5)
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


def history(results: dict[str, Any]) -> str | None:
    """Baseline medians of the last comparable sessions, then this session's (highlighted)."""
    rows = [h for h in as_list(results.get("history")) if as_list(h.get("medians"))]
    if not rows:
        return None
    fig = new_figure(8.0, 2.6, left_in=0.8, top_in=0.1)
    ax = fig.add_subplot()
    base = {c.get("engine"): as_dict(c.get("e2e")) for c in data.cells(results) if c.get("combo") == "baseline"}
    for row in rows:
        past = [float(m) * MS for m in as_list(row.get("medians"))]
        ax.plot(range(1, len(past) + 1), past, "o-", label=f"{row.get('engine')}: earlier sessions")
        now = base.get(row.get("engine"), {})
        if isinstance(now.get("median"), (int, float)):
            point = float(now["median"]) * MS
            lo, hi = _err(point, (now.get("ci_low") or 0) * MS, (now.get("ci_high") or 0) * MS)
            ax.errorbar([len(past) + 1], [point], yerr=[[lo], [hi]], fmt="D", capsize=3,
                        color=VERDICT_COLORS.get(str(row.get("verdict")), "#555"),
                        label=f"{row.get('engine')}: this session ({row.get('verdict')})")
    longest = max(len(as_list(r.get("medians"))) for r in rows)
    ax.set_xticks(range(1, longest + 2), [str(k - longest - 1) for k in range(1, longest + 1)] + ["now"])
    ax.set_xlabel("session (earlier sessions counted back from this one)")
    ax.set_ylabel("baseline median, ms")
    ax.legend(fontsize=8)
    return to_svg(fig, "history", "Baseline median across sessions")


def cost_vs_length(results: dict[str, Any]) -> str | None:
    """Median e2e against media duration, when results carry several media lengths."""
    rows = [r for r in as_list(results.get("cost_vs_length"))
            if isinstance(r.get("media_duration_s"), (int, float)) and isinstance(r.get("median_s"), (int, float))]
    if len({r["media_duration_s"] for r in rows}) < 2:
        return None
    fig = new_figure(7.0, 3.2, left_in=0.8, top_in=0.1)
    ax = fig.add_subplot()
    for combo in dict.fromkeys(str(r.get("combo")) for r in rows):
        own = sorted((r for r in rows if str(r.get("combo")) == combo), key=lambda r: r["media_duration_s"])
        ax.plot([r["media_duration_s"] for r in own], [r["median_s"] for r in own], "o-", label=combo)
    ax.set_xlabel("media duration, s")
    ax.set_ylabel("median e2e, s")
    ax.legend(fontsize=8)
    return to_svg(fig, "cost", "Cost versus media length")
