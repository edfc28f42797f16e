"""docs/results-schema.md, written from the results model itself so the page cannot drift from the code.

    python -m autointel.rendering.schema_doc > docs/results-schema.md
"""

from __future__ import annotations

import dataclasses
import re
import typing

from autointel.model import bench_results, run_sample, statistics

TYPES: tuple[type, ...] = (
    bench_results.SessionResults, bench_results.SessionInfo, bench_results.Banner, bench_results.CellStats,
    bench_results.CellCounts, bench_results.LLMLoad, statistics.Summary, bench_results.Representative,
    bench_results.MetricComparison, bench_results.EngineCost, bench_results.Headroom, bench_results.EffectRow,
    bench_results.MemoryCheck,
    bench_results.Equivalence, bench_results.HistoryCheck, run_sample.RunSample, bench_results.GoalRow,
    bench_results.Stretch, bench_results.Measurement, bench_results.LengthCost, bench_results.MemoryScaling,
    bench_results.CostModel, bench_results.SessionComparison, bench_results.OtherSession, bench_results.CellDelta,
)

INTRO = f"""# results.json: the schema

Every bench writes `results.json`: one JSON object, the `SessionResults` of
`src/autointel/model/bench_results.py` field for field. `autointel report` reads it back through the same model
(`SessionResults.from_json`), and every renderer (Markdown, terminal, HTML, Chrome trace) reads only the model.
A float that is not finite (a CI that too few runs cannot bound, a ratio with no runs) is `null` in the file.
This page is generated: `python -m autointel.rendering.schema_doc > docs/results-schema.md`.

Schema version: **{bench_results.SCHEMA_VERSION}** (the `schema` key).

## Change log

| version | change |
|---|---|
"""


def _type_name(hint: object) -> str:
    text = str(hint).replace("typing.", "")
    text = re.sub(r"<class '(?:[\w.]+\.)?(\w+)'>", r"\1", text)
    return re.sub(r"autointel\.model\.\w+\.", "", text).replace(" | ", " or ")  # a pipe would split the cell


def _section(cls: type) -> list[str]:
    hints = typing.get_type_hints(cls)
    summary = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
    lines = [f"### {cls.__name__}", ""]
    if summary and not summary.startswith(f"{cls.__name__}("):
        lines += [summary, ""]
    lines += ["| field | type |", "|---|---|"]
    lines += [f"| `{f.name}` | `{_type_name(hints[f.name])}` |" for f in dataclasses.fields(cls)]
    return [*lines, ""]


def schema_markdown() -> str:
    lines = [INTRO.rstrip("\n"), *(f"| {v} | {text} |" for v, text in bench_results.CHANGELOG), "", "## Types", ""]
    for cls in TYPES:
        lines += _section(cls)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(schema_markdown(), end="")
