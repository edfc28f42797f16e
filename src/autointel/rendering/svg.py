"""A matplotlib Figure as an inline SVG fragment that is safe to embed many times in one HTML page.

Why post-process: matplotlib writes an XML prolog with a DTD URL, RDF metadata with URLs, a global
`*{...}` style, and the same element ids (figure_1, clip paths, markers) in every figure. Inline,
those would leak styles, collide between figures and put URLs in the page, so they are stripped or
prefixed here; `tips` become SVG `<title>` tooltips on the artists whose gid is the tip key.
"""

from __future__ import annotations

import html
import io
import re

import matplotlib
from matplotlib.figure import Figure

RC = {"svg.fonttype": "none", "font.size": 9, "axes.titlesize": 10, "axes.spines.top": False,
      "axes.spines.right": False, "font.family": ["DejaVu Sans", "sans-serif"]}

VERDICT_COLORS = {
    "regression": "#c62828", "fail": "#c62828", "improvement": "#2e7d32", "pass": "#2e7d32",
    "no_change": "#546e7a", "inconclusive": "#ef8f00", "insufficient": "#9e9e9e", "not_comparable": "#9e9e9e",
    "baseline": "#1565c0",
}
PHASE_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")


def new_figure(width_in: float, height_in: float, left_in: float | None = None, top_in: float = 0.3,
               bottom_in: float = 0.5) -> Figure:
    """A pyplot-free Figure: no global figure registry, so rendering is safe in any thread.

    With `left_in` the margins are fixed (inches; the left one holds the y labels) instead of the
    constrained layout engine, which costs ~0.1 s per figure: the report draws one figure per cell.
    """
    if left_in is None:
        return Figure(figsize=(width_in, height_in), layout="constrained")
    fig = Figure(figsize=(width_in, height_in))
    fig.subplots_adjust(left=min(left_in / width_in, 0.6), right=1 - 0.2 / width_in, top=1 - top_in / height_in,
                        bottom=bottom_in / height_in)
    return fig


def label_width_in(labels: list[str], size: float = 8.0) -> float:
    """Room for y tick labels: about 0.55 em per character of DejaVu Sans, plus the ticks."""
    return 0.35 + max((len(s) for s in labels), default=4) * size * 0.62 / 72


def phase_color(phases: list[str], phase: str) -> str:
    return PHASE_COLORS[phases.index(phase) % len(PHASE_COLORS)] if phase in phases else "#7f7f7f"


def to_svg(fig: Figure, key: str, label: str, tips: dict[str, str] | None = None) -> str:
    """Render `fig` and return an `<svg>` element whose ids are all prefixed with `key`."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": key}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r"<style[^>]*>.*?</style>\s*", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns:xlink="[^"]*"', "", text, count=1)
    for gid, tip in (tips or {}).items():
        text = text.replace(f'<g id="{gid}">', f'<g id="{gid}"><title>{html.escape(tip)}</title>', 1)
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{key}-{m.group(1)}"', text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{key}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{key}-{m.group(1)})", text)
    size = re.match(r'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"', text)
    width = size.group(1) if size else "600"
    text = re.sub(r'<svg[^>]*?width="[\d.]+pt" height="[\d.]+pt"',
                  f'<svg class="plot" role="img" aria-label="{html.escape(label)}" style="width:{width}pt"',
                  text, count=1)
    return text.strip()
