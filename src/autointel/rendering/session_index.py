"""index.html of a bench root: one link per bench report with its verdict, so the folder a run prints opens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class BenchLink:
    """One bench of a root: where its report is (relative to the root), its verdict and headline."""

    name: str
    href: str
    verdict: str
    headline: str


COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "inconclusive": "#9a6700"}


def session_index_html(title: str, benches: Sequence[BenchLink]) -> str:
    rows = "\n".join(
        f'<li><a href="{escape(b.href, quote=True)}">{escape(b.name)}</a> '
        f'<b style="color:{COLOURS.get(b.verdict.lower(), "#57606a")}">{escape(b.verdict.upper())}</b> '
        f"{escape(b.headline)}</li>"
        for b in benches)
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n'
            f'<body style="font-family:sans-serif;max-width:60rem;margin:2rem auto">\n<h1>{escape(title)}</h1>\n'
            f"<ul>\n{rows}\n</ul>\n</body></html>\n")
